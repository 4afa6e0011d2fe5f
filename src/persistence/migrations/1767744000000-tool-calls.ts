import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { nowDefault, timestampType } from './column-types';

/**
 * The tool-call ledger (LLM mode): one row per effect a model's tool call had, keyed by
 * `${workflowId}:${callId}`, so a retried or replayed call never acts twice.
 */
export class ToolCalls1767744000000 implements MigrationInterface {
  name = 'ToolCalls1767744000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'tool_calls',
        columns: [
          { name: 'key', type: 'varchar', length: '640', isPrimary: true },
          { name: 'workflow_id', type: 'varchar', length: '512' },
          { name: 'call_id', type: 'varchar', length: '128' },
          { name: 'chat_id', type: 'varchar', length: '128' },
          { name: 'agent', type: 'varchar', length: '32' },
          { name: 'tool', type: 'varchar', length: '64' },
          { name: 'arguments', type: 'text' },
          { name: 'outcome', type: 'text', isNullable: true },
          { name: 'created_at', type: timestampType(queryRunner), default: nowDefault(queryRunner) },
        ],
        indices: [
          { name: 'IDX_tool_calls_workflow', columnNames: ['workflow_id'] },
          { name: 'IDX_tool_calls_chat', columnNames: ['chat_id'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('tool_calls');
  }
}
