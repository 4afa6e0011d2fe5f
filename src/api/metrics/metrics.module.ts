import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { ALL_ROUTES, HttpObservabilityMiddleware } from './http-observability.middleware';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/** `GET /metrics` (Prometheus), and a span and a latency observation for every request. */
@Module({
  controllers: [MetricsController],
  providers: [MetricsService],
})
export class MetricsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpObservabilityMiddleware).forRoutes(ALL_ROUTES);
  }
}
