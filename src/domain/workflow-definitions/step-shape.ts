import type { z } from 'zod';
import { STEP_TYPES, type DefinitionStep } from './model';
import { formatPath } from './paths';
import { STEP_SCHEMAS } from './schema';
import type { DefinitionError } from './validation-types';

/** Zod's issues as definition errors, their paths under `prefix`. */
export function zodErrors(error: z.ZodError, prefix: Array<string | number>, stepId: string | undefined): DefinitionError[] {
  return error.issues.map((issue) => {
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    const path = [...prefix, ...issue.path.filter((p): p is string | number => typeof p !== 'symbol')];
    return { ...(stepId !== undefined ? { step_id: stepId } : {}), field: formatPath(path), message };
  });
}

/** A raw step's id when it has a usable one, to name the step in errors (even a malformed step). */
export function stepIdOf(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const id = (raw as Record<string, unknown>).step_id;
  return typeof id === 'string' && id.length <= 64 ? id : undefined;
}

/** Each step checked against its own type's schema: the parsed step, or undefined with its errors pushed. */
export function parseSteps(rawSteps: readonly unknown[], errors: DefinitionError[]): Array<DefinitionStep | undefined> {
  return rawSteps.map((raw, i) => parseStep(raw, i, errors));
}

function parseStep(raw: unknown, i: number, errors: DefinitionError[]): DefinitionStep | undefined {
  const stepId = stepIdOf(raw);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    errors.push({ field: `steps[${i}]`, message: 'a step is an object' });
    return undefined;
  }
  const type = (raw as Record<string, unknown>).step_type;
  if (typeof type !== 'string' || !(STEP_TYPES as readonly string[]).includes(type)) {
    errors.push({
      ...(stepId !== undefined ? { step_id: stepId } : {}),
      field: `steps[${i}].step_type`,
      message: `unknown step type ${JSON.stringify(type) ?? 'undefined'}; expected one of ${STEP_TYPES.join(', ')}`,
    });
    return undefined;
  }
  const result = STEP_SCHEMAS[type as keyof typeof STEP_SCHEMAS].safeParse(raw);
  if (!result.success) {
    errors.push(...zodErrors(result.error, ['steps', i], stepId));
    return undefined;
  }
  return result.data as DefinitionStep;
}
