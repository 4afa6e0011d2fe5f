import type { DataSource } from 'typeorm';
import { Reminder } from '../persistence/entities/reminder.entity';

export function createReminderActivities(db: DataSource) {
  const repo = db.getRepository(Reminder);
  return {
    /** The reminder as stored: a reminder cancelled meanwhile is not sent. */
    async loadReminder(input: { reminderId: string }): Promise<Pick<Reminder, 'id' | 'chatId' | 'channel' | 'text' | 'status'> | null> {
      return repo.findOne({ where: { id: input.reminderId }, select: { id: true, chatId: true, channel: true, text: true, status: true } });
    },
    async markReminderSent(input: { reminderId: string }): Promise<void> {
      await repo.update({ id: input.reminderId }, { status: 'sent' });
    },
  };
}
