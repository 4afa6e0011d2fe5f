import { MockActivityEnvironment } from '@temporalio/testing';
import { createReplyActivities } from '../../src/activities/replies';
import { OutboundMessage } from '../../src/persistence';
import { openTestDatabase, type TestDatabase } from '../helpers/database';

describe('sendReply activity', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.close());

  it('records a reply once however often it is retried', async () => {
    const { sendReply } = createReplyActivities(database.db);
    const env = new MockActivityEnvironment();
    const input = { workflowId: 'msg:whatsapp:r1', chatId: 'c1', channel: 'whatsapp' as const, text: 'hi there', idempotencyKey: 'msg:whatsapp:r1:reply' };
    const first = await env.run(sendReply, input);
    const retried = await env.run(sendReply, { ...input, text: 'a regenerated text' });
    expect(retried).toEqual(first);
    const rows = await database.db.getRepository(OutboundMessage).findBy({ workflowId: 'msg:whatsapp:r1' });
    expect(rows).toHaveLength(1);
    expect(rows[0].body).toBe('hi there');
  });

  it('keeps replies with different keys apart', async () => {
    const { sendReply } = createReplyActivities(database.db);
    const env = new MockActivityEnvironment();
    const base = { workflowId: 'msg:whatsapp:r2', chatId: 'c2', channel: 'whatsapp' as const, text: 'x' };
    await Promise.all([
      env.run(sendReply, { ...base, idempotencyKey: 'msg:whatsapp:r2:reply' }),
      env.run(sendReply, { ...base, idempotencyKey: 'msg:whatsapp:r2:reply' }),
      env.run(sendReply, { ...base, idempotencyKey: 'msg:whatsapp:r2:follow-up-1' }),
    ]);
    expect(await database.db.getRepository(OutboundMessage).countBy({ workflowId: 'msg:whatsapp:r2' })).toBe(2);
  });
});
