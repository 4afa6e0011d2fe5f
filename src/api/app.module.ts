import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '../config';
import { createLogger } from '../observability/logger';
import { AgentsModule } from './agents/agents.module';
import { AlertsModule } from './alerts/alerts.module';
import { CodecModule } from './codec/codec.module';
import { ConsoleModule } from './console/console.module';
import { ConversationsModule } from './conversations/conversations.module';
import { ApiKeyGuard } from './auth/api-key.guard';
import { RateLimitGuard, throttlerOptions } from './common/rate-limits';
import { APP_CONFIG } from './common/tokens';
import { WorkflowIdLogInterceptor } from './common/workflow-id-log.interceptor';
import { DatabaseModule } from './database.module';
import { EventsModule } from './events/events.module';
import { FollowUpsModule } from './follow-ups/follow-ups.module';
import { HandoffsModule } from './handoffs/handoffs.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { MessagesModule } from './messages/messages.module';
import { SchedulesModule } from './schedules/schedules.module';
import { StatsModule } from './stats/stats.module';
import { TasksModule } from './tasks/tasks.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { WorkflowDefinitionsModule } from './workflow-definitions/workflow-definitions.module';
import { TemporalModule } from './temporal/temporal.module';

@Module({})
export class AppModule {
  /** The API's module tree for one validated config; tests build it with their own. */
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        ThrottlerModule.forRoot(throttlerOptions(config)),
        LoggerModule.forRoot({
          pinoHttp: {
            logger: createLogger(config.logLevel, 'switchboard-api'),
            // Health probes every few seconds would drown the request log.
            autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') },
          },
          // Fields a request binds (its workflow id) reach its "request completed" line too.
          assignResponse: true,
        }),
        TemporalModule,
        DatabaseModule,
        MessagesModule,
        TasksModule,
        WebhooksModule,
        AgentsModule,
        HandoffsModule,
        ConversationsModule,
        FollowUpsModule,
        SchedulesModule,
        WorkflowDefinitionsModule,
        HealthModule,
        MetricsModule,
        CodecModule,
        StatsModule,
        AlertsModule,
        EventsModule,
        ConsoleModule,
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        // Rate limits first: floods, including floods of wrong keys, stop before any other work.
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_INTERCEPTOR, useClass: WorkflowIdLogInterceptor },
      ],
      exports: [APP_CONFIG],
    };
  }
}
