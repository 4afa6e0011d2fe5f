import { BadRequestException, ConflictException, Inject, Injectable, Logger, NotFoundException, type OnApplicationBootstrap } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config';
import { InvalidTransitionError } from '../../domain/task-lifecycle';
import { ensureCleanupSchedule } from '../../tasks/cleanup-schedule';
import { TaskManager, TaskNotFoundError, WorkflowOwnedTransitionError } from '../../tasks/task-manager';
import { toHttpError } from '../common/temporal-errors';
import { APP_CONFIG } from '../common/tokens';

/** Domain errors of the task manager, as the HTTP errors a caller can act on. */
export function toTaskHttpError(err: unknown): unknown {
  if (err instanceof TaskNotFoundError) return new NotFoundException(err.message);
  if (err instanceof InvalidTransitionError || err instanceof WorkflowOwnedTransitionError) return new ConflictException(err.message);
  if (err instanceof RangeError) return new BadRequestException(err.message);
  return toHttpError(err);
}

/** The TaskManager as a Nest provider; also makes sure the nightly cleanup is scheduled. */
@Injectable()
export class TasksService extends TaskManager implements OnApplicationBootstrap {
  private readonly logger = new Logger('TasksService');

  constructor(
    @Inject(DataSource) db: DataSource,
    @Inject(Client) private readonly temporal: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super(db, temporal, config.temporal.taskQueue);
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      const result = await ensureCleanupSchedule(this.temporal, {
        taskQueue: this.config.temporal.taskQueue,
        cron: this.config.tasks.cleanupCron,
        retentionDays: this.config.tasks.retentionDays,
        transcriptRetentionDays: this.config.conversations.retentionDays,
        timezone: this.config.business.timezone,
      });
      this.logger.log(`nightly task cleanup schedule ${result}`);
    } catch (err) {
      // The API still serves; the schedule is created at the next start.
      this.logger.warn(`could not create the task cleanup schedule: ${(err as Error).message}`);
    }
  }
}
