import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Client } from '@temporalio/client';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config';
import { APP_CONFIG } from '../common/tokens';
import { Public } from '../auth/roles.decorator';

type Check = { status: 'up' | 'down'; error?: string; [detail: string]: unknown };

const CHECK_DEADLINE_MS = 2000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref()),
  ]);
}

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

  /** Readiness: Temporal and the database answer. Workers polling the queue are reported too. */
  @Get('ready')
  @ApiOkResponse({ description: 'Temporal and the database answer' })
  @ApiServiceUnavailableResponse({ description: 'a dependency does not answer; see `checks`' })
  async ready(@Res({ passthrough: true }) res: Response): Promise<{ status: string; checks: Record<string, Check> }> {
    const [temporal, database] = await Promise.all([this.checkTemporal(), this.checkDatabase()]);
    const ready = temporal.status === 'up' && database.status === 'up';
    res.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ready ? 'ready' : 'not_ready', checks: { temporal, database } };
  }

  private async checkTemporal(): Promise<Check> {
    try {
      const pollers = await this.client.connection.withDeadline(Date.now() + CHECK_DEADLINE_MS, async () => {
        await this.client.workflowService.getSystemInfo({});
        const queue = await this.client.workflowService.describeTaskQueue({
          namespace: this.config.temporal.namespace,
          taskQueue: { name: this.config.temporal.taskQueue },
        });
        return queue.pollers?.length ?? 0;
      });
      return { status: 'up', address: this.config.temporal.address, workersPolling: pollers };
    } catch (err) {
      return { status: 'down', address: this.config.temporal.address, error: (err as Error).message };
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
