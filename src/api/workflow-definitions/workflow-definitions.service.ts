import { randomUUID } from 'node:crypto';
import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException, PreconditionFailedException } from '@nestjs/common';
import { ApplicationFailure, Client, WorkflowExecutionAlreadyStartedError, WorkflowFailedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { DataSource, In, IsNull } from 'typeorm';
import { recordExecutionStatus, toStoredDefinition } from '../../persistence/definition-store';
import { isUniqueViolation } from '../../persistence/unique-violation';
import type { AppConfig } from '../../config';
import {
  definitionExecutionId,
  executionStateQuery,
  submitCallbackUpdate,
  type ExecutionState,
  type ExecutionStatus,
  type RunDefinitionInput,
  type RunDefinitionResult,
  type StepState,
} from '../../contracts/run-definition';
import { agentTasks } from '../../domain/agent-registry';
import { isHostAllowed, validateDefinition, type DefinitionError, type DefinitionStep } from '../../domain/workflow-definitions';

import { DefinitionExecution } from '../../persistence/entities/definition-execution.entity';
import { WorkflowDefinition } from '../../persistence/entities/workflow-definition.entity';
import { toHttpError } from '../common/temporal-errors';
import { APP_CONFIG } from '../common/tokens';

/** No run of a definition outlives this, whatever its delays and callbacks add up to. */
export const MAX_EXECUTION_SECONDS = 90 * 24 * 3600;

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

export interface DefinitionView {
  workflow_id: string;
  version: number;
  name: string;
  description: string | null;
  steps: unknown[];
  created_at: string | null;
  updated_at: string | null;
}

export function definitionView(row: WorkflowDefinition, createdAt: Date | null): DefinitionView {
  return {
    workflow_id: row.workflowId,
    version: row.version,
    name: row.name,
    description: row.description,
    steps: row.steps,
    created_at: iso(createdAt ?? row.createdAt),
    updated_at: iso(row.createdAt),
  };
}

export function executionRowView(row: DefinitionExecution) {
  return {
    execution_id: row.executionId,
    workflow_id: row.workflowId,
    version: row.version,
    status: row.status,
    async_execution: row.async,
    input_summary: row.inputSummary,
    created_at: iso(row.createdAt),
    finished_at: iso(row.finishedAt),
    error: row.error,
  };
}

/** A 400 that lists every problem of a definition and names the first in `message`. */
function invalidDefinition(errors: DefinitionError[]): BadRequestException {
  const [first] = errors;
  const where = [first.step_id ? `step ${first.step_id}` : undefined, first.field || undefined].filter(Boolean).join(', ');
  const message = `${where ? `${where}: ` : ''}${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : ''}`;
  return new BadRequestException({ message, errors });
}

/** How long a read waits for a worker to answer the execution's query before answering 503. */
const QUERY_DEADLINE_MS = 3000;

const FINAL: readonly ExecutionStatus[] = ['completed', 'failed', 'cancelled'];

export type ExecuteAnswer = { status: 200; body: ExecutionState } | { status: 202; body: { execution_id: string; workflow_id: string; version: number; status: 'running' } };

/**
 * User-defined workflows (seed 004): definitions and their versions in the database, their
 * executions as `runDefinition` workflows. The database row of an execution is the list's
 * read side; the workflow's query is the truth about one execution.
 */
@Injectable()
export class WorkflowDefinitionsService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(Client) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get definitions() {
    return this.db.getRepository(WorkflowDefinition);
  }

  private get executions() {
    return this.db.getRepository(DefinitionExecution);
  }

  private async firstCreatedAt(workflowId: string): Promise<Date | null> {
    return (await this.definitions.findOneBy({ workflowId, version: 1 }))?.createdAt ?? null;
  }

  /** The latest live version, or a 404 naming the id. */
  private async latest(workflowId: string): Promise<WorkflowDefinition> {
    const row = await this.definitions.findOne({ where: { workflowId }, order: { version: 'DESC' } });
    if (!row || row.deletedAt) throw new NotFoundException(`id: no workflow ${workflowId}`);
    return row;
  }

  /**
   * What only this deployment knows, checked before a definition is stored: an `http` step's
   * literal URL is http(s) on an allowed host (WORKFLOW_HTTP_ALLOWED_HOSTS), and a
   * `sub_workflow` names a live definition (and a version it has). A URL built from a
   * template is checked when the step runs.
   */
  private async referenceErrors(steps: DefinitionStep[]): Promise<DefinitionError[]> {
    const errors: DefinitionError[] = [];
    const allowed = this.config.definitions.httpAllowedHosts;
    const checkUrl = (stepId: string, field: string, raw: string) => {
      if (raw.includes('{{')) return;
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        errors.push({ step_id: stepId, field, message: `${raw} is not a valid URL` });
        return;
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') errors.push({ step_id: stepId, field, message: `must be http or https, not ${url.protocol.replace(/:$/, '')}` });
      else if (!isHostAllowed(url, allowed)) errors.push({ step_id: stepId, field, message: `host ${url.host} is not on the allow-list (WORKFLOW_HTTP_ALLOWED_HOSTS${allowed.length ? `: ${allowed.join(', ')}` : ' is empty'})` });
    };
    for (const [i, step] of steps.entries()) {
      const at = `steps[${i}]`;
      if (step.step_type === 'http') checkUrl(step.step_id, `${at}.url`, step.url);
      if (step.step_type === 'parallel') step.branches.forEach((b, j) => b.step_type === 'http' && checkUrl(step.step_id, `${at}.branches[${j}].url`, b.url));
      if (step.step_type === 'for_each' && step.step.step_type === 'http') checkUrl(step.step_id, `${at}.step.url`, step.step.url);
      if (step.step_type === 'sub_workflow') {
        const versions = await this.definitions.find({ where: { workflowId: step.workflow_id }, order: { version: 'DESC' }, take: 1 });
        const latest = versions[0];
        if (!latest || latest.deletedAt) errors.push({ step_id: step.step_id, field: `${at}.workflow_id`, message: `no workflow ${step.workflow_id}` });
        else if (step.version !== undefined && step.version > latest.version) errors.push({ step_id: step.step_id, field: `${at}.version`, message: `workflow ${step.workflow_id} has no version ${step.version} (latest is ${latest.version})` });
      }
    }
    return errors;
  }

  async create(body: unknown): Promise<DefinitionView> {
    const result = validateDefinition(body, { agentTasks });
    if (!result.ok) throw invalidDefinition(result.errors);
    const unknown = await this.referenceErrors(result.definition.steps);
    if (unknown.length > 0) throw invalidDefinition(unknown);
    const { name, description, steps } = result.definition;
    const row = this.definitions.create({ workflowId: randomUUID(), version: 1, name, description: description ?? null, steps, createdAt: new Date(), deletedAt: null });
    await this.definitions.insert(row);
    return definitionView(row, row.createdAt);
  }

  /** The latest version of each live definition, most recently changed first. */
  async list(page: number, limit: number): Promise<{ items: DefinitionView[]; page: number; limit: number; total: number }> {
    const latest = this.definitions
      .createQueryBuilder('d')
      .where('d.deletedAt IS NULL')
      .andWhere('d.version = (SELECT MAX(v.version) FROM workflow_definitions v WHERE v.workflow_id = d.workflowId)');
    const total = await latest.clone().getCount();
    const rows = await latest
      .orderBy('d.createdAt', 'DESC')
      .addOrderBy('d.workflowId', 'ASC')
      .skip((page - 1) * limit)
      .take(limit)
      .getMany();
    const firsts = rows.length ? await this.definitions.findBy({ workflowId: In(rows.map((r) => r.workflowId)), version: 1 }) : [];
    const createdAt = new Map(firsts.map((f) => [f.workflowId, f.createdAt]));
    return { items: rows.map((r) => definitionView(r, createdAt.get(r.workflowId) ?? null)), page, limit, total };
  }

  async get(workflowId: string, version?: number): Promise<DefinitionView> {
    const latest = await this.latest(workflowId);
    if (version === undefined || version === latest.version) return definitionView(latest, await this.firstCreatedAt(workflowId));
    const row = version < latest.version ? await this.definitions.findOneBy({ workflowId, version }) : null;
    if (!row) throw new NotFoundException(`version: workflow ${workflowId} has no version ${version} (latest is ${latest.version})`);
    return definitionView(row, await this.firstCreatedAt(workflowId));
  }

  /**
   * Stores the body as the next version. `expectedVersion` (from `If-Match`) makes the
   * write conditional: an edit based on an older version is refused instead of lost.
   */
  async update(workflowId: string, body: unknown, expectedVersion?: number): Promise<DefinitionView> {
    const latest = await this.latest(workflowId);
    if (expectedVersion !== undefined && expectedVersion !== latest.version) {
      throw new PreconditionFailedException(`If-Match: the workflow is at version ${latest.version}, not ${expectedVersion}`);
    }
    const result = validateDefinition(body, { agentTasks, workflowId });
    if (!result.ok) throw invalidDefinition(result.errors);
    const unknown = await this.referenceErrors(result.definition.steps);
    if (unknown.length > 0) throw invalidDefinition(unknown);
    const { name, description, steps } = result.definition;
    const row = this.definitions.create({ workflowId, version: latest.version + 1, name, description: description ?? null, steps, createdAt: new Date(), deletedAt: null });
    try {
      await this.definitions.insert(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictException(`id: workflow ${workflowId} was changed at the same time (version ${row.version} exists); read it and retry`);
      throw err;
    }
    return definitionView(row, await this.firstCreatedAt(workflowId));
  }

  /** Soft delete: the definition disappears from reads; running executions carry their own copy. */
  async remove(workflowId: string): Promise<void> {
    const result = await this.definitions.update({ workflowId, deletedAt: IsNull() }, { deletedAt: new Date() });
    if (!result.affected) throw new NotFoundException(`id: no workflow ${workflowId}`);
  }

  /**
   * Starts the latest version as a `runDefinition` workflow, the execution's row written
   * first so a list never misses a run. Synchronous callers wait up to the configured time
   * for the result and get 202 when the run is still going.
   */
  async execute(workflowId: string, input: { input_data: Record<string, unknown>; async_execution: boolean }): Promise<ExecuteAnswer> {
    const latest = await this.latest(workflowId);
    const executionId = definitionExecutionId(randomUUID());
    const inputJson = JSON.stringify(input.input_data);
    await this.executions.insert({
      executionId,
      workflowId,
      version: latest.version,
      status: 'running',
      async: input.async_execution,
      inputSummary: { keys: Object.keys(input.input_data).slice(0, 50), bytes: Buffer.byteLength(inputJson) },
      createdAt: new Date(),
      finishedAt: null,
      error: null,
    });
    const runInput: RunDefinitionInput = { executionId, definition: toStoredDefinition(latest), input_data: input.input_data };
    let handle;
    try {
      handle = await this.client.workflow.start<(input: RunDefinitionInput) => Promise<RunDefinitionResult>>('runDefinition', {
        taskQueue: this.config.temporal.taskQueue,
        workflowId: executionId,
        args: [runInput],
        workflowExecutionTimeout: `${MAX_EXECUTION_SECONDS} seconds`,
      });
    } catch (err) {
      await recordExecutionStatus(this.db, { execution_id: executionId, status: 'failed', error: { message: `could not start: ${(err as Error).message}` } });
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw new ConflictException(`execution ${executionId} already exists`);
      throw toHttpError(err);
    }
    const accepted = { status: 202 as const, body: { execution_id: executionId, workflow_id: workflowId, version: latest.version, status: 'running' as const } };
    if (input.async_execution) return accepted;

    const deadline = AbortSignal.timeout(this.config.definitions.syncTimeoutSeconds * 1000);
    try {
      const state = await this.client.withAbortSignal(deadline, () => handle.result());
      await this.recordFinal(state);
      return { status: 200, body: state };
    } catch (err) {
      if (deadline.aborted) return accepted;
      if (err instanceof WorkflowFailedError) return { status: 200, body: await this.state(executionId) };
      throw toHttpError(err, executionId);
    }
  }

  async listExecutions(workflowId: string, q: { page: number; limit: number; status?: ExecutionStatus }) {
    if (!(await this.definitions.existsBy({ workflowId }))) throw new NotFoundException(`id: no workflow ${workflowId}`);
    const where = { workflowId, ...(q.status ? { status: q.status } : {}) };
    const [rows, total] = await this.executions.findAndCount({
      where,
      order: { createdAt: 'DESC', executionId: 'ASC' },
      skip: (q.page - 1) * q.limit,
      take: q.limit,
    });
    return { items: rows.map(executionRowView), page: q.page, limit: q.limit, total };
  }

  /** The execution's state from its workflow (open or closed); its row is brought up to date on the way. */
  async state(executionId: string): Promise<ExecutionState> {
    const handle = this.client.workflow.getHandle(executionId);
    let state: ExecutionState;
    try {
      // A query needs a worker: without one it would wait for the server's own timeout.
      state = await this.client.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(executionStateQuery));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new NotFoundException(`executionId: no execution ${executionId}`);
      // A run that was terminated (or timed out) may not answer; its row and description still do.
      state = await this.stateFromDescription(executionId, err);
    }
    await this.recordFinal(state);
    return state;
  }

  private async stateFromDescription(executionId: string, queryError: unknown): Promise<ExecutionState> {
    const handle = this.client.workflow.getHandle(executionId);
    let description;
    try {
      description = await handle.describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new NotFoundException(`executionId: no execution ${executionId}`);
      throw toHttpError(err, executionId);
    }
    const row = await this.executions.findOneBy({ executionId });
    if (!row || description.status.name === 'RUNNING') throw toHttpError(queryError, executionId);
    const status: ExecutionStatus = description.status.name === 'COMPLETED' ? 'completed' : description.status.name === 'CANCELLED' ? 'cancelled' : 'failed';
    return {
      execution_id: executionId,
      workflow_id: row.workflowId,
      version: row.version,
      status,
      started_at: description.startTime.toISOString(),
      finished_at: description.closeTime?.toISOString(),
      steps: [],
      outputs: {},
      ...(status === 'failed' ? { error: row.error ?? { message: `workflow ${description.status.name.toLowerCase()}` } } : {}),
    };
  }

  private async recordFinal(state: ExecutionState): Promise<void> {
    if (!FINAL.includes(state.status)) return;
    await recordExecutionStatus(this.db, { execution_id: state.execution_id, status: state.status, finished_at: state.finished_at, error: state.error });
  }

  /** Requests cancellation; the workflow records itself cancelled. A finished run is a 409. */
  async cancel(executionId: string): Promise<{ execution_id: string; status: 'cancelling' }> {
    const handle = this.client.workflow.getHandle(executionId);
    try {
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING') throw new ConflictException(`executionId: execution ${executionId} has already finished (${description.status.name.toLowerCase()})`);
      // A run that has decided its outcome and is only recording it is finished too.
      const state = await handle.query(executionStateQuery).catch(() => undefined);
      if (state && FINAL.includes(state.status)) throw new ConflictException(`executionId: execution ${executionId} has already finished (${state.status})`);
      await handle.cancel();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new NotFoundException(`executionId: no execution ${executionId}`);
      throw toHttpError(err, executionId);
    }
    return { execution_id: executionId, status: 'cancelling' };
  }

  /** Hands data (or an approval) to a waiting callback step; the workflow says no when it is not waiting. */
  async callback(executionId: string, stepId: string, body: { data?: unknown; approved?: boolean; by?: string }): Promise<StepState> {
    const handle = this.client.workflow.getHandle(executionId);
    try {
      return await handle.executeUpdate(submitCallbackUpdate, { args: [{ step_id: stepId, data: body.data, approved: body.approved, by: body.by }] });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        const reason = err.cause?.message ?? 'refused';
        // The workflow's own check of the body (`data` past its bounds) names the field: the caller's 400.
        if (err.cause instanceof ApplicationFailure && err.cause.type === 'InvalidCallback') throw new BadRequestException(reason);
        if (/unknown step|no step/i.test(reason)) throw new NotFoundException(`stepId: ${reason}`);
        throw new ConflictException(`stepId: ${reason}`);
      }
      if (err instanceof WorkflowNotFoundError) {
        // Updates reach running workflows only: tell a finished run from a missing one.
        const finished = await handle.describe().then(
          (d) => d.status.name,
          () => undefined,
        );
        if (finished) throw new ConflictException(`executionId: execution ${executionId} has already finished (${finished.toLowerCase()})`);
        throw new NotFoundException(`executionId: no execution ${executionId}`);
      }
      throw toHttpError(err, executionId);
    }
  }
}
