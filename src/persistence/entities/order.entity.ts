import { Column, Entity, PrimaryColumn } from 'typeorm';
import { jsonText } from './json-column';

export type OrderStatus = 'reserved' | 'processing' | 'shipped' | 'delivered' | 'cancelled';

export interface OrderLine {
  sku: string;
  name: string;
  quantity: number;
  priceCents: number;
}

@Entity({ name: 'orders' })
export class Order {
  /** The order number customers quote ("45821", "ORD-1234"), upper case. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ name: 'chat_id', type: 'varchar', length: 128 })
  chatId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: OrderStatus;

  @Column({ type: 'text', transformer: jsonText })
  items!: OrderLine[];

  @Column({ name: 'total_cents', type: 'integer' })
  totalCents!: number;

  @Column({ type: 'varchar', length: 3 })
  currency!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  carrier!: string | null;

  @Column({ name: 'tracking_number', type: 'varchar', length: 128, nullable: true })
  trackingNumber!: string | null;

  @Column({ name: 'ordered_at', type: Date })
  orderedAt!: Date;

  @Column({ name: 'shipped_at', type: Date, nullable: true })
  shippedAt!: Date | null;

  @Column({ name: 'delivered_at', type: Date, nullable: true })
  deliveredAt!: Date | null;

  @Column({ name: 'estimated_delivery', type: Date, nullable: true })
  estimatedDelivery!: Date | null;
}
