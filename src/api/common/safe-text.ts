import { z } from 'zod';
import { textProblem } from '../../domain/text';

export { textProblem };

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
