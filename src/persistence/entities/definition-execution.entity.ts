import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ExecutionStatus } from '../../contracts/run-definition';
import { jsonText } from './json-column';

/**
 * The read side of a `runDefinition` run: written by the API before the workflow starts
 * and brought up to date by the workflow's `recordExecution` activity, so listing a
 * definition's executions needs no Temporal visibility query.
 */
@Entity({ name: 'definition_executions' })
@Index('IDX_definition_executions_workflow', ['workflowId', 'createdAt'])
export class DefinitionExecution {
  /** The Temporal workflow id (`wfexec:<uuid>`, or a sub-workflow's child id). */
  @PrimaryColumn({ name: 'execution_id', type: 'varchar', length: 512 })
  executionId!: string;

  @Column({ name: 'workflow_id', type: 'varchar', length: 36 })
  workflowId!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'varchar', length: 16 })
  status!: ExecutionStatus;

  @Column({ type: 'boolean', default: false })
  async!: boolean;

  /** The top-level keys of `input_data` and its size, not the data itself (it may be large or personal). */
  @Column({ name: 'input_summary', type: 'text', transformer: jsonText, nullable: true })
  inputSummary!: { keys: string[]; bytes: number } | null;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'finished_at', type: Date, nullable: true })
  finishedAt!: Date | null;

  @Column({ type: 'text', transformer: jsonText, nullable: true })
  error!: { message: string; step_id?: string } | null;
}
