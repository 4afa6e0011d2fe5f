import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * `recorded`: written, not handed to a provider (none configured for the channel, or not yet);
 * `sending`: handed over, answer not yet seen; then the provider's own statuses.
 */
export type OutboundStatus = 'recorded' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed';

/**
 * The outbound ledger: one row per reply a workflow sends, keyed by an idempotency key
 * (workflow id + step), so an activity retried after it wrote never records or sends twice.
 */
@Entity({ name: 'outbound_messages' })
export class OutboundMessage {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index({ unique: true })
  @Column({ name: 'idempotency_key', type: 'varchar', length: 512 })
  idempotencyKey!: string;

  @Index()
  @Column({ name: 'workflow_id', type: 'varchar', length: 512 })
  workflowId!: string;

  @Index()
  @Column({ name: 'chat_id', type: 'varchar', length: 128 })
  chatId!: string;

  @Column({ type: 'varchar', length: 32 })
  channel!: string;

  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: OutboundStatus;

  @Column({ name: 'provider_message_id', type: 'varchar', length: 256, nullable: true })
  providerMessageId!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  provider!: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'sending_since', type: Date, nullable: true })
  sendingSince!: Date | null;

  /** The approved template used when the reply fell outside WhatsApp's 24-hour window. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  template!: string | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
