import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'reminders' })
export class Reminder {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'chat_id', type: 'varchar', length: 128 })
  chatId!: string;

  @Column({ type: 'varchar', length: 32 })
  channel!: string;

  @Column({ type: 'text' })
  text!: string;

  @Column({ name: 'remind_at', type: Date })
  remindAt!: Date;

  @Column({ type: 'varchar', length: 16 })
  status!: 'scheduled' | 'sent' | 'cancelled';

  /** The message workflow that asked for it; the timer workflow is `reminder:<this>`. */
  @Column({ name: 'workflow_id', type: 'varchar', length: 512, unique: true })
  workflowId!: string;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}
