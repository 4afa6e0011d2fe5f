import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { jsonText } from './json-column';
import type { OrderLine } from './order.entity';

@Entity({ name: 'quotes' })
export class Quote {
  /** The quote number given to the customer. */
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id!: string;

  @Column({ name: 'chat_id', type: 'varchar', length: 128 })
  chatId!: string;

  @Column({ type: 'text', transformer: jsonText })
  lines!: OrderLine[];

  @Column({ name: 'discount_percent', type: 'integer' })
  discountPercent!: number;

  @Column({ name: 'total_cents', type: 'integer' })
  totalCents!: number;

  @Column({ type: 'varchar', length: 3 })
  currency!: string;

  @Column({ name: 'valid_until', type: Date })
  validUntil!: Date;

  @Column({ name: 'workflow_id', type: 'varchar', length: 512, unique: true })
  workflowId!: string;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  /** `open` until the customer accepts it in the chat. */
  @Column({ type: 'varchar', length: 16, default: 'open' })
  status!: 'open' | 'accepted';

  @Column({ name: 'accepted_at', type: Date, nullable: true })
  acceptedAt!: Date | null;
}
