import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The LLM circuit breaker of one worker process, as it last changed. Breakers live in the
 * workers' memory (one per process); each worker records its own transitions here so the
 * alert evaluation, wherever it runs, sees every worker's breaker.
 */
@Entity({ name: 'llm_breaker_states' })
export class LlmBreakerState {
  /** `host:pid:random`, one per worker process (and per breaker). */
  @PrimaryColumn({ name: 'worker_id', type: 'varchar', length: 200 })
  workerId!: string;

  @Column({ type: 'varchar', length: 16 })
  state!: 'open' | 'closed';

  /** Consecutive provider failures when it last changed. */
  @Column({ type: 'integer', default: 0 })
  failures!: number;

  /** When it last opened or re-opened (a failed trial); kept when it closes. */
  @Column({ name: 'opened_at', type: Date, nullable: true })
  openedAt!: Date | null;

  @Column({ name: 'changed_at', type: Date })
  changedAt!: Date;
}
