import type { DefinitionStep } from './model';
import { predecessors, topologicalOrder, upstreamSets } from './dag';
import type { DefinitionError } from './validation-types';

/**
 * Checks of the step graph: ids unique, every step it names known, no cycle. They run over
 * the steps whose ids are usable, even when some step is malformed.
 */

/** A submitted step: its index, its id when usable, and the step when it parsed. */
export interface IndexedStep {
  i: number;
  id: string | undefined;
  step: DefinitionStep | undefined;
}

export type ParsedStep = IndexedStep & { step: DefinitionStep };

/** Each id's index (its first step); a duplicate is an error. */
export function indexStepIds(steps: readonly IndexedStep[], errors: DefinitionError[]): Map<string, number> {
  const indexById = new Map<string, number>();
  for (const { id, i } of steps) {
    if (id === undefined) continue;
    if (indexById.has(id)) errors.push({ step_id: id, field: `steps[${i}].step_id`, message: `duplicate step id "${id}" (also steps[${indexById.get(id)}])` });
    else indexById.set(id, i);
  }
  return indexById;
}

/** A child's workflow id carries its step id in lower case: two that differ only in case would collide. */
export function checkChildIds(steps: readonly IndexedStep[], errors: DefinitionError[]): void {
  const childIds = new Map<string, string>();
  for (const { step, i } of steps) {
    if (step?.step_type !== 'sub_workflow') continue;
    const lower = step.step_id.toLowerCase();
    const other = childIds.get(lower);
    if (other !== undefined && other !== step.step_id) errors.push({ step_id: step.step_id, field: `steps[${i}].step_id`, message: `sub_workflow step ids must differ in more than case ("${other}")` });
    else childIds.set(lower, step.step_id);
  }
}

/** `depends_on` and a condition's `then`/`else` name known steps other than the step itself (and no step in both branches). */
export function checkReferences(steps: readonly ParsedStep[], known: (id: string) => boolean, errors: DefinitionError[]): void {
  for (const { step, i } of steps) {
    (step.depends_on ?? []).forEach((dep, j) => {
      const field = `steps[${i}].depends_on[${j}]`;
      if (dep === step.step_id) errors.push({ step_id: step.step_id, field, message: 'a step cannot depend on itself' });
      else if (!known(dep)) errors.push({ step_id: step.step_id, field, message: `depends on unknown step "${dep}"` });
    });
    if (step.step_type !== 'condition') continue;
    const thenSet = new Set(step.then ?? []);
    for (const branch of ['then', 'else'] as const) {
      (step[branch] ?? []).forEach((target, j) => {
        const field = `steps[${i}].${branch}[${j}]`;
        if (target === step.step_id) errors.push({ step_id: step.step_id, field, message: `a condition cannot name itself in "${branch}"` });
        else if (!known(target)) errors.push({ step_id: step.step_id, field, message: `"${branch}" names unknown step "${target}"` });
        else if (branch === 'else' && thenSet.has(target)) errors.push({ step_id: step.step_id, field, message: `step "${target}" is in both "then" and "else"` });
      });
    }
  }
}

/**
 * The steps upstream of each step (what its templates and condition may read), or undefined
 * with an error naming one cycle. Self-dependencies are left to `checkReferences`.
 */
export function checkCycles(steps: readonly ParsedStep[], indexById: ReadonlyMap<string, number>, errors: DefinitionError[]): Map<string, Set<string>> | undefined {
  const graph = steps.map(({ step }) => step).filter((s) => indexById.get(s.step_id) !== undefined);
  const ids = [...new Set(graph.map((s) => s.step_id))];
  const preds = predecessors(graph.map((s) => ({ ...s, depends_on: (s.depends_on ?? []).filter((d) => d !== s.step_id) })));
  const sorted = topologicalOrder(ids, preds);
  if (sorted.ok) return upstreamSets(sorted.order, preds);
  const first = sorted.cycle[0] as string;
  errors.push({ step_id: first, field: `steps[${indexById.get(first)}].depends_on`, message: `dependency cycle: ${sorted.cycle.join(' -> ')}` });
  return undefined;
}
