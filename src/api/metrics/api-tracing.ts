import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '../../config';
import { currentTracing, installTracing, type Tracing } from '../../observability/tracing';
import { APP_CONFIG } from '../common/tokens';

/**
 * Tracing for the API process (OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set), unless
 * something installed it earlier (a test with its in-memory exporter); flushed on shutdown.
 * A provider rather than code in main.ts, so Nest's shutdown hooks flush the last spans.
 */
@Injectable()
export class ApiTracing implements OnApplicationShutdown {
  private readonly logger = new Logger('ApiTracing');
  private readonly own: Tracing | undefined;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    if (currentTracing()) return;
    const { otlpEndpoint, serviceName } = config.observability;
    this.own = installTracing({ serviceName, component: 'api', otlpEndpoint });
    if (this.own) this.logger.log(`tracing: exporting spans to ${otlpEndpoint}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.own?.shutdown();
  }
}
