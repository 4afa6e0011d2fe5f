import type { DataSource } from 'typeorm';
import type { RecordExecutionInput, StoredDefinition } from '../contracts/run-definition';
import type { DefinitionStep } from '../domain/workflow-definitions/model';
import { DefinitionExecution } from './entities/definition-execution.entity';
import { WorkflowDefinition } from './entities/workflow-definition.entity';

/**
 * User-defined workflows in the database: the stored definition as the interpreter takes it,
 * and the execution rows the workflow's activity and the API both write.
 */

export function toStoredDefinition(row: WorkflowDefinition): StoredDefinition {
  return {
    workflow_id: row.workflowId,
    version: row.version,
    name: row.name,
    ...(row.description !== null ? { description: row.description } : {}),
    steps: row.steps as DefinitionStep[],
  };
}

/**
 * A live (not deleted) definition as the interpreter takes it: the latest version, or the
 * one asked for; undefined when there is none.
 */
export async function findLiveDefinition(db: DataSource, workflowId: string, version?: number): Promise<StoredDefinition | undefined> {
  const repo = db.getRepository(WorkflowDefinition);
  const row = version === undefined ? await repo.findOne({ where: { workflowId }, order: { version: 'DESC' } }) : await repo.findOneBy({ workflowId, version });
  return row && !row.deletedAt ? toStoredDefinition(row) : undefined;
}

/**
 * Updates the execution row: final states are written once (a late `running` never reopens
 * a finished run), so the workflow's activity and the API can both report what they saw.
 */
export async function recordExecutionStatus(db: DataSource, input: RecordExecutionInput): Promise<boolean> {
  const finishedAt = input.status === 'running' ? null : new Date(input.finished_at ?? Date.now());
  const result = await db
    .createQueryBuilder()
    .update(DefinitionExecution)
    .set({ status: input.status, finishedAt, error: input.error ?? null })
    .where('execution_id = :id', { id: input.execution_id })
    .andWhere('status = :running', { running: 'running' })
    .execute();
  return (result.affected ?? 0) > 0;
}
