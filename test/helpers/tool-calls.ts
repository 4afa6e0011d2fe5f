import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createToolActivities } from '../../src/activities/tools';
import type { CallToolInput } from '../../src/contracts';
import type { AgentName } from '../../src/domain/agent-registry';
import { getKnowledgeBase } from '../../src/knowledge';
import { seedDemoData } from '../../src/persistence/seed/demo-data';
import { BUSINESS, NOW } from './agent-dialogue';
import { openTestDatabase, type DatabaseKind, type TestDatabase } from './database';

/** The `callTool` activity as the worker builds it, over a test database (refunds above $100.00 wait for a person). */
export function testCallTool(db: DataSource): ReturnType<typeof createToolActivities>['callTool'] {
  return createToolActivities({ db, knowledgeBase: getKnowledgeBase(), business: BUSINESS, refundApprovalAboveCents: 10_000 }).callTool;
}

/**
 * A model's call of a tool, as the agent loop passes it to `callTool`: `agent`'s, in a chat
 * and a message workflow of its own, "now" being `NOW`; arguments given as objects are sent
 * as the JSON text a model writes, strings as they are.
 */
export function toolCallInput(agent: AgentName, call: { name: string; arguments: unknown; id?: string }, over: Partial<CallToolInput> = {}): CallToolInput {
  return {
    workflowId: `msg:whatsapp:${randomUUID()}`,
    chatId: `${randomUUID().slice(0, 8)}@c.us`,
    channel: 'whatsapp',
    agent,
    language: 'en',
    receivedAt: NOW,
    call: { id: call.id ?? `call_${randomUUID().slice(0, 8)}`, name: call.name, arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments) },
    ...over,
  };
}

type CallTool = ReturnType<typeof createToolActivities>['callTool'];

/**
 * A tool test file's rig on one database: opened (with the demo data as of `NOW` when
 * `seed`) before the file's tests and closed after them; `callTool` is the activity over it.
 */
export function useToolDatabase(kind: DatabaseKind, options: { seed?: boolean } = {}): { database: TestDatabase; callTool: CallTool } {
  const rig = {} as { database: TestDatabase; inner: CallTool };
  beforeAll(async () => {
    rig.database = await openTestDatabase(kind);
    if (options.seed) await seedDemoData(rig.database.db, new Date(NOW));
    rig.inner = testCallTool(rig.database.db);
  });
  afterAll(async () => {
    await rig.database?.close();
  });
  return {
    get database() {
      return rig.database;
    },
    callTool: (input) => rig.inner(input),
  };
}

/** `toolCallInput` for one agent's calls. */
export function toolCallsOf(agent: AgentName): (call: { name: string; arguments: unknown; id?: string }, over?: Partial<CallToolInput>) => CallToolInput {
  return (call, over = {}) => toolCallInput(agent, call, over);
}
