import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The console's numbers read time ranges of tables that only grow: agent log entries by
 * when they were written, outbound messages by when they were recorded, handoffs by when
 * they opened. Without these a range is a scan of the whole table. (Transcript lines and
 * tasks already have the indexes their stats use.)
 */
const INDEXES: Array<{ table: string; name: string; columns: string[] }> = [
  { table: 'agent_logs', name: 'IDX_agent_logs_created', columns: ['created_at'] },
  { table: 'outbound_messages', name: 'IDX_outbound_messages_created', columns: ['created_at'] },
  { table: 'handoffs', name: 'IDX_handoffs_opened', columns: ['opened_at'] },
];

export class StatsIndexes1768089600000 implements MigrationInterface {
  name = 'StatsIndexes1768089600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const index of INDEXES) {
      await queryRunner.createIndex(index.table, new TableIndex({ name: index.name, columnNames: index.columns }));
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const index of [...INDEXES].reverse()) await queryRunner.dropIndex(index.table, index.name);
  }
}
