import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { timestampType } from './column-types';

/**
 * User-defined workflows (seed 004): versioned definitions, the read side of their
 * executions, and the company directory the research agent falls back to.
 */
export class WorkflowDefinitions1767571200000 implements MigrationInterface {
  name = 'WorkflowDefinitions1767571200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'workflow_definitions',
        columns: [
          { name: 'workflow_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'version', type: 'integer', isPrimary: true },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'description', type: 'text', isNullable: true },
          { name: 'steps', type: 'text' },
          { name: 'created_at', type: ts },
          { name: 'deleted_at', type: ts, isNullable: true },
        ],
        indices: [{ name: 'IDX_workflow_definitions_live', columnNames: ['deleted_at', 'workflow_id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'definition_executions',
        columns: [
          { name: 'execution_id', type: 'varchar', length: '512', isPrimary: true },
          { name: 'workflow_id', type: 'varchar', length: '36' },
          { name: 'version', type: 'integer' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'async', type: 'boolean', default: false },
          { name: 'input_summary', type: 'text', isNullable: true },
          { name: 'created_at', type: ts },
          { name: 'finished_at', type: ts, isNullable: true },
          { name: 'error', type: 'text', isNullable: true },
        ],
        indices: [
          { name: 'IDX_definition_executions_workflow', columnNames: ['workflow_id', 'created_at'] },
          { name: 'IDX_definition_executions_status', columnNames: ['status'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'companies',
        columns: [
          { name: 'domain', type: 'varchar', length: '253', isPrimary: true },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'industry', type: 'varchar', length: '100', isNullable: true },
          { name: 'size', type: 'varchar', length: '32', isNullable: true },
          { name: 'country', type: 'varchar', length: '2', isNullable: true },
          { name: 'description', type: 'text', isNullable: true },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('companies');
    await queryRunner.dropTable('definition_executions');
    await queryRunner.dropTable('workflow_definitions');
  }
}
