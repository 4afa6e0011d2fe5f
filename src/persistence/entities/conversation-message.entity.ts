import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { jsonText } from './json-column';

export type MessageDirection = 'in' | 'out';
/** What wrote an outbound message: an agent's reply, a person, a follow-up step, a reminder, a notice. */
export type TranscriptKind = 'message' | 'reply' | 'operator' | 'follow_up' | 'reminder' | 'notice';

/**
 * The transcript: one row per message in or out of a chat, written idempotently by the
 * workflows (`message_key` is the message workflow's `:in` key or the outbound ledger's key),
 * read by `GET /api/conversations/:chatId` oldest first. Delivery status is the outbound
 * ledger's, joined through `outbound_id`, so it is never copied twice.
 */
@Entity({ name: 'conversation_messages' })
@Index('IDX_conversation_messages_chat_at', ['chatId', 'at', 'id'])
export class ConversationMessage {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'message_key', type: 'varchar', length: 512, unique: true })
  messageKey!: string;

  @Column({ name: 'chat_id', type: 'varchar', length: 128 })
  chatId!: string;

  @Column({ type: 'varchar', length: 32 })
  channel!: string;

  @Column({ type: 'varchar', length: 3 })
  direction!: MessageDirection;

  @Column({ type: 'varchar', length: 16 })
  kind!: TranscriptKind;

  @Column({ type: 'text' })
  text!: string;

  @Index('IDX_conversation_messages_at')
  @Column({ type: Date })
  at!: Date;

  @Index('IDX_conversation_messages_workflow')
  @Column({ name: 'workflow_id', type: 'varchar', length: 512 })
  workflowId!: string;

  @Column({ type: 'varchar', length: 32, nullable: true })
  agent!: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  operator!: string | null;

  @Column({ name: 'outbound_id', type: 'varchar', length: 36, nullable: true })
  outboundId!: string | null;

  @Column({ name: 'sender_name', type: 'varchar', length: 256, nullable: true })
  senderName!: string | null;

  @Column({ type: 'text', transformer: jsonText, nullable: true })
  media!: { reference: string; mimeType?: string; filename?: string } | null;

  /** What produced an outbound line in LLM mode: the tool calls the agents' models made, the turn's tokens. */
  @Column({ type: 'text', transformer: jsonText, nullable: true })
  metadata!: Record<string, any> | null;
}
