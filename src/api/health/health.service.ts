import { Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config';
import { APP_CONFIG } from '../common/tokens';
import { withTimeout } from '../common/with-timeout';

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
      const pollers = await this.client.connection.withDeadline(Date.now() + CHECK_DEADLINE_MS, () => this.countPollers());
      const polling = Math.min(pollers.workflow, pollers.activity);
      return {
        temporal: { status: 'up', address, workersPolling: polling },
        worker:
          polling > 0
            ? { status: 'up', taskQueue, pollers }
            : { status: 'down', taskQueue, pollers, error: `no worker polls task queue ${taskQueue}` },
      };
    } catch (err) {
      const error = (err as Error).message;
      return { temporal: { status: 'down', address, error }, worker: { status: 'down', taskQueue, error: 'Temporal unreachable' } };
    }
  }

  private async countPollers(): Promise<{ workflow: number; activity: number }> {
    const { namespace, taskQueue } = this.config.temporal;
    await this.client.workflowService.getSystemInfo({});
    // Both kinds of poller: a worker with only one of them still leaves work waiting.
    const [workflow, activity] = await Promise.all(
      [TaskQueueType.WORKFLOW, TaskQueueType.ACTIVITY].map((taskQueueType) =>
        this.client.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType }),
      ),
    );
    return { workflow: workflow.pollers?.length ?? 0, activity: activity.pollers?.length ?? 0 };
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
