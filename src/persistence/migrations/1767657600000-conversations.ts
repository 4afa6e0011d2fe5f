import { Table, TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { timestampType } from './column-types';

/**
 * Conversations: the transcript (every message in and out, in order, with who wrote it),
 * the chat's state as its conversation workflow last projected it (language, last agent,
 * the question waiting for an answer, the handoff holding the chat), and quotes a customer
 * accepts in the chat.
 */
export class Conversations1767657600000 implements MigrationInterface {
  name = 'Conversations1767657600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'conversation_messages',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          // The writer's key: `<workflow id>:in` for an inbound message, the outbound ledger's key for a reply.
          { name: 'message_key', type: 'varchar', length: '512', isUnique: true },
          { name: 'chat_id', type: 'varchar', length: '128' },
          { name: 'channel', type: 'varchar', length: '32' },
          { name: 'direction', type: 'varchar', length: '3' },
          { name: 'kind', type: 'varchar', length: '16' },
          { name: 'text', type: 'text' },
          { name: 'at', type: ts },
          { name: 'workflow_id', type: 'varchar', length: '512' },
          { name: 'agent', type: 'varchar', length: '32', isNullable: true },
          { name: 'operator', type: 'varchar', length: '128', isNullable: true },
          { name: 'outbound_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'sender_name', type: 'varchar', length: '256', isNullable: true },
          { name: 'media', type: 'text', isNullable: true },
        ],
        indices: [
          { name: 'IDX_conversation_messages_chat_at', columnNames: ['chat_id', 'at', 'id'] },
          { name: 'IDX_conversation_messages_at', columnNames: ['at'] },
          { name: 'IDX_conversation_messages_workflow', columnNames: ['workflow_id'] },
        ],
      }),
    );
    await queryRunner.addColumns('conversations', [
      new TableColumn({ name: 'channel', type: 'varchar', length: '32', isNullable: true }),
      new TableColumn({ name: 'language', type: 'varchar', length: '8', isNullable: true }),
      new TableColumn({ name: 'last_agent', type: 'varchar', length: '32', isNullable: true }),
      new TableColumn({ name: 'pending', type: 'text', isNullable: true }),
      new TableColumn({ name: 'handoff_workflow_id', type: 'varchar', length: '512', isNullable: true }),
      new TableColumn({ name: 'handoff_status', type: 'varchar', length: '16', isNullable: true }),
      new TableColumn({ name: 'campaigns', type: 'text', isNullable: true }),
      new TableColumn({ name: 'turns', type: 'integer', default: 0 }),
      new TableColumn({ name: 'last_message_at', type: ts, isNullable: true }),
      new TableColumn({ name: 'updated_at', type: ts, isNullable: true }),
    ]);
    await queryRunner.addColumns('quotes', [
      new TableColumn({ name: 'status', type: 'varchar', length: '16', default: "'open'" }),
      new TableColumn({ name: 'accepted_at', type: ts, isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const c of ['accepted_at', 'status']) await queryRunner.dropColumn('quotes', c);
    for (const c of ['updated_at', 'last_message_at', 'turns', 'campaigns', 'handoff_status', 'handoff_workflow_id', 'pending', 'last_agent', 'language', 'channel']) {
      await queryRunner.dropColumn('conversations', c);
    }
    await queryRunner.dropTable('conversation_messages');
  }
}
