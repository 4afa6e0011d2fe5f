/**
 * Safe property walking shared by templates and conditions: user-written paths never reach
 * an object's prototype chain.
 */

/** Path segments that would reach or rewrite a prototype; refused in every user path. */
export const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isForbiddenSegment(segment: string): boolean {
  return FORBIDDEN_SEGMENTS.has(segment);
}

/** Own property `key` of `value`, or undefined; never reads inherited properties. */
export function ownProperty(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  if (isForbiddenSegment(key)) return undefined;
  if (!Object.prototype.hasOwnProperty.call(value, key)) return undefined;
  return (value as Record<string, unknown>)[key];
}

/** Walks `segments` from `value` through own properties only; undefined when any is missing. */
export function walkPath(value: unknown, segments: readonly string[]): unknown {
  let current = value;
  for (const segment of segments) {
    current = ownProperty(current, segment);
    if (current === undefined) return undefined;
  }
  return current;
}

/** `steps[1].depends_on[0]` from `['steps', 1, 'depends_on', 0]`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else {
      const key = String(part);
      out += /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? (out ? `.${key}` : key) : `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}
