import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { timestampType } from './column-types';

/**
 * The event log behind `GET /api/events` (Server-Sent Events). The id is the stream's
 * resume point (`Last-Event-ID`): on SQLite an AUTOINCREMENT key, so ids are never reused
 * once old rows are deleted; on PostgreSQL a bigserial, so the feed never runs out of ids.
 */
export class Events1767916800000 implements MigrationInterface {
  name = 'Events1767916800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === 'postgres';
    await queryRunner.createTable(
      new Table({
        name: 'events',
        columns: [
          // SQLite accepts AUTOINCREMENT only on an INTEGER PRIMARY KEY.
          { name: 'id', type: postgres ? 'bigint' : 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          // Derived from the writer's idempotency key: a retried activity or a replayed workflow writes one row.
          { name: 'event_key', type: 'varchar', length: '600', isUnique: true },
          { name: 'type', type: 'varchar', length: '40' },
          { name: 'chat_id', type: 'varchar', length: '128', isNullable: true },
          { name: 'channel', type: 'varchar', length: '32', isNullable: true },
          { name: 'workflow_id', type: 'varchar', length: '512', isNullable: true },
          { name: 'data', type: 'text', isNullable: true },
          { name: 'at', type: timestampType(queryRunner) },
        ],
        indices: [{ name: 'IDX_events_at', columnNames: ['at'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('events');
  }
}
