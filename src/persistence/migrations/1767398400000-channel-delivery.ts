import { Table, TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { nowDefault, timestampType } from './column-types';

/**
 * Delivery through real providers: which provider a reply went through, how often it was
 * attempted and since when a send is in flight (to confirm a send whose answer was lost),
 * the customer's last inbound time (WhatsApp's 24-hour window), and inbound events that
 * start no conversation (delivery statuses, unsupported message types), recorded, not dropped.
 */
export class ChannelDelivery1767398400000 implements MigrationInterface {
  name = 'ChannelDelivery1767398400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.addColumns('outbound_messages', [
      new TableColumn({ name: 'provider', type: 'varchar', length: '32', isNullable: true }),
      new TableColumn({ name: 'attempts', type: 'integer', default: 0 }),
      new TableColumn({ name: 'sending_since', type: ts, isNullable: true }),
      new TableColumn({ name: 'template', type: 'varchar', length: '128', isNullable: true }),
    ]);
    await queryRunner.addColumn('conversations', new TableColumn({ name: 'last_inbound_at', type: ts, isNullable: true }));
    await queryRunner.createTable(
      new Table({
        name: 'inbound_events',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'event_key', type: 'varchar', length: '512', isUnique: true },
          { name: 'provider', type: 'varchar', length: '32' },
          { name: 'kind', type: 'varchar', length: '32' },
          { name: 'chat_id', type: 'varchar', length: '128', isNullable: true },
          { name: 'message_id', type: 'varchar', length: '256', isNullable: true },
          { name: 'payload', type: 'text', isNullable: true },
          { name: 'created_at', type: ts, default: nowDefault(queryRunner) },
        ],
        indices: [{ columnNames: ['kind'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('inbound_events');
    await queryRunner.dropColumn('conversations', 'last_inbound_at');
    for (const c of ['template', 'sending_since', 'attempts', 'provider']) await queryRunner.dropColumn('outbound_messages', c);
  }
}
