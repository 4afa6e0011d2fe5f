import { randomUUID } from 'node:crypto';
import { getStatusQuery, messageWorkflowId, type HandleMessageInput } from '../../src/contracts';
import type { handleMessage } from '../../src/workflows';
import { eventually, postJson } from '../helpers/api';
import { useApiHarness } from '../helpers/harness';

/**
 * A person's reply or close sent to a message that is running but not with a person
 * (Nest over HTTP + worker + dev server + SQLite): the conflict is a 409 that says why.
 */
describe('handoff replies and closes to a message no person holds', () => {
  const h = useApiHarness({ name: 'api-handoff-conflicts' });
  const url = (path: string) => `${h.api.baseUrl}${path}`;

  it('answers 409 naming why, for a message still waiting for its turn', async () => {
    // Started as the API starts a message, but its conversation has not heard of it yet: it waits for its turn.
    const input: HandleMessageInput = { chatId: `conflict-${randomUUID().slice(0, 8)}@c.us`, messageId: randomUUID(), channel: 'whatsapp', body: 'Hello', handedOver: true };
    const workflowId = messageWorkflowId('whatsapp', input.messageId);
    const handle = await h.ctx.client.workflow.start<typeof handleMessage>('handleMessage', { workflowId, taskQueue: h.taskQueue, args: [input] });
    try {
      await eventually(() => handle.query(getStatusQuery), (s) => s.step === 'queued');
      const reply = await postJson(url(`/api/handoffs/${encodeURIComponent(workflowId)}/reply`), { text: 'Hi, Maria here.', operator: 'maria' });
      expect(reply.status).toBe(409);
      expect(reply.body).toEqual({ statusCode: 409, error: 'Conflict', message: 'workflowId: this conversation is not waiting for a person' });
      const close = await postJson(url(`/api/handoffs/${encodeURIComponent(workflowId)}/close`), { operator: 'maria' });
      expect(close.status).toBe(409);
      expect(close.body).toEqual({ statusCode: 409, error: 'Conflict', message: 'workflowId: this conversation is not with a person' });
      expect((await handle.describe()).status.name).toBe('RUNNING');
    } finally {
      await handle.terminate('test over');
    }
  });
});
