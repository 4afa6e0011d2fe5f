import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { EventType } from '../../contracts/events';
import { jsonText } from './json-column';

/**
 * The event log behind `GET /api/events`: one row per thing that happened to a customer's
 * message, written once (`event_key` is derived from its writer's own idempotency key) and
 * kept for `EVENTS_RETENTION_MINUTES`. The id is the stream's resume point: ids become
 * visible in increasing order (src/persistence/events.ts), so a reader that saw id N never
 * finds a new row below it later.
 */
@Entity({ name: 'events' })
export class EventRecord {
  /** SQLite: INTEGER PRIMARY KEY AUTOINCREMENT (never reused after deletes); PostgreSQL: bigserial, read as a number. */
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'event_key', type: 'varchar', length: 600, unique: true })
  eventKey!: string;

  @Column({ type: 'varchar', length: 40 })
  type!: EventType;

  @Column({ name: 'chat_id', type: 'varchar', length: 128, nullable: true })
  chatId!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  channel!: string | null;

  @Column({ name: 'workflow_id', type: 'varchar', length: 512, nullable: true })
  workflowId!: string | null;

  @Column({ type: 'text', transformer: jsonText, nullable: true })
  data!: Record<string, any> | null;

  @Index('IDX_events_at')
  @Column({ type: Date })
  at!: Date;
}
