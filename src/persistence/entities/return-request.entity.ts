import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'return_requests' })
export class ReturnRequest {
  /** The RMA number given to the customer. */
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id!: string;

  @Column({ name: 'order_id', type: 'varchar', length: 64 })
  orderId!: string;

  @Column({ name: 'chat_id', type: 'varchar', length: 128 })
  chatId!: string;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: 'refund' | 'exchange' | 'warranty';

  @Column({ type: 'varchar', length: 16 })
  status!: 'requested' | 'received' | 'refunded' | 'rejected';

  /** One request per conversation message, however often the activity is retried. */
  @Column({ name: 'workflow_id', type: 'varchar', length: 512, unique: true })
  workflowId!: string;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}
