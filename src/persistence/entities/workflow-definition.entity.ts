import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { jsonText } from './json-column';

/**
 * One version of a user-defined workflow (seed 004). Versions are immutable rows: a `PUT`
 * adds the next version, so an execution that started on an older one keeps its steps.
 * A delete marks every version of the definition; running executions carry their own copy.
 */
@Entity({ name: 'workflow_definitions' })
@Index('IDX_workflow_definitions_live', ['deletedAt', 'workflowId'])
export class WorkflowDefinition {
  @PrimaryColumn({ name: 'workflow_id', type: 'varchar', length: 36 })
  workflowId!: string;

  @PrimaryColumn({ type: 'integer' })
  version!: number;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  /**
   * The validated steps, `DefinitionStep[]` (read them through `toStoredDefinition`). Typed as
   * plain objects because TypeORM's insert types reject the steps' `Record<string, unknown>` fields.
   */
  @Column({ type: 'text', transformer: jsonText })
  steps!: object[];

  /** When this version was written (the definition's `updated_at` when it is the latest). */
  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'deleted_at', type: Date, nullable: true })
  deletedAt!: Date | null;
}
