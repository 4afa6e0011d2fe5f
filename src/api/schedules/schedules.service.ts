import { randomUUID } from 'node:crypto';
import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import {
  Client,
  isGrpcServiceError,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type ScheduleDescription,
  type ScheduleExecutionResult,
  type ScheduleOptions,
  type ScheduleSummary,
} from '@temporalio/client';
import type { AppConfig } from '../../config';
import { toHttpError } from '../common/temporal-errors';
import { lenientDataConverterFor } from '../../codec';
import { APP_CONFIG } from '../common/tokens';
import type { SchedulableWorkflow } from './schedulable-workflows';
import { MEMO_KEY, MIN_EVERY_MS, onceInstant, parseEvery, onceSpec, specView, type SavedSpec, type SpecKind, type SpecView } from './schedule-spec';

/** How many upcoming times a view lists. */
export const NEXT_ACTION_TIMES = 5;
/** A bound on `GET /api/schedules`: the list is namespace-wide. */
export const MAX_LISTED_SCHEDULES = 1000;

const GRPC_INVALID_ARGUMENT = 3;

export interface CreateScheduleInput {
  id?: string;
  workflow: SchedulableWorkflow;
  input: Record<string, unknown>;
  once?: string;
  every?: string;
  cron?: string;
  timezone?: string;
  paused: boolean;
  note?: string;
}

export interface RecentActionView {
  scheduledAt: string;
  startedAt: string;
  workflowId: string;
  runId: string;
}

export interface ScheduleListItem {
  id: string;
  workflow: string | null;
  spec: SpecView;
  paused: boolean;
  note: string | null;
  nextActionTimes: string[];
  recentActions: RecentActionView[];
}

export interface ScheduleView extends ScheduleListItem {
  input: unknown;
  taskQueue: string;
  remainingActions: number | null;
  createdAt: string;
}

function recentActionView(a: ScheduleExecutionResult): RecentActionView {
  return {
    scheduledAt: a.scheduledAt.toISOString(),
    startedAt: a.takenAt.toISOString(),
    workflowId: a.action.workflow.workflowId,
    runId: a.action.workflow.firstExecutionRunId,
  };
}

export function scheduleView(d: ScheduleDescription): ScheduleView {
  return {
    id: d.scheduleId,
    workflow: d.action.workflowType,
    input: d.action.args?.[0] ?? null,
    taskQueue: d.action.taskQueue,
    spec: specView(d.spec, d.memo),
    paused: d.state.paused,
    note: d.state.note || null,
    remainingActions: d.state.remainingActions ?? null,
    nextActionTimes: d.info.nextActionTimes.slice(0, NEXT_ACTION_TIMES).map((t) => t.toISOString()),
    recentActions: d.info.recentActions.map(recentActionView),
    createdAt: d.info.createdAt.toISOString(),
  };
}

/** A list entry: what the (eventually consistent) list carries, without input and creation time. */
export function scheduleListItem(s: ScheduleSummary): ScheduleListItem {
  return {
    id: s.scheduleId,
    workflow: s.action?.workflowType ?? null,
    spec: specView(s.spec, s.memo),
    paused: s.state.paused,
    note: s.state.note || null,
    nextActionTimes: s.info.nextActionTimes.slice(0, NEXT_ACTION_TIMES).map((t) => t.toISOString()),
    recentActions: s.info.recentActions.map(recentActionView),
  };
}

function isInvalidArgument(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if (isGrpcServiceError(e) && e.code === GRPC_INVALID_ARGUMENT) return true;
  }
  return false;
}

/** Temporal's schedule errors as the HTTP errors a caller can act on; the rest as `toHttpError` maps them. */
export function toScheduleHttpError(err: unknown, scheduleId?: string): unknown {
  if (err instanceof ScheduleNotFoundError) return new NotFoundException(`id: no schedule ${scheduleId ?? err.scheduleId}`);
  if (err instanceof ScheduleAlreadyRunning) return new ConflictException(`id: a schedule ${scheduleId ?? err.scheduleId} already exists`);
  return toHttpError(err);
}

/**
 * The server refused a spec at creation: the SDK turns "Invalid schedule spec" into a
 * TypeError, other refusals arrive as INVALID_ARGUMENT. Either names the field the caller
 * gave: the time zone when the server says so, otherwise the spec itself.
 */
function refusedSpec(err: unknown, kind: SpecKind): BadRequestException | undefined {
  const refused = err instanceof TypeError || isInvalidArgument(err);
  if (!refused) return undefined;
  let detail = (err as Error).message;
  for (let e: unknown = (err as { cause?: unknown }).cause; e; e = (e as { cause?: unknown }).cause) {
    if (isGrpcServiceError(e)) detail = e.details || e.message;
  }
  const field = /time ?zone/i.test(detail) ? 'timezone' : kind;
  return new BadRequestException(`${field}: refused by Temporal: ${detail.replace(/^3 INVALID_ARGUMENT: /, '')}`);
}

@Injectable()
export class SchedulesService {
  /**
   * Lists with a client that does not fail on a schedule whose memo it cannot decrypt (made
   * by a deployment with other keys): that entry loses its saved spec text, the list stands.
   */
  private readonly lister: Client;

  constructor(
    @Inject(Client) private readonly temporal: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.lister = new Client({ connection: temporal.connection, namespace: temporal.options.namespace, dataConverter: lenientDataConverterFor(config) });
  }

  async create(req: CreateScheduleInput): Promise<ScheduleView> {
    const scheduleId = req.id ?? `${req.workflow}-${randomUUID()}`;
    const timezone = req.timezone ?? this.config.business.timezone;
    const kind: SpecKind = req.once !== undefined ? 'once' : req.every !== undefined ? 'every' : 'cron';
    const saved: SavedSpec = { kind, value: (req.once ?? req.every ?? req.cron) as string, timezone };

    let spec: ScheduleOptions['spec'];
    let remainingActions: number | undefined;
    if (kind === 'once') {
      spec = onceSpec(onceInstant(new Date(saved.value)));
      remainingActions = 1;
    } else if (kind === 'every') {
      spec = { intervals: [{ every: parseEvery(saved.value) ?? MIN_EVERY_MS }], timezone };
    } else {
      spec = { cronExpressions: [saved.value.trim()], timezone };
    }

    try {
      await this.temporal.schedule.create({
        scheduleId,
        spec,
        action: {
          type: 'startWorkflow',
          workflowType: req.workflow,
          taskQueue: this.config.temporal.taskQueue,
          args: [req.input],
        },
        policies: { overlap: 'SKIP' },
        state: { paused: req.paused, note: req.note, remainingActions },
        memo: { [MEMO_KEY]: saved },
      });
    } catch (err) {
      throw refusedSpec(err, kind) ?? toScheduleHttpError(err, scheduleId);
    }
    return this.get(scheduleId);
  }

  async list(): Promise<{ items: ScheduleListItem[] }> {
    const items: ScheduleListItem[] = [];
    try {
      for await (const s of this.lister.schedule.list({ pageSize: 100 })) {
        items.push(scheduleListItem(s));
        if (items.length >= MAX_LISTED_SCHEDULES) break;
      }
    } catch (err) {
      throw toScheduleHttpError(err);
    }
    return { items };
  }

  async get(id: string): Promise<ScheduleView> {
    try {
      return scheduleView(await this.temporal.schedule.getHandle(id).describe());
    } catch (err) {
      throw toScheduleHttpError(err, id);
    }
  }

  async pause(id: string, note?: string): Promise<ScheduleView> {
    await this.run(id, (h) => h.pause(note ?? 'paused through the API'));
    return this.get(id);
  }

  async unpause(id: string, note?: string): Promise<ScheduleView> {
    await this.run(id, (h) => h.unpause(note ?? 'unpaused through the API'));
    return this.get(id);
  }

  /** Starts the workflow now, whatever else is running (overlap ALLOW_ALL); the run shows in `recentActions` moments later. */
  async trigger(id: string): Promise<ScheduleView & { triggered: true }> {
    await this.run(id, (h) => h.trigger('ALLOW_ALL'));
    return { triggered: true, ...(await this.get(id)) };
  }

  async delete(id: string): Promise<void> {
    await this.run(id, (h) => h.delete());
  }

  private async run(id: string, work: (h: ReturnType<Client['schedule']['getHandle']>) => Promise<void>): Promise<void> {
    try {
      await work(this.temporal.schedule.getHandle(id));
    } catch (err) {
      throw toScheduleHttpError(err, id);
    }
  }
}
