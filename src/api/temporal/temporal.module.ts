import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { AppConfig } from '../../config';
import { dataConverterFor } from '../../codec';
import { temporalConnectionOptions } from '../../temporal/connection-options';
import { clientInterceptors } from '../../temporal/deadlines';
import { APP_CONFIG } from '../common/tokens';

/**
 * The Temporal client, on a lazy connection: the API starts (and `/health` answers) while
 * Temporal is down, and `/health/ready` reports it until the cluster is reachable.
 */
@Global()
@Module({
  providers: [
    {
      provide: Client,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new Client({
          // A short connect timeout: a caller waiting on a down cluster gets a 503 it can retry.
          // Every call with a deadline (long polls aside): a down cluster is a 503 in seconds, not 20 s.
          connection: Connection.lazy({ ...temporalConnectionOptions(config), connectTimeout: '3 seconds', interceptors: clientInterceptors() }),
          namespace: config.temporal.namespace,
          // Encrypts what it sends and decrypts what it reads when PAYLOAD_ENCRYPTION_KEYS is set.
          dataConverter: dataConverterFor(config),
          // Carries the request's trace into the workflow and its activities (no-op without tracing).
          interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
        }),
    },
  ],
  exports: [Client],
})
export class TemporalModule implements OnApplicationShutdown {
  constructor(@Inject(Client) private readonly client: Client) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.connection.close();
  }
}
