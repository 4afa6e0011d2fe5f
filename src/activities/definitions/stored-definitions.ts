import { ApplicationFailure } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import type { LoadDefinitionInput, RecordExecutionInput, StoredDefinition } from '../../contracts/run-definition';
import { findLiveDefinition, recordExecutionStatus } from '../../persistence/definition-store';
import { DEFINITION_FAILURES } from './failures';

/** A stored, live definition (for a `sub_workflow` step): the latest version, or the one asked for. */
export async function loadDefinition(db: DataSource, input: LoadDefinitionInput): Promise<StoredDefinition> {
  const definition = await findLiveDefinition(db, input.workflow_id, input.version);
  if (!definition) {
    const which = input.version === undefined ? '' : ` version ${input.version}`;
    throw ApplicationFailure.nonRetryable(`workflow ${input.workflow_id}${which} not found`, DEFINITION_FAILURES.definitionNotFound);
  }
  return definition;
}

/** Brings an execution's row up to date; a finished row is never reopened, so a retry is harmless. */
export async function recordExecution(db: DataSource, input: RecordExecutionInput): Promise<void> {
  await recordExecutionStatus(db, input);
}
