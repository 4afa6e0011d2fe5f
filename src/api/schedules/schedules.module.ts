import { Module } from '@nestjs/common';
import { SchedulesController } from './schedules.controller';
import { SchedulesService } from './schedules.service';

/** `/api/schedules`: Temporal Schedules of allow-listed workflows. Needs the global Temporal `Client` and `APP_CONFIG`. */
@Module({ controllers: [SchedulesController], providers: [SchedulesService], exports: [SchedulesService] })
export class SchedulesModule {}
