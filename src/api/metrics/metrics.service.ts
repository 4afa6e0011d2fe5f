import { Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { Gauge, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config';
import { apiRegistry, METRIC_PREFIX } from '../../observability/metrics';
import { ALERT_RULES, RULE_LEVELS } from '../../domain/alerts';
import { openAlertCounts } from '../../persistence/alert-store';
import { Handoff } from '../../persistence/entities/handoff.entity';
import { APP_CONFIG } from '../common/tokens';
import { withTimeout } from '../common/with-timeout';

/** A scrape must answer quickly even when Temporal or the database does not. */
const GAUGE_DEADLINE_MS = 2000;


/**
 * The API's metrics: the process-wide API series (HTTP latency, messages received) plus
 * gauges read at scrape time from this instance's database and Temporal namespace. A gauge
 * whose source does not answer reads NaN for that scrape rather than a stale value.
 */
@Injectable()
export class MetricsService {
  private readonly gauges = new Registry();

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(Client) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const openHandoffs = () => this.openHandoffs();
    const activeCampaigns = () => this.activeCampaigns();
    const openAlerts = () => this.openAlerts();
    new Gauge({
      name: `${METRIC_PREFIX}open_handoffs`,
      help: 'Conversations waiting for a person (handoffs table, status open)',
      registers: [this.gauges],
      async collect() {
        this.set(await openHandoffs().catch(() => NaN));
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}active_campaigns`,
      help: 'Follow-up campaigns running on this task queue (Temporal visibility count)',
      registers: [this.gauges],
      async collect() {
        this.set(await activeCampaigns().catch(() => NaN));
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}alerts_open`,
      help: 'Open alerts per rule and level (alerts table); 0 for each level a rule can raise when none is open',
      labelNames: ['rule', 'level'],
      registers: [this.gauges],
      async collect() {
        this.reset();
        const counts = await openAlerts().catch(() => undefined);
        if (!counts) {
          this.set(NaN);
          return;
        }
        for (const rule of ALERT_RULES) for (const level of RULE_LEVELS[rule]) this.set({ rule, level }, 0);
        for (const c of counts) this.set({ rule: c.rule, level: c.level }, c.count);
      },
    });
  }

  get contentType(): string {
    return apiRegistry.contentType;
  }

  /** Prometheus text format: the API series and this instance's gauges. */
  async scrape(): Promise<string> {
    return Registry.merge([apiRegistry, this.gauges]).metrics();
  }

  private async openHandoffs(): Promise<number> {
    return withTimeout(this.db.getRepository(Handoff).countBy({ status: 'open' }), GAUGE_DEADLINE_MS);
  }

  private async openAlerts(): Promise<Array<{ rule: string; level: string; count: number }>> {
    return withTimeout(openAlertCounts(this.db), GAUGE_DEADLINE_MS);
  }

  private async activeCampaigns(): Promise<number> {
    const query = `WorkflowType = 'followUpCampaign' AND ExecutionStatus = 'Running' AND TaskQueue = '${this.config.temporal.taskQueue.replace(/'/g, "''")}'`;
    const { count } = await this.client.connection.withDeadline(Date.now() + GAUGE_DEADLINE_MS, () => this.client.workflow.count(query));
    return count;
  }
}
