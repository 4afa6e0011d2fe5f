/**
 * The dependency graph of a definition: `depends_on` edges plus a condition's implicit edges
 * to the steps its `then`/`else` name. Shared by validation and the interpreter.
 */

/** The fields of a step the graph reads; tolerant of unvalidated input. */
export interface GraphStep {
  step_id: string;
  step_type?: string;
  depends_on?: readonly string[];
  then?: readonly string[];
  else?: readonly string[];
}

/** Direct predecessors of every step, by step id; ids not in `steps` are left out. */
export function predecessors(steps: readonly GraphStep[]): Map<string, string[]> {
  const ids = new Set(steps.map((s) => s.step_id));
  const preds = new Map<string, string[]>(steps.map((s) => [s.step_id, [] as string[]]));
  const add = (to: string, from: string) => {
    const list = preds.get(to);
    if (list && ids.has(from) && !list.includes(from)) list.push(from);
  };
  for (const step of steps) {
    for (const dep of step.depends_on ?? []) add(step.step_id, dep);
    if (step.step_type === 'condition') {
      for (const target of [...(step.then ?? []), ...(step.else ?? [])]) {
        if (target !== step.step_id) add(target, step.step_id);
      }
    }
  }
  return preds;
}

/**
 * A topological order (ties kept in definition order), or the steps of one cycle, in edge
 * order and closed (`[a, b, a]`).
 */
export function topologicalOrder(ids: readonly string[], preds: ReadonlyMap<string, readonly string[]>): { ok: true; order: string[] } | { ok: false; cycle: string[] } {
  const remaining = new Map(ids.map((id) => [id, (preds.get(id) ?? []).length]));
  const successors = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const id of ids) for (const p of preds.get(id) ?? []) successors.get(p)?.push(id);
  const order: string[] = [];
  const ready = ids.filter((id) => remaining.get(id) === 0);
  while (ready.length > 0) {
    const id = ready.shift() as string;
    order.push(id);
    for (const next of successors.get(id) ?? []) {
      const left = (remaining.get(next) ?? 0) - 1;
      remaining.set(next, left);
      if (left === 0) ready.push(next);
    }
    ready.sort((a, b) => ids.indexOf(a) - ids.indexOf(b));
  }
  if (order.length === ids.length) return { ok: true, order };
  return { ok: false, cycle: findCycle(ids.filter((id) => !order.includes(id)), preds) };
}

/** One cycle among `stuck` (steps left over by Kahn's algorithm, each on or behind a cycle). */
function findCycle(stuck: readonly string[], preds: ReadonlyMap<string, readonly string[]>): string[] {
  const inStuck = new Set(stuck);
  // Walk predecessors from any stuck step; every stuck step has a stuck predecessor, so the
  // walk must revisit a step, and the revisited stretch is a cycle.
  const seen = new Map<string, number>();
  const walk: string[] = [];
  let current = stuck[0] as string;
  while (!seen.has(current)) {
    seen.set(current, walk.length);
    walk.push(current);
    current = (preds.get(current) ?? []).find((p) => inStuck.has(p)) as string;
  }
  const cycle = walk.slice(seen.get(current)).reverse();
  return [...cycle, cycle[0] as string];
}

/** Every step each step transitively depends on. Assumes an acyclic graph in `order`. */
export function upstreamSets(order: readonly string[], preds: ReadonlyMap<string, readonly string[]>): Map<string, Set<string>> {
  const upstream = new Map<string, Set<string>>();
  for (const id of order) {
    const set = new Set<string>();
    for (const p of preds.get(id) ?? []) {
      set.add(p);
      for (const q of upstream.get(p) ?? []) set.add(q);
    }
    upstream.set(id, set);
  }
  return upstream;
}
