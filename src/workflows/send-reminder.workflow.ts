import { log, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { SendReminderInput } from '../contracts';

const { loadReminder, sendReply, markReminderSent } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

/**
 * A reminder on a durable timer: it survives worker restarts and deploys, and fires once.
 * A reminder cancelled before it is due is not sent.
 */
export async function sendReminder(input: SendReminderInput): Promise<{ sent: boolean }> {
  const wait = new Date(input.remindAt).getTime() - Date.now();
  if (wait > 0) await sleep(wait);

  const reminder = await loadReminder({ reminderId: input.reminderId });
  if (!reminder || reminder.status !== 'scheduled') {
    log.info('reminder not sent', { reminderId: input.reminderId, status: reminder?.status ?? 'missing' });
    return { sent: false };
  }
  const text = input.language === 'es' ? `Recordatorio: ${reminder.text}` : `Reminder: ${reminder.text}`;
  await sendReply({
    workflowId: `reminder:${input.reminderId}`,
    chatId: input.chatId,
    channel: input.channel,
    text,
    idempotencyKey: `reminder:${input.reminderId}`,
  });
  await markReminderSent({ reminderId: input.reminderId });
  return { sent: true };
}
