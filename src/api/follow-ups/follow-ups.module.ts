import { Module } from '@nestjs/common';
import { StatsModule } from '../stats/stats.module';
import { FollowUpsController } from './follow-ups.controller';
import { FollowUpsService } from './follow-ups.service';

@Module({ imports: [StatsModule], controllers: [FollowUpsController], providers: [FollowUpsService] })
export class FollowUpsModule {}
