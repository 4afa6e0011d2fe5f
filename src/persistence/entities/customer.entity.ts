import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { jsonText } from './json-column';

/** A customer, keyed by the chat they write from; the personalization agent edits it. */
@Entity({ name: 'customers' })
export class Customer {
  @PrimaryColumn({ name: 'chat_id', type: 'varchar', length: 128 })
  chatId!: string;

  @Column({ type: 'varchar', length: 256, nullable: true })
  name!: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  email!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  phone!: string | null;

  @Column({ type: 'varchar', length: 8, nullable: true })
  language!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  timezone!: string | null;

  @Column({ type: 'text', transformer: jsonText, nullable: true })
  preferences!: Record<string, any> | null;

  /** The customer asked not to be contacted: no follow-ups, no campaigns. */
  @Column({ name: 'opted_out', type: 'boolean', default: false })
  optedOut!: boolean;

  @Column({ name: 'deletion_requested_at', type: Date, nullable: true })
  deletionRequestedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
