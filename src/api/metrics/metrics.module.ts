import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { ApiTracing } from './api-tracing';
import { ALL_ROUTES, HttpObservabilityMiddleware } from './http-observability.middleware';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/** `GET /metrics` (Prometheus), and a span and a latency observation for every request (tracing installed here). */
@Module({
  controllers: [MetricsController],
  providers: [MetricsService, ApiTracing],
})
export class MetricsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpObservabilityMiddleware).forRoutes(ALL_ROUTES);
  }
}
