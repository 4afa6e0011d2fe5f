import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { timestampType } from './column-types';

/**
 * Alerts (seed 001's monitoring): one row per alert, `open_key` unique while it is open so
 * a condition opens one alert however many evaluations race (NULLs never collide, on SQLite
 * and PostgreSQL alike); and the LLM circuit breaker of each worker, as it last changed.
 */
export class Alerts1768003200000 implements MigrationInterface {
  name = 'Alerts1768003200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'alerts',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'rule', type: 'varchar', length: '40' },
          { name: 'subject', type: 'varchar', length: '256' },
          { name: 'level', type: 'varchar', length: '16' },
          { name: 'title', type: 'varchar', length: '256' },
          { name: 'detail', type: 'text' },
          { name: 'value', type: 'real', isNullable: true },
          { name: 'threshold', type: 'real', isNullable: true },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'opened_at', type: ts },
          { name: 'last_seen_at', type: ts },
          { name: 'resolved_at', type: ts, isNullable: true },
          { name: 'open_key', type: 'varchar', length: '300', isNullable: true },
          { name: 'notified_open_at', type: ts, isNullable: true },
          { name: 'notified_resolved_at', type: ts, isNullable: true },
        ],
        indices: [
          { name: 'UQ_alerts_open_key', columnNames: ['open_key'], isUnique: true },
          { name: 'IDX_alerts_status_opened', columnNames: ['status', 'opened_at'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'llm_breaker_states',
        columns: [
          { name: 'worker_id', type: 'varchar', length: '200', isPrimary: true },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'failures', type: 'integer', default: 0 },
          { name: 'opened_at', type: ts, isNullable: true },
          { name: 'changed_at', type: ts },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('llm_breaker_states');
    await queryRunner.dropTable('alerts');
  }
}
