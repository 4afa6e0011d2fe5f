import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type AppointmentStatus = 'booked' | 'cancelled';

/**
 * A booked slot. A partial unique index on `starts_at` over booked rows makes a double
 * booking impossible even when two conversations race for the same slot.
 */
@Entity({ name: 'appointments' })
export class Appointment {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'chat_id', type: 'varchar', length: 128 })
  chatId!: string;

  @Column({ name: 'customer_name', type: 'varchar', length: 256, nullable: true })
  customerName!: string | null;

  @Column({ type: 'varchar', length: 64 })
  service!: string;

  @Column({ name: 'starts_at', type: Date })
  startsAt!: Date;

  @Column({ name: 'duration_minutes', type: 'integer' })
  durationMinutes!: number;

  @Column({ type: 'varchar', length: 16 })
  status!: AppointmentStatus;

  /** The workflow that last changed the row: a retried activity recognises its own write. */
  @Column({ name: 'workflow_id', type: 'varchar', length: 512 })
  workflowId!: string;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
