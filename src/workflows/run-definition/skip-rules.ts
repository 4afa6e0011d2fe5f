import type { DefinitionStep, RunWhen, StepState } from '../../contracts/run-definition';

/** A condition that names a step in `then` or `else`: the step runs only on that branch. */
export interface Gate {
  conditionId: string;
  branch: 'then' | 'else';
}

/** The gates of every step a condition names, by step id. */
export function branchGates(steps: readonly DefinitionStep[]): Map<string, Gate[]> {
  const gates = new Map<string, Gate[]>();
  for (const s of steps) {
    if (s.step_type !== 'condition') continue;
    for (const id of s.then ?? []) gates.set(id, [...(gates.get(id) ?? []), { conditionId: s.step_id, branch: 'then' }]);
    for (const id of s.else ?? []) gates.set(id, [...(gates.get(id) ?? []), { conditionId: s.step_id, branch: 'else' }]);
  }
  return gates;
}

/** Why a step whose dependencies finished is not on its conditions' branch, if it is not. */
export function gateSkipReason(gates: readonly Gate[], stateOf: ReadonlyMap<string, StepState>): string | undefined {
  for (const gate of gates) {
    const cond = stateOf.get(gate.conditionId) as StepState;
    if (cond.status === 'skipped') return `condition ${gate.conditionId} was skipped`;
    if (cond.status === 'failed') return `condition ${gate.conditionId} failed`;
    const result = (cond.output as { result?: unknown } | undefined)?.result === true;
    if ((gate.branch === 'then') !== result) return `condition ${gate.conditionId} was ${result}`;
  }
  return undefined;
}

/** Why `run_when` keeps a step from running, given how its dependencies `deps` ended. */
export function runWhenSkipReason(runWhen: RunWhen, deps: readonly string[], stateOf: ReadonlyMap<string, StepState>): string | undefined {
  switch (runWhen) {
    case 'all_succeeded': {
      const skippedDep = deps.find((p) => stateOf.get(p)?.status === 'skipped');
      return skippedDep === undefined ? undefined : `dependency ${skippedDep} was skipped`;
    }
    case 'any_succeeded':
      return deps.length === 0 || deps.some((p) => stateOf.get(p)?.status === 'done') ? undefined : `no dependency succeeded (${deps.join(', ')})`;
    case 'all_finished':
      return undefined;
  }
  return undefined;
}
