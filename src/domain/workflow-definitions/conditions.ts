import jsonLogic from 'json-logic-js';
import { formatPath, isForbiddenSegment } from './paths';

/**
 * Condition steps are JSON Logic rules (json-logic-js) over `{ input, steps: { <id>: {
 * output } } }`. Rules are checked before they run: only json-logic-js's own operators, and
 * `var`/`missing` paths as literal strings, so no path can be assembled at run time to reach
 * a prototype, and paths into `steps` can be checked against the DAG.
 */

/** json-logic-js 2.x's operators (its `operations` table plus the ones `apply` handles itself). */
export const JSON_LOGIC_OPERATORS: readonly string[] = [
  'var', 'missing', 'missing_some',
  'if', '?:', 'and', 'or', '!', '!!',
  '==', '===', '!=', '!==', '>', '>=', '<', '<=',
  '+', '-', '*', '/', '%', 'min', 'max',
  'map', 'filter', 'reduce', 'all', 'none', 'some',
  'merge', 'in', 'cat', 'substr', 'log',
];
const OPERATORS = new Set(JSON_LOGIC_OPERATORS);
/** Operators whose second argument runs with each element of the first as its data. */
const SCOPED = new Set(['map', 'filter', 'reduce', 'all', 'none', 'some']);
const MAX_DEPTH = 32;
const MAX_NODES = 2000;

export interface ConditionProblem {
  /** Relative to the rule, e.g. `['and', 1, 'var']`. */
  path: Array<string | number>;
  message: string;
}

/** How a `steps.<id>` reference relates to the condition step: fine, unknown, or not upstream. */
export type StepReferenceCheck = (stepId: string) => 'ok' | 'unknown' | 'not_upstream';

type Path = Array<string | number>;
const joinPath = (base: Path, part: string | number): Path => [...base, part];

/**
 * Problems with a rule: unknown operators, non-literal or forbidden paths, and (at the
 * top level, where data is `{input, steps}`) paths outside `input` or into steps that are
 * not upstream. Never throws.
 */
export function checkCondition(rule: unknown, stepRef: StepReferenceCheck = () => 'ok'): ConditionProblem[] {
  if (typeof rule === 'boolean') return [];
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) {
    return [{ path: [], message: 'a condition is a JSON Logic rule (an object with one operator) or a boolean' }];
  }
  const check: RuleCheck = { problems: [], nodes: 0, stepRef };
  visit(check, rule, [], 0, false);
  return check.problems;
}

/** One rule's check as it walks the rule: the problems so far and the nodes seen. */
interface RuleCheck {
  problems: ConditionProblem[];
  nodes: number;
  stepRef: StepReferenceCheck;
}

/**
 * Checks a node of the rule at `path`. `scoped`: inside the second argument of map, filter,
 * reduce, all, none or some, where the data is each element and paths are not checked
 * against `{input, steps}`.
 */
function visit(c: RuleCheck, node: unknown, path: Path, depth: number, scoped: boolean): void {
  c.nodes += 1;
  if (c.nodes > MAX_NODES) {
    if (c.nodes === MAX_NODES + 1) c.problems.push({ path, message: `rule has more than ${MAX_NODES} nodes` });
    return;
  }
  if (depth > MAX_DEPTH) {
    c.problems.push({ path, message: `rule is nested deeper than ${MAX_DEPTH}` });
    return;
  }
  if (Array.isArray(node)) {
    node.forEach((element, i) => visit(c, element, joinPath(path, i), depth + 1, scoped));
    return;
  }
  if (typeof node !== 'object' || node === null) {
    if (typeof node === 'number' && !Number.isFinite(node)) c.problems.push({ path, message: 'numbers must be finite' });
    return;
  }
  const keys = Object.keys(node);
  if (keys.length !== 1) {
    c.problems.push({ path, message: 'a JSON Logic operation is an object with exactly one operator key' });
    return;
  }
  visitOperation(c, keys[0] as string, (node as Record<string, unknown>)[keys[0] as string], path, depth, scoped);
}

/** An operation `{ op: raw }`: a known operator, and its arguments (data paths where it reads data). */
function visitOperation(c: RuleCheck, op: string, raw: unknown, path: Path, depth: number, scoped: boolean): void {
  const opPath = joinPath(path, op);
  if (!OPERATORS.has(op)) {
    c.problems.push({ path: opPath, message: `unknown JSON Logic operator "${op}"` });
    return;
  }
  const args = Array.isArray(raw) ? raw : [raw];
  const argPath = (i: number) => (Array.isArray(raw) ? joinPath(opPath, i) : opPath);
  if (op === 'var') {
    checkDataPath(c, args[0] ?? '', argPath(0), scoped);
    if (args.length > 1) visit(c, args[1], argPath(1), depth + 1, scoped);
    if (args.length > 2) c.problems.push({ path: opPath, message: 'var takes a path and an optional default' });
    return;
  }
  if (op === 'missing') {
    const keysArg = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
    keysArg.forEach((key, i) => checkDataPath(c, key, args.length === 1 && Array.isArray(args[0]) ? joinPath(argPath(0), i) : argPath(i), scoped));
    return;
  }
  if (op === 'missing_some') {
    if (typeof args[0] !== 'number' || !Array.isArray(args[1])) {
      c.problems.push({ path: opPath, message: 'missing_some takes [count, [paths]]' });
      return;
    }
    (args[1] as unknown[]).forEach((key, i) => checkDataPath(c, key, joinPath(argPath(1), i), scoped));
    return;
  }
  if (SCOPED.has(op)) {
    visit(c, args[0], argPath(0), depth + 1, scoped);
    if (args.length > 1) visit(c, args[1], argPath(1), depth + 1, true);
    if (op === 'reduce' && args.length > 2) visit(c, args[2], argPath(2), depth + 1, scoped);
    return;
  }
  args.forEach((arg, i) => visit(c, arg, argPath(i), depth + 1, scoped));
}

function checkDataPath(c: RuleCheck, key: unknown, path: Path, scoped: boolean): void {
  const message = dataPathProblem(key, scoped, c.stepRef);
  if (message !== undefined) c.problems.push({ path, message });
}

/** What is wrong with a `var`/`missing` path: not a literal string, a forbidden segment, or (at the top level) not `input…` or `steps.<upstream id>.output…`. */
function dataPathProblem(key: unknown, scoped: boolean, stepRef: StepReferenceCheck): string | undefined {
  if (typeof key === 'number') return scoped ? undefined : 'a path into the condition data starts with "input" or "steps"';
  if (typeof key !== 'string') return 'a var/missing path must be a literal string';
  if (key === '') return scoped ? undefined : 'an empty var path reads the whole data; name "input" or "steps.<id>" instead';
  const segments = key.split('.');
  const forbidden = segments.find(isForbiddenSegment);
  if (forbidden !== undefined) return `"${forbidden}" is not allowed in a path`;
  if (scoped) return undefined;
  const [root, stepId, field] = segments;
  if (root === 'input') return undefined;
  if (root !== 'steps') return `path "${key}" must start with "input" or "steps"`;
  if (stepId === undefined || stepId === '') return `path "${key}" must name a step: steps.<step_id>.output`;
  if (field !== undefined && field !== 'output') return `path "${key}" reads a step's output: steps.${stepId}.output`;
  const check = stepRef(stepId);
  if (check === 'unknown') return `path "${key}" refers to unknown step "${stepId}"`;
  if (check === 'not_upstream') return `path "${key}" refers to step "${stepId}", which is not upstream of this condition`;
  return undefined;
}

/** The data a condition sees. */
export interface ConditionData {
  input: unknown;
  steps: Record<string, { output: unknown }>;
}

export type ConditionResult = { ok: true; result: boolean } | { ok: false; message: string };

/**
 * Evaluates a rule (JSON Logic truthiness) after checking it; a rule that fails the check
 * or throws is reported, never thrown.
 */
export function evaluateCondition(rule: unknown, data: ConditionData): ConditionResult {
  if (typeof rule === 'boolean') return { ok: true, result: rule };
  const problems = checkCondition(rule, () => 'ok');
  if (problems.length > 0) return { ok: false, message: problems.map((p) => (p.path.length ? `${formatPath(p.path)}: ${p.message}` : p.message)).join('; ') };
  try {
    return { ok: true, result: jsonLogic.truthy(jsonLogic.apply(rule as jsonLogic.RulesLogic, data)) };
  } catch (err) {
    return { ok: false, message: `condition could not be evaluated: ${err instanceof Error ? err.message : String(err)}` };
  }
}

