import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { FollowUpPurpose } from '../../contracts/follow-up';
import type { PendingQuestion } from '../../domain/questions';
import { jsonText } from './json-column';

/**
 * Per-chat memory that spans messages: the last clarifying question, the last inbound
 * message, and the state the chat's conversation workflow last projected (its language,
 * last agent, the question waiting for an answer, the handoff holding it). Temporal holds
 * the live state; this row serves the API's lists and a conversation that starts again.
 */
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

  @Column({ type: 'varchar', length: 32, nullable: true })
  channel!: string | null;

  @Column({ type: 'varchar', length: 8, nullable: true })
  language!: string | null;

  @Column({ name: 'last_agent', type: 'varchar', length: 32, nullable: true })
  lastAgent!: string | null;

  @Column({ type: 'text', transformer: jsonText, nullable: true })
  pending!: PendingQuestion | null;

  @Column({ name: 'handoff_workflow_id', type: 'varchar', length: 512, nullable: true })
  handoffWorkflowId!: string | null;

  @Column({ name: 'handoff_status', type: 'varchar', length: 16, nullable: true })
  handoffStatus!: 'waiting' | 'answered' | null;

  /** Follow-up campaigns the chat's turns started: the ones a new message calls off. */
  @Column({ type: 'text', transformer: jsonText, nullable: true })
  campaigns!: FollowUpPurpose[] | null;

  @Column({ type: 'integer', default: 0 })
  turns!: number;

  @Column({ name: 'last_message_at', type: Date, nullable: true })
  lastMessageAt!: Date | null;

  @Column({ name: 'updated_at', type: Date, nullable: true })
  updatedAt!: Date | null;
}
