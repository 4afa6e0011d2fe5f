import jsonLogic from 'json-logic-js';
import {
  checkCondition,
  evaluateCondition,
  JSON_LOGIC_OPERATORS,
  predecessors,
  renderString,
  renderTemplates,
  topologicalOrder,
  upstreamSets,
  validateDefinition,
  type DefinitionError,
  type ValidationContext,
} from '../../src/domain/workflow-definitions';
import { agentTasks } from '../../src/domain/agent-registry';
import { SEED_CREATE_BODY } from '../fixtures/seed-004';

/** The seed's agents (seed 004: "sales" qualifies, "research" enriches). */
const AGENT_TASKS: Record<string, readonly string[]> = { sales: ['qualify_lead'], research: ['enrich_lead', 'company_lookup'] };
const ctx: ValidationContext = { agentTasks: (type) => AGENT_TASKS[type] };

/** The create body from seed 004's curl example, verbatim. */
const SEED_BODY = JSON.parse(SEED_CREATE_BODY);

const agent = (step_id: string, extra: Record<string, unknown> = {}) => ({ step_id, step_type: 'agent_task', agent_type: 'sales', task: 'qualify_lead', ...extra });
const body = (...steps: unknown[]) => ({ name: 'test', steps });

function errorsOf(input: unknown, context: ValidationContext = ctx): DefinitionError[] {
  const result = validateDefinition(input, context);
  if (result.ok) throw new Error(`expected errors, got a valid definition`);
  return result.errors;
}

/** Only the {step_id, field} of each error: what the API shows a user to fix. */
function locations(input: unknown, context: ValidationContext = ctx) {
  return errorsOf(input, context).map((e) => ({ step_id: e.step_id, field: e.field }));
}

describe('validateDefinition', () => {
  it("accepts the seed's create body with the sales and research agents", () => {
    const result = validateDefinition(SEED_BODY, ctx);
    expect(result).toEqual({ ok: true, definition: SEED_BODY });
  });

  it("accepts the seed's create body against the project's agent registry", () => {
    expect(validateDefinition(SEED_BODY, { agentTasks }).ok).toBe(true);
  });

  it('reports shape errors naming the step and field', () => {
    expect(locations(body(agent('a', { depends_on: 'x' })))).toEqual([{ step_id: 'a', field: 'steps[0].depends_on' }]);
    expect(locations(body(agent('a', { surprise: 1 })))).toEqual([{ step_id: 'a', field: 'steps[0]' }]);
    expect(errorsOf(body(agent('a', { surprise: 1 })))[0]?.message).toBe('unknown field "surprise"');
    expect(locations(body(agent('1bad')))).toEqual([{ step_id: '1bad', field: 'steps[0].step_id' }]);
    expect(locations(body(agent('constructor')))).toEqual([{ step_id: 'constructor', field: 'steps[0].step_id' }]);
    expect(locations({ name: '', steps: [agent('a')] })).toEqual([{ step_id: undefined, field: 'name' }]);
    expect(locations({ name: 'x', steps: [] })).toEqual([{ step_id: undefined, field: 'steps' }]);
    expect(locations({ name: 'x', steps: [agent('a')], owner: 'me' })).toEqual([{ step_id: undefined, field: '' }]);
    expect(locations({ name: 'x', description: 'd'.repeat(2001), steps: [agent('a')] })).toEqual([{ step_id: undefined, field: 'description' }]);
    expect(locations({ name: 'x', steps: Array.from({ length: 101 }, (_, i) => agent(`s${i}`)) })).toEqual([{ step_id: undefined, field: 'steps' }]);
    // Past the generic JSON bound too, the steps' own limit is the one reported.
    for (const length of [101, 1500]) {
      const result = validateDefinition({ name: 'x', steps: Array.from({ length }, (_, i) => agent(`s${i}`)) }, { agentTasks });
      expect(result).toEqual({ ok: false, errors: [{ field: 'steps', message: `at most 100 steps (got ${length})` }] });
    }
    expect(locations(body(agent('a', { depends_on: Array.from({ length: 51 }, () => 'b') }), agent('b')))).toEqual([{ step_id: 'a', field: 'steps[0].depends_on' }]);
    expect(locations(body(agent('a'), agent('b', { depends_on: ['a'], run_when: 'sometimes' })))).toEqual([{ step_id: 'b', field: 'steps[1].run_when' }]);
    expect(validateDefinition(body(agent('a'), agent('b', { depends_on: ['a'], run_when: 'any_succeeded' })), ctx).ok).toBe(true);
  });

  it('still reports step errors when the envelope is also wrong', () => {
    expect(locations({ name: '', steps: [agent('a', { task: 'nope' })] })).toEqual([
      { step_id: undefined, field: 'name' },
      { step_id: 'a', field: 'steps[0].task' },
    ]);
  });

  it('reports duplicate step ids', () => {
    expect(locations(body(agent('a'), agent('b'), agent('a')))).toEqual([{ step_id: 'a', field: 'steps[2].step_id' }]);
  });

  it('reports unknown and self dependencies', () => {
    expect(locations(body(agent('a'), agent('b', { depends_on: ['a', 'ghost'] })))).toEqual([{ step_id: 'b', field: 'steps[1].depends_on[1]' }]);
    expect(errorsOf(body(agent('a'), agent('b', { depends_on: ['a', 'ghost'] })))[0]?.message).toContain('"ghost"');
    expect(locations(body(agent('a', { depends_on: ['a'] })))).toEqual([{ step_id: 'a', field: 'steps[0].depends_on[0]' }]);
  });

  it('reports a cycle naming the steps on it', () => {
    const errors = errorsOf(body(agent('start'), agent('a', { depends_on: ['start', 'c'] }), agent('b', { depends_on: ['a'] }), agent('c', { depends_on: ['b'] })));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/^dependency cycle: /);
    const cycle = (errors[0]?.message ?? '').replace('dependency cycle: ', '').split(' -> ');
    expect(new Set(cycle)).toEqual(new Set(['a', 'b', 'c']));
    expect(cycle[0]).toBe(cycle[cycle.length - 1]);
  });

  it('reports a cycle made through a condition branch', () => {
    const errors = errorsOf(body({ step_id: 'check', step_type: 'condition', condition: true, then: ['a'], depends_on: ['a'] }, agent('a')));
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/dependency cycle: (check -> a -> check|a -> check -> a)/)]);
  });

  it('reports unknown step types', () => {
    expect(locations(body({ step_id: 'a', step_type: 'teleport' }))).toEqual([{ step_id: 'a', field: 'steps[0].step_type' }]);
    expect(locations(body({ step_id: 'a' }))).toEqual([{ step_id: 'a', field: 'steps[0].step_type' }]);
  });

  it('reports unknown agent types and tasks, in inner steps too', () => {
    expect(locations(body(agent('a', { agent_type: 'wizard' })))).toEqual([{ step_id: 'a', field: 'steps[0].agent_type' }]);
    expect(locations(body(agent('a', { task: 'fly' })))).toEqual([{ step_id: 'a', field: 'steps[0].task' }]);
    expect(errorsOf(body(agent('a', { task: 'fly' })))[0]?.message).toBe('agent "sales" has no task "fly" (it offers qualify_lead)');
    const parallel = { step_id: 'p', step_type: 'parallel', branches: [{ step_id: 'x', step_type: 'agent_task', agent_type: 'ghost', task: 't' }] };
    expect(locations(body(parallel))).toEqual([{ step_id: 'p', field: 'steps[0].branches[0].agent_type' }]);
  });

  it('skips agent checks when asked (the interpreter re-validates structure only)', () => {
    expect(validateDefinition(body(agent('a', { agent_type: 'wizard' })), { agentTasks: () => undefined, skipAgentChecks: true }).ok).toBe(true);
  });

  it('reports templates that read steps not upstream, unknown steps and unknown roots', () => {
    const steps = [
      agent('a'),
      agent('b', { parameters: { score: '{{steps.a.output.score}}' } }),
      agent('c', { depends_on: ['a'], parameters: { nested: { x: ['{{steps.b.output}}'] } } }),
      agent('d', { depends_on: ['c'], parameters: { ok: '{{steps.a.output.score}} via c', ghost: '{{steps.ghost.output}}', root: '{{secrets.key}}', me: '{{steps.d.output}}' } }),
    ];
    expect(locations(body(...steps))).toEqual([
      { step_id: 'b', field: 'steps[1].parameters.score' },
      { step_id: 'c', field: 'steps[2].parameters.nested.x[0]' },
      { step_id: 'd', field: 'steps[3].parameters.ghost' },
      { step_id: 'd', field: 'steps[3].parameters.root' },
      { step_id: 'd', field: 'steps[3].parameters.me' },
    ]);
  });

  it('counts a condition branch as upstream of the steps it gates', () => {
    const steps = [agent('a'), { step_id: 'check', step_type: 'condition', condition: { '>': [{ var: 'steps.a.output.score' }, 50] }, depends_on: ['a'], then: ['b'] }, agent('b', { parameters: { s: '{{steps.check.output.result}} {{steps.a.output.score}}' } })];
    expect(validateDefinition(body(...steps), ctx).ok).toBe(true);
  });

  it('refuses prototype segments and malformed templates', () => {
    expect(locations(body(agent('a', { parameters: { p: '{{input.__proto__.x}}', q: '{{input.constructor}}', r: '{{ }}', s: 'a {{input.x', t: '{{input.a b}}' } })))).toEqual([
      { step_id: 'a', field: 'steps[0].parameters.p' },
      { step_id: 'a', field: 'steps[0].parameters.q' },
      { step_id: 'a', field: 'steps[0].parameters.r' },
      { step_id: 'a', field: 'steps[0].parameters.s' },
      { step_id: 'a', field: 'steps[0].parameters.t' },
    ]);
    expect(locations(body(agent('a', { parameters: JSON.parse('{"__proto__": {"polluted": true}}') })))).toEqual([{ step_id: 'a', field: 'steps[0].parameters.__proto__' }]);
  });

  it('allows {{item}} and {{index}} only inside a for_each step', () => {
    const forEach = {
      step_id: 'each',
      step_type: 'for_each',
      depends_on: ['a'],
      items: '{{steps.a.output.leads}}',
      step: { step_id: 'one', step_type: 'http', method: 'POST', url: 'https://example.com/leads/{{index}}', body: { lead: '{{item}}', email: '{{item.email}}' } },
    };
    expect(validateDefinition(body(agent('a'), forEach), ctx).ok).toBe(true);
    expect(locations(body(agent('a', { parameters: { x: '{{item}}', i: '{{index}}' } })))).toEqual([
      { step_id: 'a', field: 'steps[0].parameters.x' },
      { step_id: 'a', field: 'steps[0].parameters.i' },
    ]);
  });

  it('requires for_each items to be a single template', () => {
    const forEach = (items: string) => ({ step_id: 'each', step_type: 'for_each', items, step: { step_id: 'one', step_type: 'http', method: 'GET', url: 'https://example.com' } });
    expect(locations(body(forEach('leads: {{input.leads}}')))).toEqual([{ step_id: 'each', field: 'steps[0].items' }]);
    expect(locations(body(forEach('{{item}}')))).toEqual([{ step_id: 'each', field: 'steps[0].items' }]);
    expect(locations(body(forEach('{{steps.nope.output}}')))).toEqual([{ step_id: 'each', field: 'steps[0].items' }]);
    expect(validateDefinition(body(forEach('{{input.leads}}')), ctx).ok).toBe(true);
  });

  it('reports malformed conditions: unknown operators, non-literal and non-upstream paths', () => {
    const cond = (condition: unknown, extra: Record<string, unknown> = {}) => body(agent('a'), { step_id: 'check', step_type: 'condition', condition, depends_on: ['a'], ...extra }, agent('late'));
    expect(locations(cond({ '>>': [1, 2] }))).toEqual([{ step_id: 'check', field: 'steps[1].condition[">>"]' }]);
    expect(locations(cond({ and: [true, { regex: ['a', 'b'] }] }))).toEqual([{ step_id: 'check', field: 'steps[1].condition.and[1].regex' }]);
    expect(locations(cond({ '==': [{ var: 'steps.late.output' }, 1] }))).toEqual([{ step_id: 'check', field: 'steps[1].condition["=="][0].var' }]);
    expect(locations(cond({ '==': [{ var: 'steps.ghost.output' }, 1] }))).toEqual([{ step_id: 'check', field: 'steps[1].condition["=="][0].var' }]);
    expect(locations(cond({ var: 'secrets.x' }))).toEqual([{ step_id: 'check', field: 'steps[1].condition.var' }]);
    expect(locations(cond({ var: 'input.__proto__' }))).toEqual([{ step_id: 'check', field: 'steps[1].condition.var' }]);
    expect(locations(cond({ var: { cat: ['input.', 'x'] } }))).toEqual([{ step_id: 'check', field: 'steps[1].condition.var' }]);
    expect(locations(cond({ '==': [1, 1], '!=': [1, 2] }))).toEqual([{ step_id: 'check', field: 'steps[1].condition' }]);
    expect(locations(cond('yes'))).toEqual([{ step_id: 'check', field: 'steps[1].condition' }]);
    // Inside map/filter/…, var reads the element: no root rule, but still no prototype walk.
    expect(validateDefinition(cond({ some: [{ var: 'input.leads' }, { '>': [{ var: 'score' }, 50] }] }), ctx).ok).toBe(true);
    expect(locations(cond({ some: [{ var: 'input.leads' }, { var: 'constructor' }] }))).toEqual([{ step_id: 'check', field: 'steps[1].condition.some[1].var' }]);
  });

  it('reports condition branches naming unknown steps, the condition itself, or both branches', () => {
    const cond = (extra: Record<string, unknown>) => body(agent('a'), { step_id: 'check', step_type: 'condition', condition: true, ...extra });
    expect(locations(cond({ then: ['ghost'] }))).toEqual([{ step_id: 'check', field: 'steps[1].then[0]' }]);
    expect(locations(cond({ else: ['check'] }))).toEqual([{ step_id: 'check', field: 'steps[1].else[0]' }]);
    expect(locations(cond({ then: ['a'], else: ['a'] }))).toEqual([{ step_id: 'check', field: 'steps[1].else[0]' }]);
  });

  it('reports timeouts, retries, delays and concurrency out of range', () => {
    expect(locations(body(agent('a', { timeout: 0 })))).toEqual([{ step_id: 'a', field: 'steps[0].timeout' }]);
    expect(locations(body(agent('a', { timeout: 2_592_001 })))).toEqual([{ step_id: 'a', field: 'steps[0].timeout' }]);
    expect(locations(body(agent('a', { retry: { max_attempts: 11 } })))).toEqual([{ step_id: 'a', field: 'steps[0].retry.max_attempts' }]);
    expect(locations(body(agent('a', { retry: { max_attempts: 2, initial_interval: 0.01 } })))).toEqual([{ step_id: 'a', field: 'steps[0].retry.initial_interval' }]);
    expect(locations(body(agent('a', { retry: { max_attempts: 2, backoff_coefficient: 11 } })))).toEqual([{ step_id: 'a', field: 'steps[0].retry.backoff_coefficient' }]);
    expect(locations(body(agent('a', { retry: { max_attempts: 2, max_interval: 86_401 } })))).toEqual([{ step_id: 'a', field: 'steps[0].retry.max_interval' }]);
    expect(locations(body(agent('a', { retry: { max_attempts: 2, initial_interval: 60, max_interval: 10 } })))).toEqual([{ step_id: 'a', field: 'steps[0].retry.max_interval' }]);
    expect(locations(body({ step_id: 'd', step_type: 'delay', duration: 2_592_001 }))).toEqual([{ step_id: 'd', field: 'steps[0].duration' }]);
    const parallel = (extra: Record<string, unknown>) => ({ step_id: 'p', step_type: 'parallel', branches: [{ step_id: 'x', step_type: 'http', method: 'GET', url: 'https://example.com' }], ...extra });
    expect(locations(body(parallel({ max_concurrency: 21 })))).toEqual([{ step_id: 'p', field: 'steps[0].max_concurrency' }]);
    expect(locations(body(parallel({ branches: [] })))).toEqual([{ step_id: 'p', field: 'steps[0].branches' }]);
    const branch = { step_id: 'x', step_type: 'http', method: 'GET', url: 'https://example.com' };
    expect(locations(body(parallel({ branches: [branch, branch] })))).toEqual([{ step_id: 'p', field: 'steps[0].branches[1].step_id' }]);
    expect(locations(body(parallel({ branches: [{ ...branch, depends_on: ['a'] }] })))).toEqual([{ step_id: 'p', field: 'steps[0].branches[0]' }]);
  });

  it('reports http steps with bad methods, long urls and too many headers', () => {
    const http = (extra: Record<string, unknown>) => body({ step_id: 'h', step_type: 'http', method: 'GET', url: 'https://example.com', ...extra });
    expect(locations(http({ method: 'TRACE' }))).toEqual([{ step_id: 'h', field: 'steps[0].method' }]);
    expect(locations(http({ url: `https://example.com/${'a'.repeat(2000)}` }))).toEqual([{ step_id: 'h', field: 'steps[0].url' }]);
    const headers = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`x-h${i}`, 'v']));
    expect(locations(http({ headers }))).toEqual([{ step_id: 'h', field: 'steps[0].headers' }]);
    expect(locations(http({ headers: { 'x-n': 1 } }))).toEqual([{ step_id: 'h', field: 'steps[0].headers["x-n"]' }]);
  });

  it('reports a sub_workflow that runs its own definition, when the id is known', () => {
    const sub = body({ step_id: 'again', step_type: 'sub_workflow', workflow_id: 'wf-1' });
    expect(locations(sub, { ...ctx, workflowId: 'wf-1' })).toEqual([{ step_id: 'again', field: 'steps[0].workflow_id' }]);
    expect(validateDefinition(sub, { ...ctx, workflowId: 'wf-2' }).ok).toBe(true);
    const twins = body({ step_id: 'Child', step_type: 'sub_workflow', workflow_id: 'wf-1' }, { step_id: 'child', step_type: 'sub_workflow', workflow_id: 'wf-1' });
    expect(locations(twins)).toEqual([{ step_id: 'child', field: 'steps[1].step_id' }]);
  });

  it('never throws, whatever it is given', () => {
    const cyclic: Record<string, unknown> = { step_id: 'a', step_type: 'agent_task', agent_type: 'sales', task: 'qualify_lead' };
    cyclic.parameters = { self: cyclic };
    const deep: Record<string, unknown> = {};
    let cursor = deep;
    for (let i = 0; i < 5000; i += 1) cursor = (cursor.x = {}) as Record<string, unknown>;
    const odd: unknown[] = [
      undefined, null, 0, -1, NaN, Infinity, '', 'steps', true, [], [[]], {}, Symbol('s'), () => 1, new Date(), new Map(), BigInt(7),
      { name: 'x', steps: null }, { name: 'x', steps: {} }, { name: 'x', steps: [null, 1, 'a', [], {}] },
      { name: 'x', steps: [{ step_id: 'a', step_type: 'condition', condition: { var: null }, then: [null, 1] }] },
      { name: 'x', steps: [{ step_id: 'a', step_type: 'condition', condition: deep }] },
      { name: 'x', steps: [{ step_id: 'a', step_type: 'agent_task', agent_type: 'sales', task: 'qualify_lead', parameters: deep }] },
      { name: 'x', steps: [cyclic] },
      { name: 'x', steps: [{ step_id: 'a', step_type: 'for_each', items: 5, step: null }] },
      { name: 'x', steps: [{ step_id: 'a', step_type: 'parallel', branches: [{ step_id: 'b', step_type: 'parallel' }] }] },
      { name: 'x', steps: [{ step_id: { toString: () => 'a' }, step_type: 'delay', duration: '5' }] },
      { name: 'x', steps: [{ step_id: 'a', step_type: 'condition', condition: { missing_some: [1, [{ var: 'x' }]] } }] },
      Object.create(null),
      new Proxy({}, { get: () => { throw new Error('trap'); }, ownKeys: () => { throw new Error('trap'); } }),
    ];
    // Plus random structures built from the same atoms.
    let seed = 42;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const atoms = [null, 1, 'x', '{{steps.a.output}}', '{{', true, [], {}, 'agent_task', 'condition', 'for_each', 'parallel', 'a', 'b'];
    const keys = ['name', 'steps', 'step_id', 'step_type', 'depends_on', 'then', 'else', 'condition', 'items', 'step', 'branches', 'parameters', 'agent_type', 'task', 'timeout', 'retry', 'var', '__proto__'];
    const build = (depth: number): unknown => {
      const kind = rand(depth > 4 ? 1 : 3);
      if (kind === 0) return atoms[rand(atoms.length)];
      if (kind === 1) return Array.from({ length: rand(4) }, () => build(depth + 1));
      return Object.fromEntries(Array.from({ length: rand(5) }, () => [keys[rand(keys.length)] as string, build(depth + 1)]));
    };
    for (let i = 0; i < 500; i += 1) odd.push(build(0), { name: 'fuzz', steps: Array.from({ length: 1 + rand(4) }, () => build(1)) });

    for (const input of odd) {
      let result: ReturnType<typeof validateDefinition> | undefined;
      expect(() => (result = validateDefinition(input, ctx))).not.toThrow();
      expect(result?.ok === true || (Array.isArray(result?.errors) && result.errors.length > 0)).toBe(true);
    }
  });
});

describe('templates', () => {
  const context = {
    input: { lead: { email: 'ana@example.com', budget: 50000, tags: ['a', 'b'] } },
    steps: { qualify_lead: { score: 82, grade: 'A' }, empty: null },
  };

  it('keeps the type of a whole-value template and interpolates text', () => {
    expect(renderString('{{input.lead.budget}}', context)).toBe(50000);
    expect(renderString('{{ steps.qualify_lead.output }}', context)).toEqual({ score: 82, grade: 'A' });
    expect(renderString('score {{steps.qualify_lead.output.score}} for {{input.lead.email}}', context)).toBe('score 82 for ana@example.com');
    expect(renderString('tags: {{input.lead.tags}}', context)).toBe('tags: ["a","b"]');
    expect(renderString('plain text', context)).toBe('plain text');
  });

  it('resolves missing paths to null as a value and to empty text inside a string', () => {
    expect(renderString('{{input.lead.phone}}', context)).toBeNull();
    expect(renderString('{{steps.ghost.output.x}}', context)).toBeNull();
    expect(renderString('{{steps.empty.output.x}}', context)).toBeNull();
    expect(renderString('call <{{input.lead.phone}}>', context)).toBe('call <>');
  });

  it('reads items and indexes, and array elements by position', () => {
    expect(renderString('{{item.name}} #{{index}}', { ...context, item: { name: 'Acme' }, index: 3 })).toBe('Acme #3');
    expect(renderString('{{index}}', { ...context, index: 0 })).toBe(0);
    expect(renderString('{{input.lead.tags.1}}', context)).toBe('b');
  });

  it('recurses through objects and arrays', () => {
    expect(renderTemplates({ to: '{{input.lead.email}}', list: ['{{steps.qualify_lead.output.grade}}', 1, { n: '{{input.lead.budget}}' }], keep: true }, context)).toEqual({
      to: 'ana@example.com',
      list: ['A', 1, { n: 50000 }],
      keep: true,
    });
  });

  it('never walks a prototype', () => {
    expect(renderString('{{input.lead.constructor}}', context)).toBeNull();
    expect(renderString('{{input.toString}}', context)).toBeNull();
    expect(renderString('{{input.lead.email.length}}', context)).toBeNull();
    const rendered = renderTemplates(JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}'), context) as Record<string, unknown>;
    expect(rendered).toEqual({ ok: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('conditions', () => {
  const data = { input: { lead: { budget: 50000, country: 'PT' } }, steps: { qualify: { output: { score: 82, tags: ['hot'] } } } };

  it('evaluates JSON Logic over input and step outputs', () => {
    expect(evaluateCondition({ '>=': [{ var: 'steps.qualify.output.score' }, 70] }, data)).toEqual({ ok: true, result: true });
    expect(evaluateCondition({ and: [{ '>': [{ var: 'input.lead.budget' }, 100000] }, true] }, data)).toEqual({ ok: true, result: false });
    expect(evaluateCondition({ in: ['hot', { var: 'steps.qualify.output.tags' }] }, data)).toEqual({ ok: true, result: true });
    expect(evaluateCondition({ '==': [{ var: ['input.lead.missing', 'none'] }, 'none'] }, data)).toEqual({ ok: true, result: true });
    expect(evaluateCondition(false, data)).toEqual({ ok: true, result: false });
    // JSON Logic truthiness: an empty list is false.
    expect(evaluateCondition({ var: 'steps.qualify.output.none' }, data)).toEqual({ ok: true, result: false });
  });

  it('reports, never throws, on a rule it refuses or that fails', () => {
    expect(evaluateCondition({ regex: ['a'] }, data)).toEqual({ ok: false, message: 'regex: unknown JSON Logic operator "regex"' });
    expect(evaluateCondition({ var: 'input.__proto__' }, data).ok).toBe(false);
  });

  it('knows exactly the operators json-logic-js implements', () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined); // the "log" operator logs
    for (const op of JSON_LOGIC_OPERATORS) {
      const args = op === 'missing_some' ? [1, ['input']] : op === 'var' ? ['input'] : [[], { var: '' }];
      expect(() => jsonLogic.apply({ [op]: args } as never, { input: 1 })).not.toThrow(/Unrecognized operation/);
    }
    expect(() => jsonLogic.apply({ regex: [1] } as never, {})).toThrow(/Unrecognized operation/);
    expect(checkCondition({ regex: [1] }).map((p) => p.message)).toEqual(['unknown JSON Logic operator "regex"']);
  });
});

describe('the step graph', () => {
  const steps = [
    { step_id: 'a' },
    { step_id: 'check', step_type: 'condition', depends_on: ['a'], then: ['b'], else: ['c'] },
    { step_id: 'b' },
    { step_id: 'c' },
    { step_id: 'd', depends_on: ['b', 'c'] },
  ];

  it('adds a condition\'s implicit edges and orders the steps', () => {
    const preds = predecessors(steps);
    expect(preds.get('b')).toEqual(['check']);
    const sorted = topologicalOrder(steps.map((s) => s.step_id), preds);
    expect(sorted).toEqual({ ok: true, order: ['a', 'check', 'b', 'c', 'd'] });
    const upstream = upstreamSets(sorted.ok ? sorted.order : [], preds);
    expect([...(upstream.get('d') ?? [])].sort()).toEqual(['a', 'b', 'c', 'check']);
    expect([...(upstream.get('a') ?? [])]).toEqual([]);
  });
});
