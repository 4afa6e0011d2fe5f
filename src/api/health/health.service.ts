import { Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config';
import { APP_CONFIG } from '../common/tokens';
import { withTimeout } from '../common/with-timeout';
import { WORKER_HEARTBEAT_INTERVAL_MS } from '../../temporal/worker-heartbeats';

/** One dependency's answer; the details (address, pollers, database type) vary by check. */
export type Check = { status: 'up' | 'down'; error?: string; [detail: string]: unknown };

export interface Liveness {
  status: 'ok';
  uptimeSeconds: number;
}

export interface Readiness {
  status: 'ready' | 'not_ready';
  checks: { temporal: Check; worker: Check; database: Check };
}

const CHECK_DEADLINE_MS = 2000;
/** `temporal.api.enums.v1.WorkerStatus.WORKER_STATUS_RUNNING`. */
const WORKER_RUNNING = 1;
/** A worker whose last heartbeat is older than this is gone (three heartbeats missed). */
const WORKER_STALE_AFTER_MS = 3 * WORKER_HEARTBEAT_INTERVAL_MS + 1000;

/** gRPC UNIMPLEMENTED, or a server with the API turned off (ListWorkers, worker heartbeats). */
function isUnsupported(err: unknown): boolean {
  const code = (err as { code?: number }).code;
  return code === 12 || (code === 9 && /disabled|not enabled/i.test((err as Error).message)) || /ListWorkers is disabled|worker heartbeat/i.test((err as Error).message ?? '');
}

function secondsOf(duration: { seconds?: number | Long | string | null; nanos?: number | null } | null | undefined): number {
  if (!duration) return 0;
  return Number(duration.seconds ?? 0) + (duration.nanos ?? 0) / 1e9;
}
/** `temporal.api.enums.v1.TaskQueueType` values (the proto package is not a direct dependency). */
const TaskQueueType = { WORKFLOW: 1, ACTIVITY: 2 } as const;

/**
 * Asks the process's dependencies whether they answer: Temporal (and a worker polling the
 * task queue) and the database, each within a short deadline so a probe never hangs.
 */
@Injectable()
export class HealthService {
  private readonly startedAt = Date.now();

  constructor(
    @Inject(Client) private readonly client: Client,
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  liveness(): Liveness {
    return { status: 'ok', uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000) };
  }

  /** Ready when Temporal and the database answer and at least one worker polls the task queue. */
  async readiness(): Promise<Readiness> {
    const [{ temporal, worker }, database] = await Promise.all([this.checkTemporal(), this.checkDatabase()]);
    const ready = temporal.status === 'up' && worker.status === 'up' && database.status === 'up';
    return { status: ready ? 'ready' : 'not_ready', checks: { temporal, worker, database } };
  }

  private async checkTemporal(): Promise<{ temporal: Check; worker: Check }> {
    const { address, taskQueue } = this.config.temporal;
    try {
      const worker = await this.client.connection.withDeadline(Date.now() + CHECK_DEADLINE_MS, () => this.checkWorkers());
      const workersPolling = typeof worker.workers === 'number' ? worker.workers : Math.min(...Object.values(worker.pollers as Record<string, number>));
      return { temporal: { status: 'up', address, workersPolling }, worker };
    } catch (err) {
      const error = (err as Error).message;
      return { temporal: { status: 'down', address, error }, worker: { status: 'down', taskQueue, error: 'Temporal unreachable' } };
    }
  }

  /**
   * Whether a worker serves the task queue now. Workers send the server a heartbeat every
   * WORKER_HEARTBEAT_INTERVAL_MS (and a last one saying they shut down); one counts while
   * it runs and its last heartbeat is fresh, so the answer turns within seconds of the last
   * worker stopping or being killed. A server without worker heartbeats (ListWorkers off)
   * is asked for the queue's pollers instead, which it remembers for minutes after a worker
   * is gone: the check says which way it knows.
   */
  private async checkWorkers(): Promise<Check> {
    const { namespace, taskQueue } = this.config.temporal;
    await this.client.workflowService.getSystemInfo({});
    let listed;
    try {
      listed = await this.client.workflowService.listWorkers({ namespace, pageSize: 100, query: `TaskQueue = '${taskQueue.replace(/'/g, "''")}'` });
    } catch (err) {
      if (!isUnsupported(err)) throw err;
      return this.checkPollers();
    }
    const live = (listed.workersInfo ?? [])
      .map((w) => w.workerHeartbeat)
      // The server keeps the last heartbeat it got: its age says whether the worker still runs.
      .filter((h) => h && h.status === WORKER_RUNNING && Date.now() - secondsOf(h.heartbeatTime) * 1000 <= WORKER_STALE_AFTER_MS);
    return live.length > 0
      ? { status: 'up', taskQueue, workers: live.length, source: 'worker heartbeats' }
      : { status: 'down', taskQueue, workers: 0, source: `worker heartbeats (none in the last ${WORKER_STALE_AFTER_MS / 1000} s)`, error: `no worker polls task queue ${taskQueue}` };
  }

  private async checkPollers(): Promise<Check> {
    const { namespace, taskQueue } = this.config.temporal;
    // Both kinds of poller: a worker with only one of them still leaves work waiting.
    const [workflow, activity] = await Promise.all(
      [TaskQueueType.WORKFLOW, TaskQueueType.ACTIVITY].map((taskQueueType) =>
        this.client.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType }),
      ),
    );
    const pollers = { workflow: workflow.pollers?.length ?? 0, activity: activity.pollers?.length ?? 0 };
    return Math.min(pollers.workflow, pollers.activity) > 0
      ? { status: 'up', taskQueue, pollers, source: 'task queue pollers (kept by the server for minutes after a worker stops)' }
      : { status: 'down', taskQueue, pollers, source: 'task queue pollers', error: `no worker polls task queue ${taskQueue}` };
  }

  private async checkDatabase(): Promise<Check> {
    try {
      await withTimeout(this.db.query('SELECT 1'), CHECK_DEADLINE_MS);
      return { status: 'up', type: this.db.options.type };
    } catch (err) {
      return { status: 'down', type: this.db.options.type, error: (err as Error).message };
    }
  }
}
