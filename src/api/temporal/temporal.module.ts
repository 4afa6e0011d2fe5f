import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import type { AppConfig } from '../../config';
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
          connection: Connection.lazy({ address: config.temporal.address, connectTimeout: '3 seconds' }),
          namespace: config.temporal.namespace,
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
