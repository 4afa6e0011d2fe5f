import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Per-chat memory that spans messages: the last clarifying question, the last inbound message. */
@Entity({ name: 'conversations' })
export class Conversation {
  @PrimaryColumn({ name: 'chat_id', type: 'varchar', length: 128 })
  chatId!: string;

  @Column({ name: 'last_clarification_at', type: Date, nullable: true })
  lastClarificationAt!: Date | null;

  /** The message that asked it, so a retried activity recognises its own write. */
  @Column({ name: 'last_clarification_workflow_id', type: 'varchar', length: 512, nullable: true })
  lastClarificationWorkflowId!: string | null;

  /** The customer's last message: WhatsApp allows free-form replies only within 24 hours of it. */
  @Column({ name: 'last_inbound_at', type: Date, nullable: true })
  lastInboundAt!: Date | null;
}
