import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Client } from '@temporalio/client';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config';
import { APP_CONFIG } from '../common/tokens';
import { Public } from '../auth/roles.decorator';
import { withTimeout } from '../common/with-timeout';

type Check = { status: 'up' | 'down'; error?: string; [detail: string]: unknown };

const CHECK_DEADLINE_MS = 2000;
/** `temporal.api.enums.v1.TaskQueueType` values (the proto package is not a direct dependency). */
const TaskQueueType = { WORKFLOW: 1, ACTIVITY: 2 } as const;


@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  private readonly startedAt = Date.now();

  constructor(
    @Inject(Client) private readonly client: Client,
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Liveness: the process is up and serving. */
  @Get()
  @ApiOkResponse({ description: 'the process is up' })
  live(): { status: 'ok'; uptimeSeconds: number } {
    return { status: 'ok', uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000) };
  }

  /**
   * Readiness: Temporal and the database answer, and at least one worker polls the task
   * queue. Without a worker, messages would be accepted and then wait unseen, so a load
   * balancer (or compose's healthcheck) should not send traffic yet.
   */
  @Get('ready')
  @ApiOkResponse({ description: 'Temporal and the database answer and a worker polls the task queue' })
  @ApiServiceUnavailableResponse({ description: 'a dependency does not answer or no worker polls; see `checks`' })
  async ready(@Res({ passthrough: true }) res: Response): Promise<{ status: string; checks: Record<string, Check> }> {
    const [{ temporal, worker }, database] = await Promise.all([this.checkTemporal(), this.checkDatabase()]);
    const ready = temporal.status === 'up' && worker.status === 'up' && database.status === 'up';
    res.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ready ? 'ready' : 'not_ready', checks: { temporal, worker, database } };
  }

  private async checkTemporal(): Promise<{ temporal: Check; worker: Check }> {
    const { address, namespace, taskQueue } = this.config.temporal;
    try {
      const pollers = await this.client.connection.withDeadline(Date.now() + CHECK_DEADLINE_MS, async () => {
        await this.client.workflowService.getSystemInfo({});
        // Both kinds of poller: a worker with only one of them still leaves work waiting.
        const [workflow, activity] = await Promise.all(
          [TaskQueueType.WORKFLOW, TaskQueueType.ACTIVITY].map((taskQueueType) =>
            this.client.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType }),
          ),
        );
        return { workflow: workflow.pollers?.length ?? 0, activity: activity.pollers?.length ?? 0 };
      });
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

  private async checkDatabase(): Promise<Check> {
    try {
      await withTimeout(this.db.query('SELECT 1'), CHECK_DEADLINE_MS);
      return { status: 'up', type: this.db.options.type };
    } catch (err) {
      return { status: 'down', type: this.db.options.type, error: (err as Error).message };
    }
  }
}
