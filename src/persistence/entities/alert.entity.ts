import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { AlertLevel, AlertRule, AlertStatus } from '../../domain/alerts';

/**
 * An alert (seed 001's monitoring): opened once when its rule's condition becomes true,
 * refreshed while it stays true, resolved when it clears. `open_key` (`rule:subject`) is
 * set only while the alert is open and is unique: the database itself keeps one open alert
 * per condition, however many evaluations race.
 */
@Entity({ name: 'alerts' })
@Index('IDX_alerts_status_opened', ['status', 'openedAt'])
export class Alert {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 40 })
  rule!: AlertRule;

  /** What it is about: a handoff's workflow id, an agent, a channel, `tasks`, `llm`, `follow_ups`. */
  @Column({ type: 'varchar', length: 256 })
  subject!: string;

  @Column({ type: 'varchar', length: 16 })
  level!: AlertLevel;

  @Column({ type: 'varchar', length: 256 })
  title!: string;

  @Column({ type: 'text' })
  detail!: string;

  @Column({ type: 'real', nullable: true })
  value!: number | null;

  @Column({ type: 'real', nullable: true })
  threshold!: number | null;

  @Column({ type: 'varchar', length: 16 })
  status!: AlertStatus;

  @Column({ name: 'opened_at', type: Date })
  openedAt!: Date;

  @Column({ name: 'last_seen_at', type: Date })
  lastSeenAt!: Date;

  @Column({ name: 'resolved_at', type: Date, nullable: true })
  resolvedAt!: Date | null;

  /** `rule:subject` while open, NULL once resolved; unique. */
  @Index('UQ_alerts_open_key', { unique: true })
  @Column({ name: 'open_key', type: 'varchar', length: 300, nullable: true })
  openKey!: string | null;

  /** When the outbound webhook took `alert.opened` (2xx); NULL until then. */
  @Column({ name: 'notified_open_at', type: Date, nullable: true })
  notifiedOpenAt!: Date | null;

  /** When the outbound webhook took `alert.resolved` (2xx); NULL until then. */
  @Column({ name: 'notified_resolved_at', type: Date, nullable: true })
  notifiedResolvedAt!: Date | null;
}
