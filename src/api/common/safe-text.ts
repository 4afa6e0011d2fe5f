import { z } from 'zod';

/** A UTF-16 surrogate without its other half: not a character, and not encodable as UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * What is wrong with a piece of caller text, or undefined when nothing is. NUL ends strings
 * in C libraries and PostgreSQL refuses it; a lone surrogate turns into U+FFFD on its way to
 * UTF-8, so what is stored would not be what was sent. Both are refused rather than cleaned.
 */
export function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain the NUL character (\\u0000)';
  if (LONE_SURROGATE.test(text)) return 'must not contain a lone UTF-16 surrogate (malformed Unicode)';
  return undefined;
}

/**
 * A string of at most `max` characters that is well-formed text. The same rule runs over
 * every JSON body and query string (json-body.ts); this schema applies it where those
 * checks do not reach, such as path parameters, and documents the bound in OpenAPI.
 */
export function safeText(max: number) {
  return z
    .string()
    .max(max)
    .superRefine((text, ctx) => {
      const problem = textProblem(text);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}
