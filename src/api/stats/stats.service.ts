import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config';
import {
  agentPerformance,
  followUpEffectiveness,
  handoffWaits,
  messagesPerHour,
  repliesByChannel,
  type AgentStats,
  type FollowUpStats,
  type HandoffWaits,
  type MessageSeries,
  type ReplyStats,
} from '../../persistence/stats';
import { APP_CONFIG } from '../common/tokens';

/** The console's numbers, read from the projections at the time of the request. */
@Injectable()
export class StatsService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  messages(hours: number): Promise<MessageSeries> {
    return messagesPerHour(this.db, { hours, now: new Date() });
  }

  handoffs(hours: number): Promise<HandoffWaits> {
    return handoffWaits(this.db, { hours, now: new Date() });
  }

  replies(hours: number): Promise<ReplyStats> {
    return repliesByChannel(this.db, { hours, now: new Date() });
  }

  agents(hours: number): Promise<AgentStats> {
    return agentPerformance(this.db, { hours, now: new Date() });
  }

  followUps(days: number): Promise<FollowUpStats> {
    return followUpEffectiveness(this.db, { days, now: new Date(), replyWindowHours: this.config.followUps.replyWindowHours });
  }
}
