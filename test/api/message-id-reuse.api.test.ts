import { randomUUID } from 'node:crypto';
import { getJson, postJson } from '../helpers/api';
import { useApiHarness } from '../helpers/harness';

/**
 * A message id names one message. The same id posted again with the same content is a
 * redelivery (202, duplicate); with another chat or text (or, from a webhook, another attachment) it is a mistake the
 * caller must hear about (409 naming what differs), and the first content is kept.
 */
describe('a message id reused with different content', () => {
  const h = useApiHarness({ name: 'api-id-reuse' });
  const url = (path: string) => `${h.api.baseUrl}${path}`;

  function message(over: Record<string, unknown> = {}) {
    return { chatId: `reuse-${randomUUID().slice(0, 8)}@c.us`, id: `r_${randomUUID()}`, body: 'What are your opening hours?', ...over };
  }

  it('answers a redelivery of the same content as a duplicate', async () => {
    const msg = message();
    const first = await postJson(url('/api/messages'), msg);
    const again = await postJson(url('/api/messages'), { ...msg, senderName: 'Ana' });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ workflowId: first.body.workflowId, duplicate: true });
  });

  it.each([
    ['body', { body: 'Cancel my order please' }],
    ['chatId', { chatId: 'someone-else@c.us' }],
  ])('refuses the same id with a different %s, and keeps the first content', async (field, change) => {
    const msg = message();
    const first = await postJson(url('/api/messages'), msg);
    expect(first.status).toBe(202);
    const reused = await postJson(url('/api/messages'), { ...msg, ...change });
    expect(reused.status).toBe(409);
    expect(reused.body.message).toBe(`id: message ${msg.id} was already received with a different ${field}; the first one is kept (a new message needs a new id)`);
    // The first message is the one that runs, as it was sent.
    const view = await getJson(url(`/api/messages/${encodeURIComponent(first.body.workflowId)}`));
    expect(view.body.chatId).toBe(msg.chatId);
    const conversation = await getJson(url(`/api/conversations/${encodeURIComponent(msg.chatId)}`));
    expect(conversation.body.messages.filter((m: { direction: string }) => m.direction === 'in').map((m: { text: string }) => m.text)).not.toContain('Cancel my order please');
  });
});
