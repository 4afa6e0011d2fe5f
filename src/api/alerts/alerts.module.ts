import { Module } from '@nestjs/common';
import { AlertsController } from './alerts.controller';
import { AlertsService } from './alerts.service';

/** `GET /api/alerts`, `POST /api/alerts/evaluate`, and the alerts schedule (created at start). */
@Module({ controllers: [AlertsController], providers: [AlertsService] })
export class AlertsModule {}
