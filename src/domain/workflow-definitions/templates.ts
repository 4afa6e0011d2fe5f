import { isForbiddenSegment, ownProperty, walkPath } from './paths';

/**
 * `{{input.lead.email}}`, `{{steps.qualify_lead.output.score}}`, and inside a for_each step
 * `{{item}}` / `{{index}}`. A string that is exactly one template takes the value with its
 * type; any other string is interpolated as text (objects JSON-encoded). A missing path is
 * `null` as a whole value and `''` inside text.
 */

export type TemplateRoot = 'input' | 'steps' | 'item' | 'index';

export interface TemplateRef {
  /** The text between the braces, trimmed. */
  raw: string;
  root: TemplateRoot;
  /** For `steps`: the step id read. */
  stepId?: string;
  /** Segments after the root (after `steps.<id>.output` for a step). */
  rest: string[];
}

export type ParsedTemplate = { ok: true; ref: TemplateRef } | { ok: false; raw: string; message: string };

const TEMPLATE = /\{\{([^{}]*)\}\}/g;
const WHOLE = /^\{\{([^{}]*)\}\}$/;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
/** Nesting bound for values walked here: definitions are JSON, and this bounds recursion. */
export const MAX_VALUE_DEPTH = 20;

export function parseTemplatePath(text: string): ParsedTemplate {
  const raw = text.trim();
  if (raw === '') return { ok: false, raw, message: 'empty template "{{}}"' };
  const segments = raw.split('.');
  for (const segment of segments) {
    if (!SEGMENT.test(segment)) return { ok: false, raw, message: `malformed template path "${raw}"` };
    if (isForbiddenSegment(segment)) return { ok: false, raw, message: `"${segment}" is not allowed in a template path` };
  }
  const [root, ...rest] = segments;
  switch (root) {
    case 'input':
      return { ok: true, ref: { raw, root, rest } };
    case 'steps': {
      const [stepId, output, ...after] = rest;
      if (stepId === undefined || output !== 'output') {
        return { ok: false, raw, message: `"{{${raw}}}" must read a step's output: steps.<step_id>.output` };
      }
      return { ok: true, ref: { raw, root, stepId, rest: after } };
    }
    case 'item':
      return { ok: true, ref: { raw, root, rest } };
    case 'index':
      if (rest.length > 0) return { ok: false, raw, message: `"{{${raw}}}": index is a number and has no fields` };
      return { ok: true, ref: { raw, root, rest } };
    default:
      return { ok: false, raw, message: `unknown template root "${root}" in "{{${raw}}}": use input, steps, item or index` };
  }
}

/** Every template in a string, plus a problem for an unclosed `{{`. */
export function parseTemplates(text: string): ParsedTemplate[] {
  const found: ParsedTemplate[] = [];
  for (const match of text.matchAll(TEMPLATE)) found.push(parseTemplatePath(match[1] ?? ''));
  if (text.replace(TEMPLATE, '').includes('{{')) found.push({ ok: false, raw: text, message: 'unclosed or nested "{{" in template text' });
  return found;
}

/** The single template a string consists of, if it is exactly one. */
export function wholeTemplate(text: string): ParsedTemplate | undefined {
  const match = WHOLE.exec(text);
  return match ? parseTemplatePath(match[1] ?? '') : undefined;
}

export interface FoundTemplate {
  /** Where the string sits, relative to the value walked, e.g. `lead.email` or `[0]`. */
  path: Array<string | number>;
  template: ParsedTemplate;
}

/** Templates in every string of a JSON value (not in keys), depth-bounded. */
export function collectTemplates(value: unknown, path: Array<string | number> = [], depth = 0, out: FoundTemplate[] = []): FoundTemplate[] {
  if (depth > MAX_VALUE_DEPTH) return out;
  if (typeof value === 'string') {
    for (const template of parseTemplates(value)) out.push({ path, template });
  } else if (Array.isArray(value)) {
    value.forEach((element, i) => collectTemplates(element, [...path, i], depth + 1, out));
  } else if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) collectTemplates((value as Record<string, unknown>)[key], [...path, key], depth + 1, out);
  }
  return out;
}

/** What templates read at run time. */
export interface TemplateContext {
  input: unknown;
  /** Outputs of finished steps, by step id. */
  steps: Record<string, unknown>;
  item?: unknown;
  index?: number;
}

/** The value a template names; undefined when the path is missing or invalid. */
export function lookupTemplate(ref: TemplateRef, ctx: TemplateContext): unknown {
  switch (ref.root) {
    case 'input':
      return walkPath(ctx.input, ref.rest);
    case 'steps': {
      const output = ownProperty(ctx.steps, ref.stepId ?? '');
      return walkPath(output, ref.rest);
    }
    case 'item':
      return walkPath(ctx.item, ref.rest);
    case 'index':
      return ctx.index;
  }
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

/** Renders one string: a whole template keeps its type, anything else becomes text. */
export function renderString(text: string, ctx: TemplateContext): unknown {
  const whole = wholeTemplate(text);
  if (whole) return whole.ok ? (lookupTemplate(whole.ref, ctx) ?? null) : null;
  if (!text.includes('{{')) return text;
  return text.replace(TEMPLATE, (_match, inner: string) => {
    const parsed = parseTemplatePath(inner);
    return parsed.ok ? asText(lookupTemplate(parsed.ref, ctx)) : '';
  });
}

/**
 * Renders every string in a JSON value. Objects are rebuilt with own data properties only
 * (`Object.fromEntries`), so even a `__proto__` key could not rewrite a prototype.
 */
export function renderTemplates(value: unknown, ctx: TemplateContext, depth = 0): unknown {
  if (depth > MAX_VALUE_DEPTH) return null;
  if (typeof value === 'string') return renderString(value, ctx);
  if (Array.isArray(value)) return value.map((element) => renderTemplates(element, ctx, depth + 1));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .filter((key) => !isForbiddenSegment(key))
        .map((key) => [key, renderTemplates((value as Record<string, unknown>)[key], ctx, depth + 1)]),
    );
  }
  return value;
}
