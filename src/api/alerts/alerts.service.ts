import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Client, ScheduleNotFoundError } from '@temporalio/client';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config';
import { alertsScheduleId } from '../../contracts/alerts';
import { alertView, listAlerts, type AlertListFilter, type AlertView } from '../../persistence/alert-store';
import { ensureAlertsSchedule } from '../../tasks/alerts-schedule';
import { toHttpError } from '../common/temporal-errors';
import { APP_CONFIG } from '../common/tokens';

/** The alerts (read from the database) and their schedule, which the API creates at start. */
@Injectable()
export class AlertsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('AlertsService');

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(Client) private readonly temporal: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get scheduleId(): string {
    return alertsScheduleId(this.config.temporal.taskQueue);
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      const result = await this.ensureSchedule();
      this.logger.log(`alerts schedule ${this.scheduleId} ${result} (every ${this.config.alerts.everySeconds} s)`);
    } catch (err) {
      // The API still serves; the schedule is created at the next start or the next POST /api/alerts/evaluate.
      this.logger.warn(`could not create the alerts schedule: ${(err as Error).message}`);
    }
  }

  private ensureSchedule() {
    return ensureAlertsSchedule(this.temporal, { taskQueue: this.config.temporal.taskQueue, everySeconds: this.config.alerts.everySeconds });
  }

  async list(filter: AlertListFilter): Promise<{ alerts: AlertView[] }> {
    return { alerts: (await listAlerts(this.db, filter)).map(alertView) };
  }

  /**
   * Evaluates now: triggers the schedule (created first if it is missing). A run already
   * going is let finish and this one follows it (BUFFER_ONE), so it sees what was fixed.
   */
  async evaluateNow(): Promise<{ scheduleId: string; triggered: true }> {
    const scheduleId = this.scheduleId;
    try {
      try {
        await this.temporal.schedule.getHandle(scheduleId).trigger('BUFFER_ONE');
      } catch (err) {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
        await this.ensureSchedule();
        await this.temporal.schedule.getHandle(scheduleId).trigger('BUFFER_ONE');
      }
    } catch (err) {
      throw toHttpError(err);
    }
    return { scheduleId, triggered: true };
  }
}
