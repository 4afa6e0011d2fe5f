import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { jsonText } from './json-column';

/** An inbound delivery that starts no conversation: a status, or a message type we do not handle. */
@Entity({ name: 'inbound_events' })
export class InboundEvent {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Provider + kind + provider id (+ status): a redelivered event is recorded once. */
  @Column({ name: 'event_key', type: 'varchar', length: 512, unique: true })
  eventKey!: string;

  @Column({ type: 'varchar', length: 32 })
  provider!: string;

  @Column({ type: 'varchar', length: 32 })
  kind!: 'status' | 'unsupported';

  @Column({ name: 'chat_id', type: 'varchar', length: 128, nullable: true })
  chatId!: string | null;

  @Column({ name: 'message_id', type: 'varchar', length: 256, nullable: true })
  messageId!: string | null;

  @Column({ type: 'text', transformer: jsonText, nullable: true })
  payload!: Record<string, any> | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}
