import { Controller, Get, Inject, Injectable, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Client } from '@temporalio/client';
import { createZodDto } from 'nestjs-zod';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import type { AppConfig } from '../../config';
import { executionStateQuery, type ExecutionState } from '../../contracts/run-definition';
import { WorkflowDefinition } from '../../persistence/entities/workflow-definition.entity';
import { Roles } from '../auth/roles.decorator';
import { queryRunningWorkflows } from '../common/running-workflows';
import { limitQuery } from '../common/pagination';
import { APP_CONFIG } from '../common/tokens';

/** Running executions one list looks at, newest first; past them the list says `truncated`. */
export const EXECUTION_SCAN_LIMIT = 200;

export const callbackListQuerySchema = z
  .object({
    /** Only callbacks waiting now can be listed (answered ones are in their execution's steps). */
    status: z.enum(['pending']).default('pending'),
    limit: limitQuery(50),
  })
  .strict();
export class CallbackListQueryDto extends createZodDto(callbackListQuerySchema) {}

/** A callback step waiting for its approval or data; answered by `POST /api/v1/executions/:executionId/callbacks/:stepId`. */
export interface PendingCallback {
  executionId: string;
  /** The definition's id (seed 004's `workflow_id`). */
  workflowId: string;
  version: number;
  definitionName: string | null;
  stepId: string;
  stepName: string | null;
  /** When the step began waiting. */
  waitingSince: string | null;
  executionStartedAt: string;
}

export interface PendingCallbackList {
  callbacks: PendingCallback[];
  /** More running executions exist than this list looked at. */
  truncated: boolean;
  /** Running executions whose state could not be read in time (no worker answering). */
  unavailable: number;
}

/**
 * Callback steps waiting now, across executions. A waiting callback lives only in its
 * execution's state (`waiting_for_callback` on the step), so the running `runDefinition`
 * workflows of this task queue (sub-workflow children included, which have no row of their
 * own) are asked for it. Oldest wait first.
 */
@Injectable()
export class PendingCallbacksService {
  constructor(
    @Inject(Client) private readonly client: Client,
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async pending(limit: number): Promise<PendingCallbackList> {
    const { states: read, truncated } = await queryRunningWorkflows(this.client, {
      workflowType: 'runDefinition',
      taskQueue: this.config.temporal.taskQueue,
      scanLimit: EXECUTION_SCAN_LIMIT,
      query: executionStateQuery,
      enough: (states) => states.reduce((n, s) => n + (s ? waiting(s).length : 0), 0) >= limit,
    });
    const states = read.flatMap((r) => (r.state ? [r.state] : []));
    const definitions = await this.definitions(states);
    const callbacks = states.flatMap((state) => {
      const definition = definitions.get(`${state.workflow_id}:${state.version}`);
      return waiting(state).map(
        (step): PendingCallback => ({
          executionId: state.execution_id,
          workflowId: state.workflow_id,
          version: state.version,
          definitionName: definition?.name ?? null,
          stepId: step.step_id,
          stepName: definition?.stepNames.get(step.step_id) ?? null,
          waitingSince: step.started_at ?? null,
          executionStartedAt: state.started_at,
        }),
      );
    });
    callbacks.sort((a, b) => (a.waitingSince ?? '').localeCompare(b.waitingSince ?? '') || a.executionId.localeCompare(b.executionId) || a.stepId.localeCompare(b.stepId));
    return { callbacks: callbacks.slice(0, limit), truncated: truncated || callbacks.length > limit, unavailable: read.length - states.length };
  }

  /** The name and step names of each definition version the states ran. */
  private async definitions(states: ExecutionState[]): Promise<Map<string, { name: string; stepNames: Map<string, string> }>> {
    const wanted = [...new Map(states.filter((s) => waiting(s).length > 0).map((s) => [`${s.workflow_id}:${s.version}`, { workflowId: s.workflow_id, version: s.version }])).values()];
    const out = new Map<string, { name: string; stepNames: Map<string, string> }>();
    if (wanted.length === 0) return out;
    const rows = await this.db.getRepository(WorkflowDefinition).find({ where: wanted });
    for (const row of rows) {
      const stepNames = new Map<string, string>();
      for (const step of row.steps as Array<{ step_id?: unknown; name?: unknown }>) {
        if (typeof step.step_id === 'string' && typeof step.name === 'string') stepNames.set(step.step_id, step.name);
      }
      out.set(`${row.workflowId}:${row.version}`, { name: row.name, stepNames });
    }
    return out;
  }
}

function waiting(state: ExecutionState) {
  return state.status === 'running' ? state.steps.filter((s) => s.step_type === 'callback' && s.waiting_for_callback === true) : [];
}

@ApiTags('workflow definitions')
@Roles('operator')
@Controller('api/v1/callbacks')
export class PendingCallbacksController {
  constructor(private readonly callbacks: PendingCallbacksService) {}

  @Get()
  @ApiOkResponse({ description: '`{callbacks: [{executionId, workflowId, version, definitionName, stepId, stepName, waitingSince, executionStartedAt}], truncated, unavailable}`, oldest wait first' })
  @ApiBadRequestResponse({ description: '`status` is not `pending`, or `limit` is not 1 to 100' })
  list(@Query() q: CallbackListQueryDto) {
    return this.callbacks.pending(q.limit);
  }
}
