import { isForbiddenSegment } from './paths';
import { MAX_VALUE_DEPTH } from './templates';

/**
 * The bounds of a user-defined workflow and of the JSON it carries, apart from the zod
 * schema: the interpreter workflow reads them on every run, and zod is too heavy to load
 * into every workflow's sandbox for that.
 */
export const DEFINITION_LIMITS = {
  maxSteps: 100,
  maxDependsOn: 50,
  maxTimeoutSeconds: 2_592_000,
  maxDelaySeconds: 2_592_000,
  maxBranches: 20,
  maxConcurrency: 20,
  defaultConcurrency: 5,
  maxForEachItems: 100,
  maxHeaders: 30,
  maxUrlLength: 2000,
  maxSubWorkflowDepth: 5,
} as const;

const MAX_STRING = 100_000;
const MAX_ARRAY = 1000;
const MAX_KEYS = 200;

/** Problems with a value that must be plain JSON: finite numbers, bounded sizes, no prototype keys. */
export function jsonValueProblems(value: unknown, path: Array<string | number> = [], depth = 0, out: Array<{ path: Array<string | number>; message: string }> = []) {
  if (out.length >= 20) return out;
  if (depth > MAX_VALUE_DEPTH) {
    out.push({ path, message: `nested deeper than ${MAX_VALUE_DEPTH}` });
    return out;
  }
  if (value === null || typeof value === 'boolean') return out;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) out.push({ path, message: 'numbers must be finite' });
    return out;
  }
  if (typeof value === 'string') {
    if (value.length > MAX_STRING) out.push({ path, message: `strings are at most ${MAX_STRING} characters` });
    return out;
  }
  if (Array.isArray(value)) {
    if (value.length > MAX_ARRAY) out.push({ path, message: `lists have at most ${MAX_ARRAY} elements` });
    else value.forEach((element, i) => jsonValueProblems(element, [...path, i], depth + 1, out));
    return out;
  }
  const proto: unknown = typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  if (typeof value === 'object' && (proto === Object.prototype || proto === null)) {
    const keys = Object.keys(value);
    if (keys.length > MAX_KEYS) {
      out.push({ path, message: `objects have at most ${MAX_KEYS} keys` });
      return out;
    }
    for (const key of keys) {
      if (isForbiddenSegment(key)) out.push({ path: [...path, key], message: `"${key}" is not allowed as a key` });
      else jsonValueProblems((value as Record<string, unknown>)[key], [...path, key], depth + 1, out);
    }
    return out;
  }
  out.push({ path, message: 'must be JSON (null, boolean, number, string, list or object)' });
  return out;
}
