import { Table, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';
import { nowDefault, timestampType } from './column-types';

/** The data the specialist agents act on, and the projections they keep. */
export class BusinessData1767225600000 implements MigrationInterface {
  name = 'BusinessData1767225600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    const now = nowDefault(queryRunner);
    const text = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'text', isNullable: nullable });
    const str = (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
    const int = (name: string): TableColumnOptions => ({ name, type: 'integer' });
    const time = (name: string, nullable = false): TableColumnOptions => ({ name, type: ts, isNullable: nullable });
    const created = (name = 'created_at'): TableColumnOptions => ({ name, type: ts, default: now });
    const workflowKey: TableColumnOptions = { name: 'workflow_id', type: 'varchar', length: '512', isUnique: true };

    await queryRunner.createTable(
      new Table({
        name: 'customers',
        columns: [
          { ...str('chat_id', 128), isPrimary: true },
          str('name', 256, true),
          str('email', 256, true),
          str('phone', 32, true),
          str('language', 8, true),
          str('timezone', 64, true),
          text('preferences', true),
          { name: 'opted_out', type: 'boolean', default: false },
          time('deletion_requested_at', true),
          created(),
          created('updated_at'),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'appointments',
        columns: [
          { ...str('id', 36), isPrimary: true },
          str('chat_id', 128),
          str('customer_name', 256, true),
          str('service', 64),
          time('starts_at'),
          int('duration_minutes'),
          str('status', 16),
          str('workflow_id', 512),
          created(),
          created('updated_at'),
        ],
        indices: [{ columnNames: ['chat_id'] }],
      }),
    );
    // One booking per slot: enforced by the database, so two racing conversations cannot
    // both get it. Cancelled rows do not hold the slot.
    await queryRunner.createIndex(
      'appointments',
      new TableIndex({ name: 'UQ_appointments_booked_slot', columnNames: ['starts_at'], isUnique: true, where: "status = 'booked'" }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'products',
        columns: [
          { ...str('sku', 64), isPrimary: true },
          str('name', 256),
          str('name_es', 256),
          str('category', 64),
          int('price_cents'),
          str('currency', 3),
          text('tags'),
          text('description'),
          int('stock'),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'orders',
        columns: [
          { ...str('id', 64), isPrimary: true },
          str('chat_id', 128),
          str('status', 16),
          text('items'),
          int('total_cents'),
          str('currency', 3),
          str('carrier', 64, true),
          str('tracking_number', 128, true),
          time('ordered_at'),
          time('shipped_at', true),
          time('delivered_at', true),
          time('estimated_delivery', true),
        ],
        indices: [{ columnNames: ['chat_id'] }],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'return_requests',
        columns: [
          { ...str('id', 32), isPrimary: true },
          str('order_id', 64),
          str('chat_id', 128),
          text('reason'),
          str('kind', 16),
          str('status', 16),
          workflowKey,
          created(),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'leads',
        columns: [
          { ...str('id', 36), isPrimary: true },
          str('chat_id', 128, true),
          str('email', 256, true),
          int('score'),
          str('grade', 8),
          text('details'),
          text('message'),
          workflowKey,
          created(),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'documents',
        columns: [
          { ...str('id', 36), isPrimary: true },
          str('chat_id', 128),
          text('reference'),
          str('mime_type', 128, true),
          str('kind', 32),
          str('status', 16),
          workflowKey,
          created(),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'reminders',
        columns: [
          { ...str('id', 36), isPrimary: true },
          str('chat_id', 128),
          str('channel', 32),
          text('text'),
          time('remind_at'),
          str('status', 16),
          workflowKey,
          created(),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'handoffs',
        columns: [
          { ...str('workflow_id', 512), isPrimary: true },
          str('chat_id', 128),
          str('channel', 32),
          str('reason', 32),
          str('intent', 32),
          str('status', 16),
          str('operator', 128, true),
          text('answer', true),
          time('due_at'),
          created('opened_at'),
          time('closed_at', true),
        ],
        indices: [{ columnNames: ['status'] }],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'quotes',
        columns: [
          { ...str('id', 32), isPrimary: true },
          str('chat_id', 128),
          text('lines'),
          int('discount_percent'),
          int('total_cents'),
          str('currency', 3),
          time('valid_until'),
          workflowKey,
          created(),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'conversations',
        columns: [
          { ...str('chat_id', 128), isPrimary: true },
          time('last_clarification_at', true),
          str('last_clarification_workflow_id', 512, true),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['conversations', 'quotes', 'handoffs', 'reminders', 'documents', 'leads', 'return_requests', 'orders', 'products', 'appointments', 'customers']) {
      await queryRunner.dropTable(table);
    }
  }
}
