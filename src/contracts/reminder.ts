import type { Channel } from '../domain/channels';

/** Input of `sendReminder`: one scheduled reminder, fired on a durable timer. */
export interface SendReminderInput {
  reminderId: string;
  chatId: string;
  channel: Channel;
  /** ISO-8601 instant the reminder is due. */
  remindAt: string;
  language: string;
}

export function reminderWorkflowId(reminderId: string): string {
  return `reminder:${reminderId}`;
}
