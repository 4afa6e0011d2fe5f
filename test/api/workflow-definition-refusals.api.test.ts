import { randomUUID } from 'node:crypto';
import { getJson, postJson } from '../helpers/api';
import { useApiHarness } from '../helpers/harness';

/**
 * What an admin sees when a definition is refused: a 400 whose `errors` name the step and
 * field of every problem and whose `message` names the first. These are the refusals the
 * other definition tests do not reach: conditions of every malformed shape, templates that
 * read a step's wrong field, values past the size bounds, a malformed If-Match, and an agent
 * that offers no tasks at all.
 */

interface DefinitionError {
  step_id?: string;
  field: string;
  message: string;
}

async function put(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** A definition whose second step is a condition over `rule`, after a step it may read. */
const withCondition = (rule: unknown) => ({
  name: 'gate',
  steps: [
    { step_id: 'score', step_type: 'agent_task', agent_type: 'lead', task: 'score_lead', parameters: { text: '{{input.text}}' } },
    { step_id: 'gate', step_type: 'condition', depends_on: ['score'], condition: rule, then: ['after'] },
    { step_id: 'after', step_type: 'delay', duration: 1 },
    { step_id: 'side', step_type: 'delay', duration: 1 },
  ],
});

/** Nests `leaf` `levels` deep in single-key objects. */
function nested(levels: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = { n: value };
  return value;
}

describe('workflow definitions: refusals name the step and field', () => {
  const h = useApiHarness({ name: 'api-wfdef-refusals' });
  const url = (path: string) => `${h.api.baseUrl}${path}`;

  async function refused(body: unknown): Promise<{ message: string; errors: DefinitionError[] }> {
    const res = await postJson(url('/api/v1/workflows'), body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    return res.body;
  }

  describe('conditions', () => {
    it.each([
      ['an operation with two operator keys', { '==': [1, 1], '!=': [1, 2] }, 'steps[1].condition', /exactly one operator key/],
      ['a list inside the rule holding an unknown operator', { in: ['x', [{ shout: 'x' }]] }, 'steps[1].condition.in[1][0].shout', /unknown JSON Logic operator "shout"/],
      ['var with a number path at the top level', { var: 1 }, 'steps[1].condition.var', /starts with "input" or "steps"/],
      ['var with an empty path', { var: '' }, 'steps[1].condition.var', /empty var path reads the whole data/],
      ['var with no path at all', { var: [] }, 'steps[1].condition.var[0]', /empty var path/],
      ['var with three arguments', { var: ['input.a', 1, 2] }, 'steps[1].condition.var', /a path and an optional default/],
      ['var whose default reads outside the data', { var: ['input.a', { var: 'secrets' }] }, 'steps[1].condition.var[1].var', /must start with "input" or "steps"/],
      ['var whose path is computed', { var: { cat: ['in', 'put.a'] } }, 'steps[1].condition.var', /must be a literal string/],
      ['a path through a prototype', { var: 'input.constructor' }, 'steps[1].condition.var', /"constructor" is not allowed/],
      ['a path that names no step', { var: 'steps' }, 'steps[1].condition.var', /must name a step: steps.<step_id>.output/],
      ['a path to a step field other than output', { var: 'steps.score.attempts' }, 'steps[1].condition.var', /reads a step's output: steps.score.output/],
      ['a path to an unknown step', { var: 'steps.ghost.output' }, 'steps[1].condition.var', /unknown step "ghost"/],
      ['a path to a step that is not upstream', { var: 'steps.side.output' }, 'steps[1].condition.var', /"side", which is not upstream/],
      ['missing with a list of paths, one outside the data', { missing: [['input.a', 'env.HOME']] }, 'steps[1].condition.missing[0][1]', /must start with "input" or "steps"/],
      ['missing with paths as arguments, one not a string', { missing: ['input.a', true] }, 'steps[1].condition.missing[1]', /must be a literal string/],
      ['missing_some without a count', { missing_some: ['1', ['input.a']] }, 'steps[1].condition.missing_some', /missing_some takes \[count, \[paths\]\]/],
      ['missing_some with a path outside the data', { missing_some: [1, ['input.a', 'other.b']] }, 'steps[1].condition.missing_some[1][1]', /must start with "input" or "steps"/],
      ['reduce whose initial value reads outside the data', { reduce: [{ var: 'input.nums' }, { '+': [{ var: 'current' }, { var: 'accumulator' }] }, { var: 'total' }] }, 'steps[1].condition.reduce[2].var', /must start with "input" or "steps"/],
      ['map whose list is read from outside the data', { map: [{ var: 'items' }, { var: '' }] }, 'steps[1].condition.map[0].var', /must start with "input" or "steps"/],
    ])('refuses %s', async (_what, rule, field, message) => {
      const body = await refused(withCondition(rule));
      expect(body.errors).toContainEqual({ step_id: 'gate', field, message: expect.stringMatching(message) });
      expect(body.message).toMatch(new RegExp(`^step gate, ${field.replace(/[[\].]/g, '\\$&')}: `));
    });

    it('refuses a rule of more than 2000 nodes once, not once per extra node', async () => {
      // Lists of at most 1000 elements (the bound on any list), 2700 nodes in all.
      const third = () => ({ and: Array.from({ length: 900 }, () => true) });
      const body = await refused(withCondition({ and: [third(), third(), third()] }));
      expect(body.errors).toEqual([{ step_id: 'gate', field: expect.stringMatching(/^steps\[1\]\.condition\.and\[2\]\.and\[\d+\]$/), message: 'rule has more than 2000 nodes' }]);
    });

    it('accepts inside map, filter, reduce, all, none and some the paths that read each element', async () => {
      const rule = {
        and: [
          { some: [{ var: 'input.items' }, { '==': [{ var: '' }, 3] }] },
          { all: [{ var: 'input.items' }, { '>': [{ var: 0 }, 0] }] },
          { none: [{ var: 'steps.score.output.signals' }, { in: ['spam', { var: '' }] }] },
          { filter: [{ var: 'input.items' }, { var: 'active' }] },
          { map: [{ var: 'input.items' }, { '*': [{ var: '' }, 2] }, 'ignored'] },
          { '>': [{ reduce: [{ var: 'input.items' }, { '+': [{ var: 'current' }, { var: 'accumulator' }] }, 0] }, 1] },
          { missing: ['input.a', 'steps.score.output.grade'] },
          { missing_some: [1, ['input.a', 'input.b']] },
          { var: ['input.flag', true] },
        ],
      };
      const res = await postJson(url('/api/v1/workflows'), withCondition(rule));
      expect(res.status).toBe(201);
      expect(res.body.steps[1].condition).toEqual(rule);
    });
  });

  describe('templates and agents', () => {
    it.each([
      ['a step read without .output', '{{steps.score}}', /must read a step's output: steps.<step_id>.output/],
      ['a step field other than output', '{{steps.score.result.grade}}', /must read a step's output/],
    ])('refuses %s', async (_what, template, message) => {
      const body = await refused({
        name: 'templates',
        steps: [
          { step_id: 'score', step_type: 'agent_task', agent_type: 'lead', task: 'score_lead', parameters: { text: 'x' } },
          { step_id: 'use', step_type: 'agent_task', agent_type: 'lead', task: 'score_lead', depends_on: ['score'], parameters: { text: template } },
        ],
      });
      expect(body.errors).toEqual([{ step_id: 'use', field: 'steps[1].parameters.text', message: expect.stringMatching(message) }]);
    });

    it('refuses {{index}} with fields inside a for_each step', async () => {
      const body = await refused({
        name: 'index fields',
        steps: [{ step_id: 'each', step_type: 'for_each', items: '{{input.texts}}', step: { step_id: 'one', step_type: 'agent_task', agent_type: 'lead', task: 'score_lead', parameters: { text: '{{item}} #{{index.value}}' } } }],
      });
      expect(body.errors).toEqual([{ step_id: 'each', field: 'steps[0].step.parameters.text', message: expect.stringMatching(/index is a number and has no fields/) }]);
    });

    it('names an agent that offers no tasks to workflows without listing any', async () => {
      const body = await refused({ name: 'appointments', steps: [{ step_id: 'book', step_type: 'agent_task', agent_type: 'appointment', task: 'book_slot' }] });
      expect(body.errors).toEqual([{ step_id: 'book', field: 'steps[0].task', message: 'agent "appointment" has no task "book_slot"' }]);
    });
  });

  describe('sizes', () => {
    it('refuses parameters nested deeper than 20 levels, naming where', async () => {
      const body = await refused({ name: 'deep', steps: [{ step_id: 'a', step_type: 'agent_task', agent_type: 'lead', task: 'score_lead', parameters: { text: 'x', extra: nested(21) } }] });
      expect(body.errors).toEqual([expect.objectContaining({ step_id: 'a', message: 'nested deeper than 20' })]);
      expect(body.errors[0].field).toMatch(/^steps\[0\]\.parameters\.extra(\.n)+$/);
    });

    it('refuses a list over 1000 elements, a string over 100000 characters and an object over 200 keys', async () => {
      const wide = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`k${i}`, i]));
      const body = await refused({
        name: 'big',
        steps: [
          { step_id: 'list', step_type: 'http', method: 'POST', url: 'https://api.example.com/x', body: Array.from({ length: 1001 }, () => 0) },
          { step_id: 'text', step_type: 'http', method: 'POST', url: 'https://api.example.com/x', body: 'y'.repeat(100_001) },
          { step_id: 'wide', step_type: 'agent_task', agent_type: 'lead', task: 'score_lead', parameters: { text: 'x', wide } },
        ],
      });
      expect(body.errors).toEqual([
        { step_id: 'list', field: 'steps[0].body', message: 'lists have at most 1000 elements' },
        { step_id: 'text', field: 'steps[1].body', message: 'strings are at most 100000 characters' },
        { step_id: 'wide', field: 'steps[2].parameters.wide', message: 'objects have at most 200 keys' },
      ]);
      expect(body.message).toBe('step list, steps[0].body: lists have at most 1000 elements (and 2 more problems)');
    });

    it('stops listing size problems at 20', async () => {
      const steps = Array.from({ length: 25 }, (_, i) => ({ step_id: `s${i}`, step_type: 'agent_task', agent_type: 'lead', task: 'score_lead', parameters: { text: 'x', deep: nested(21) } }));
      const body = await refused({ name: 'many deep', steps });
      expect(body.errors).toHaveLength(20);
      expect(body.errors.map((e) => e.step_id)).toEqual(steps.slice(0, 20).map((s) => s.step_id));
      expect(body.message).toMatch(/\(and 19 more problems\)$/);
    });

    it('says "1 more problem" when there are exactly two', async () => {
      const body = await refused({ name: 'two', steps: [{ step_id: 'a', step_type: 'delay', duration: 0 }, { step_id: 'b', step_type: 'delay', duration: 0 }] });
      expect(body.errors).toHaveLength(2);
      expect(body.message).toMatch(/^step a, steps\[0\]\.duration: .+ \(and 1 more problem\)$/);
    });
  });

  describe('updates', () => {
    it('refuses an If-Match that is not a version number, and writes nothing', async () => {
      const created = await postJson(url('/api/v1/workflows'), { name: 'v1', steps: [{ step_id: 'wait', step_type: 'delay', duration: 5 }] });
      expect(created.status).toBe(201);
      const id = created.body.workflow_id as string;
      const bad = await put(url(`/api/v1/workflows/${id}`), { name: 'v2', steps: [{ step_id: 'wait', step_type: 'delay', duration: 6 }] }, { 'if-match': 'v1-etag' });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/^If-Match: must be the version number/);
      expect((await getJson(url(`/api/v1/workflows/${id}`))).body).toMatchObject({ version: 1, name: 'v1' });

      // `*` and a weak tag are accepted; an update without a description clears it.
      const star = await put(url(`/api/v1/workflows/${id}`), { name: 'v2', steps: [{ step_id: 'wait', step_type: 'delay', duration: 6 }] }, { 'if-match': '*' });
      expect(star.status).toBe(200);
      expect(star.body).toMatchObject({ version: 2, description: null });
      const weak = await put(url(`/api/v1/workflows/${id}`), { name: 'v3', description: 'weak tag', steps: [{ step_id: 'wait', step_type: 'delay', duration: 7 }] }, { 'if-match': 'W/"2"' });
      expect(weak.status).toBe(200);
      expect(weak.body).toMatchObject({ version: 3, description: 'weak tag', created_at: created.body.created_at });
    });

    it('gives concurrent unconditional edits distinct versions, refusing with 409 any that lost the race', async () => {
      const created = await postJson(url('/api/v1/workflows'), { name: 'raced', steps: [{ step_id: 'wait', step_type: 'delay', duration: 1 }] });
      const id = created.body.workflow_id as string;
      const edits = await Promise.all(
        Array.from({ length: 6 }, (_, i) => put(url(`/api/v1/workflows/${id}`), { name: `edit ${i}`, steps: [{ step_id: 'wait', step_type: 'delay', duration: i + 2 }] })),
      );
      const won = edits.filter((e) => e.status === 200);
      const lost = edits.filter((e) => e.status === 409);
      expect(won.length + lost.length).toBe(edits.length);
      expect(won.length).toBeGreaterThanOrEqual(1);
      for (const e of lost) expect(e.body.message).toMatch(new RegExp(`^id: workflow ${id} was changed at the same time \\(version \\d+ exists\\); read it and retry$`));
      const versions = won.map((e) => e.body.version as number).sort((a, b) => a - b);
      expect(new Set(versions).size).toBe(versions.length);
      const latest = await getJson(url(`/api/v1/workflows/${id}`));
      expect(latest.body.version).toBe(1 + won.length);
      expect(won.map((e) => e.body.name)).toContain(latest.body.name);
    });

    it('refuses a definition that does not exist yet with 404, whatever the body', async () => {
      const res = await put(url(`/api/v1/workflows/${randomUUID()}`), { name: 'x', steps: [] });
      expect(res.status).toBe(404);
      expect(res.body.message).toMatch(/^id: no workflow /);
    });
  });
});
