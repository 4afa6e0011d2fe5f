import { Module } from '@nestjs/common';
import { AgentStatsController, StatsController } from './stats.controller';
import { StatsService } from './stats.service';

@Module({ controllers: [StatsController, AgentStatsController], providers: [StatsService], exports: [StatsService] })
export class StatsModule {}
