import { randomUUID } from 'node:crypto';
import { messageWorkflowId, type HandleMessageInput } from '../../src/contracts';
import { Appointment, OutboundMessage } from '../../src/persistence';
import { ToolCallRecord } from '../../src/persistence/entities/tool-call.entity';
import type { handleMessage } from '../../src/workflows';
import { databaseEnv } from '../helpers/database';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/openai-server';
import { startTestWorker } from '../helpers/temporal';
import { spawnWorker, useCrashRig } from '../helpers/worker-process';

/**
 * A worker killed in the middle of an agent's loop, after its model booked a slot and while
 * the model writes the answer: another worker finishes the turn from the history, with the
 * one booking the first made (the booking is not asked for, or made, again) and one reply.
 */
describe('a worker killed mid-loop in LLM mode', () => {
  let provider: FakeOpenAiServer;

  const rig = useCrashRig('wf-tools-crash');
  beforeAll(async () => {
    provider = await startFakeOpenAiServer();
  });
  afterAll(async () => {
    await provider?.stop();
  });

  it('resumes after the booking with one booking, one ledger row and one reply', async () => {
    const { ctx, database, taskQueue } = rig;
    const llmEnv = { OPENAI_BASE_URL: provider.baseUrl, OPENAI_MODEL: 'switchboard-test-model', LLM_TIMEOUT_MS: '5000' };
    let held!: () => void;
    const heldNow = new Promise<void>((resolve) => (held = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let answered = 0;
    provider.setDefault({
      from: (request: { tools?: unknown[]; messages: Array<{ role: string; content: string | null }> }) => {
        if (!request.tools?.length) return { content: 'Thanks, noted.' };
        const results = request.messages.filter((m) => m.role === 'tool').map((m) => JSON.parse(m.content ?? 'null'));
        if (results.length === 0) return { toolCalls: [{ id: 'call_free', name: 'find_free_slots', arguments: {} }] };
        if (results.length === 1) return { toolCalls: [{ id: 'call_book', name: 'book_slot', arguments: { start: results[0].slots[0].start } }] };
        const text = { content: `Booked, reference ${results[1].booked.reference}.` };
        answered += 1;
        // The first worker's request is held until it is dead; the retry is answered.
        return answered === 1 ? { hold: released, then: text, onHeld: held } : text;
      },
    });

    rig.doomed = spawnWorker({ TEMPORAL_ADDRESS: ctx.address, TEMPORAL_TASK_QUEUE: taskQueue, ...databaseEnv(database), ...llmEnv });
    const message: HandleMessageInput = { chatId: `crash-${randomUUID().slice(0, 6)}@c.us`, messageId: randomUUID(), channel: 'whatsapp', body: 'I want to book an appointment please', llm: true };
    const handle = await ctx.client.workflow.start<typeof handleMessage>('handleMessage', { workflowId: messageWorkflowId('whatsapp', message.messageId), taskQueue, args: [message] });

    await heldNow;
    expect(await database.db.getRepository(Appointment).countBy({ chatId: message.chatId })).toBe(1);
    rig.doomed.kill('SIGKILL');
    await new Promise((resolve) => rig.doomed!.once('exit', resolve));
    release();

    rig.replacement = await startTestWorker(ctx, taskQueue, database.db, llmEnv);
    const result = await handle.result();
    const bookings = await database.db.getRepository(Appointment).findBy({ chatId: message.chatId });
    expect(bookings).toHaveLength(1);
    expect(await database.db.getRepository(ToolCallRecord).countBy({ workflowId: handle.workflowId })).toBe(1);
    expect(result.reply!.text).toMatch(/^Booked, reference [0-9A-F]{8}\.$/);
    expect(result.toolCalls!.map((c) => c.name)).toEqual(['find_free_slots', 'book_slot']);
    const sent = await database.db.getRepository(OutboundMessage).findBy({ workflowId: handle.workflowId });
    expect(sent.map((m) => m.body)).toEqual([result.reply!.text]);
    // Only the model's answer was asked again: the tools each ran once in history.
    const history = await handle.fetchHistory();
    const toolRuns = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'callTool');
    expect(toolRuns).toHaveLength(2);
  }, 120_000);
});
