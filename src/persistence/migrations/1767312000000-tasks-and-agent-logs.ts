import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { nowDefault, timestampType } from './column-types';

/** Seed 000's `tasks` and `agent_logs`, plus the workflow keys that make writes idempotent. */
export class TasksAndAgentLogs1767312000000 implements MigrationInterface {
  name = 'TasksAndAgentLogs1767312000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    const now = nowDefault(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'tasks',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'task_type', type: 'varchar', length: '64' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'priority', type: 'integer' },
          { name: 'chat_id', type: 'varchar', length: '128', isNullable: true },
          { name: 'message_id', type: 'varchar', length: '256', isNullable: true },
          { name: 'channel', type: 'varchar', length: '32', isNullable: true },
          { name: 'assigned_agent', type: 'varchar', length: '64', isNullable: true },
          { name: 'input_data', type: 'text', isNullable: true },
          { name: 'output_data', type: 'text', isNullable: true },
          { name: 'metadata', type: 'text', isNullable: true },
          { name: 'error_message', type: 'text', isNullable: true },
          { name: 'parent_task_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'workflow_id', type: 'varchar', length: '512' },
          { name: 'run_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'step', type: 'varchar', length: '64' },
          { name: 'retry_count', type: 'integer', default: 0 },
          { name: 'max_retries', type: 'integer', default: 3 },
          { name: 'created_at', type: ts, default: now },
          { name: 'started_at', type: ts, isNullable: true },
          { name: 'completed_at', type: ts, isNullable: true },
          { name: 'updated_at', type: ts, default: now },
        ],
        uniques: [{ name: 'UQ_tasks_workflow_step', columnNames: ['workflow_id', 'step'] }],
        indices: [
          { name: 'IDX_tasks_status_priority', columnNames: ['status', 'priority'] },
          { name: 'IDX_tasks_chat', columnNames: ['chat_id'] },
          { name: 'IDX_tasks_created', columnNames: ['created_at'] },
          { name: 'IDX_tasks_parent', columnNames: ['parent_task_id'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'agent_logs',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'task_id', type: 'varchar', length: '36' },
          { name: 'workflow_id', type: 'varchar', length: '512' },
          { name: 'log_key', type: 'varchar', length: '128' },
          { name: 'agent_name', type: 'varchar', length: '64' },
          { name: 'action', type: 'varchar', length: '16' },
          { name: 'details', type: 'text', isNullable: true },
          { name: 'duration_ms', type: 'integer', isNullable: true },
          { name: 'created_at', type: ts, default: now },
        ],
        uniques: [{ name: 'UQ_agent_logs_workflow_key', columnNames: ['workflow_id', 'log_key'] }],
        indices: [
          { name: 'IDX_agent_logs_task', columnNames: ['task_id'] },
          { name: 'IDX_agent_logs_agent', columnNames: ['agent_name', 'action'] },
        ],
        foreignKeys: [{ columnNames: ['task_id'], referencedTableName: 'tasks', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('agent_logs');
    await queryRunner.dropTable('tasks');
  }
}
