import type { DefinitionStep } from './model';
import { checkStepFields } from './field-checks';
import { checkChildIds, checkCycles, checkReferences, indexStepIds, type IndexedStep, type ParsedStep } from './graph-checks';
import { formatPath } from './paths';
import { DEFINITION_LIMITS, jsonValueProblems } from './limits';
import { definitionEnvelopeSchema, workflowDefinitionBodySchema } from './schema';
import { parseSteps, stepIdOf, zodErrors } from './step-shape';
import type { DefinitionError, ValidationContext, ValidationResult } from './validation-types';

export type { DefinitionError, ValidationContext, ValidationResult } from './validation-types';

const MAX_ERRORS = 100;

/**
 * Checks a definition completely: its shape, the graph (duplicates, unknown dependencies,
 * cycles), agents and tasks, templates and conditions against what is upstream of them.
 * Never throws; every problem found is returned, each naming its step and field.
 */
export function validateDefinition(body: unknown, ctx: ValidationContext): ValidationResult {
  try {
    return validate(body, ctx);
  } catch (err) {
    // A bug here must not take the caller down (the interpreter re-validates in a workflow).
    return { ok: false, errors: [{ field: '', message: `definition could not be validated: ${err instanceof Error ? err.message : String(err)}` }] };
  }
}

function validate(body: unknown, ctx: ValidationContext): ValidationResult {
  // Plain JSON first: zod rebuilds objects by assignment, so a `__proto__` key must be
  // refused before it gets there (and cyclic or exotic values never reach it).
  // A list with a tighter limit of its own is reported with that limit, not the generic one.
  const rawSteps = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).steps : undefined;
  if (Array.isArray(rawSteps) && rawSteps.length > DEFINITION_LIMITS.maxSteps) {
    return { ok: false, errors: [{ field: 'steps', message: `at most ${DEFINITION_LIMITS.maxSteps} steps (got ${rawSteps.length})` }] };
  }
  const notJson = jsonValueProblems(body);
  if (notJson.length > 0) {
    const steps = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).steps : undefined;
    return {
      ok: false,
      errors: notJson.map((problem) => {
        const stepId = problem.path[0] === 'steps' && typeof problem.path[1] === 'number' && Array.isArray(steps) ? stepIdOf(steps[problem.path[1]]) : undefined;
        return { ...(stepId !== undefined ? { step_id: stepId } : {}), field: formatPath(problem.path), message: problem.message };
      }),
    };
  }
  const envelope = definitionEnvelopeSchema.safeParse(body);
  if (!envelope.success) {
    const errors = zodErrors(envelope.error, [], undefined);
    // Still report step-level problems when only the envelope's other fields are wrong.
    const steps = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).steps : undefined;
    if (!Array.isArray(steps) || steps.length === 0 || steps.length > DEFINITION_LIMITS.maxSteps) return { ok: false, errors: errors.slice(0, MAX_ERRORS) };
    const stepErrors = validateSteps(steps, ctx).errors;
    return { ok: false, errors: [...errors, ...stepErrors].slice(0, MAX_ERRORS) };
  }
  const { errors, steps } = validateSteps(envelope.data.steps, ctx);
  if (errors.length > 0 || !steps) return { ok: false, errors: errors.slice(0, MAX_ERRORS) };
  const full = workflowDefinitionBodySchema.safeParse(body);
  if (!full.success) return { ok: false, errors: zodErrors(full.error, [], undefined).slice(0, MAX_ERRORS) };
  return { ok: true, definition: full.data };
}

/** Every step's shape, the graph, then each step's fields; the steps only when all is well. */
function validateSteps(rawSteps: readonly unknown[], ctx: ValidationContext): { errors: DefinitionError[]; steps?: DefinitionStep[] } {
  const errors: DefinitionError[] = [];
  const parsed = parseSteps(rawSteps, errors);
  const indexed: IndexedStep[] = rawSteps.map((raw, i) => ({ i, step: parsed[i], id: stepIdOf(raw) }));
  const indexById = indexStepIds(indexed, errors);
  const known = (id: string) => indexById.has(id);
  checkChildIds(indexed, errors);
  const valid = indexed.filter((g): g is ParsedStep => g.step !== undefined);
  checkReferences(valid, known, errors);
  const upstream = checkCycles(valid, indexById, errors);
  for (const { step, i } of valid) checkStepFields(step, i, ctx, known, upstream, errors);
  return errors.length > 0 ? { errors } : { errors, steps: valid.map((v) => v.step) };
}
