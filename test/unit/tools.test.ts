import { randomUUID } from 'node:crypto';
import { toolDefinitionsFor } from '../../src/activities/tools';
import { AGENTS } from '../../src/domain/agent-registry';
import { Appointment, Order } from '../../src/persistence';
import { ToolCallRecord } from '../../src/persistence/entities/tool-call.entity';
import { NOW } from '../helpers/agent-dialogue';
import { databaseKinds } from '../helpers/database';
import { toolCallsOf, useToolDatabase } from '../helpers/tool-calls';

/**
 * The tools the agents' models call (`callTool`), as activities: what a model may call, how
 * bad arguments are answered, that an effect happens once per call however often the
 * activity runs, that a chat sees only its own data, and which calls wait for a person.
 */
describe.each(databaseKinds())('agent tools on %s', (kind) => {
  const tools = useToolDatabase(kind);
  const { callTool } = tools;

  beforeEach(async () => {
    await tools.database.db.getRepository(Appointment).clear();
  });

  const input = toolCallsOf('appointment');

  it('offers every agent with tools closed JSON schemas, and lists only tools that exist', () => {
    for (const agent of AGENTS.filter((a) => (a.tools?.length ?? 0) > 0)) {
      const defs = toolDefinitionsFor(agent.name);
      expect(defs.map((d) => d.function.name)).toEqual(agent.tools);
      for (const def of defs) {
        expect(def.function.parameters).toMatchObject({ type: 'object', additionalProperties: false });
        expect(def.function.description!.length).toBeGreaterThan(20);
      }
    }
  });

  it('books once per call id, however many times the activity runs, and answers each run alike', async () => {
    const base = input({ name: 'book_slot', arguments: { start: '2026-11-30T10:00' } });
    const first = await callTool(base);
    const again = await callTool(base);
    const racing = await Promise.all([callTool(base), callTool(base)]);
    expect(first).toMatchObject({ status: 'done', effect: true });
    for (const o of [again, ...racing]) expect(o).toEqual(first);
    expect(await tools.database.db.getRepository(Appointment).countBy({ chatId: base.chatId })).toBe(1);
    expect(await tools.database.db.getRepository(ToolCallRecord).countBy({ key: `${base.workflowId}:${base.call.id}` })).toBe(1);
    // Another call id is another booking attempt: the slot is taken, other slots are offered.
    const other = await callTool({ ...base, call: { ...base.call, id: 'call_second' } });
    expect(other).toMatchObject({ status: 'failed', error: '2026-11-30 10:00 is already taken' });
    expect(JSON.parse(other.content).free_slots.length).toBeGreaterThan(0);
  });

  it('answers bad arguments as invalid, naming the field, and does nothing', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ start: 'tomorrow at 10' }, /^start: /],
      [{}, /^start: required/],
      [{ start: '2026-11-30T10:00', colour: 'blue' }, /colour: unknown field/],
      ['{not json', /^arguments: not valid JSON$/],
      [[1, 2], /^arguments: expected a JSON object$/],
    ];
    for (const [args, expected] of cases) {
      const outcome = await callTool(input({ name: 'book_slot', arguments: args }));
      expect(outcome).toMatchObject({ status: 'invalid', error: expect.stringMatching(expected) });
    }
    expect(await tools.database.db.getRepository(Appointment).count()).toBe(0);
  });

  it("refuses a tool that is not the agent's, and one that does not exist", async () => {
    const foreign = await callTool(input({ name: 'cancel_order', arguments: { order_number: 'X1' } }));
    expect(foreign).toMatchObject({ status: 'invalid', error: 'cancel_order is not a tool of the appointment agent' });
    const unknown = await callTool(input({ name: 'drop_tables', arguments: {} }));
    expect(unknown).toMatchObject({ status: 'invalid', error: 'there is no tool drop_tables' });
  });

  it("never shows or changes another chat's order: its number is not found", async () => {
    const owner = `${randomUUID().slice(0, 8)}@c.us`;
    const id = `ORD-U${randomUUID().slice(0, 6).toUpperCase()}`;
    await tools.database.db.getRepository(Order).insert({
      id, chatId: owner, status: 'processing', items: [{ sku: 'YOGA-MAT', name: 'Yoga mat', quantity: 1, priceCents: 2999 }], totalCents: 2999, currency: 'USD',
      carrier: null, trackingNumber: null, orderedAt: new Date(NOW), shippedAt: null, deliveredAt: null, estimatedDelivery: null,
    } as Order);
    const lookup = await callTool(input({ name: 'lookup_order', arguments: { order_number: id } }, { agent: 'order' }));
    expect(lookup.status).toBe('failed');
    expect(lookup.content).not.toContain('Yoga mat');
    const cancel = await callTool(input({ name: 'cancel_order', arguments: { order_number: id } }, { agent: 'returns' }));
    expect(cancel.status).toBe('failed');
    expect((await tools.database.db.getRepository(Order).findOneBy({ id }))!.status).toBe('processing');
    // The owner's own call waits for a person before anything happens.
    const own = await callTool(input({ name: 'cancel_order', arguments: { order_number: id } }, { agent: 'returns', chatId: owner }));
    expect(own).toMatchObject({ status: 'needs_approval', reason: `cancelling order ${id} needs a person's approval` });
    expect((await tools.database.db.getRepository(Order).findOneBy({ id }))!.status).toBe('processing');
  });
});
