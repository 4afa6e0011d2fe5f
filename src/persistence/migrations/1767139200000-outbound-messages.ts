import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { nowDefault, timestampType } from './column-types';

export class OutboundMessages1767139200000 implements MigrationInterface {
  name = 'OutboundMessages1767139200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'outbound_messages',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'idempotency_key', type: 'varchar', length: '512', isUnique: true },
          { name: 'workflow_id', type: 'varchar', length: '512' },
          { name: 'chat_id', type: 'varchar', length: '128' },
          { name: 'channel', type: 'varchar', length: '32' },
          { name: 'body', type: 'text' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'provider_message_id', type: 'varchar', length: '256', isNullable: true },
          { name: 'error', type: 'text', isNullable: true },
          { name: 'created_at', type: ts, default: nowDefault(queryRunner) },
          { name: 'updated_at', type: ts, default: nowDefault(queryRunner) },
        ],
        indices: [
          { columnNames: ['workflow_id'] },
          { columnNames: ['chat_id'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('outbound_messages');
  }
}
