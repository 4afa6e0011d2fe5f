import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { limitQuery } from '../common/pagination';

/** The longest range an hourly stat reads: 30 days. */
export const MAX_STATS_HOURS = 720;
/** The longest range follow-up effectiveness reads: a quarter. */
export const MAX_STATS_DAYS = 90;

const hours = (fallback: number) => z.coerce.number().int().min(1).max(MAX_STATS_HOURS).default(fallback);

/** `?hours=24`: the last 1 to 720 hours. */
export const statsHoursQuerySchema = z.object({ hours: hours(24) }).strict();
export class StatsHoursQueryDto extends createZodDto(statsHoursQuerySchema) {}

/** `?hours=168`: agent performance defaults to the last week. */
export const agentStatsQuerySchema = z.object({ hours: hours(168) }).strict();
export class AgentStatsQueryDto extends createZodDto(agentStatsQuerySchema) {}

/** `?days=30`: follow-up steps sent in the last 1 to 90 days. */
export const followUpStatsQuerySchema = z.object({ days: z.coerce.number().int().min(1).max(MAX_STATS_DAYS).default(30) }).strict();
export class FollowUpStatsQueryDto extends createZodDto(followUpStatsQuerySchema) {}

/** Running campaigns: `active` (a step is due), `paused`, or `running` (both). */
export const CAMPAIGN_LIST_STATUSES = ['running', 'active', 'paused'] as const;
export type CampaignListStatus = (typeof CAMPAIGN_LIST_STATUSES)[number];

export const campaignListQuerySchema = z
  .object({
    status: z.enum(CAMPAIGN_LIST_STATUSES).default('running'),
    limit: limitQuery(100),
  })
  .strict();
export class CampaignListQueryDto extends createZodDto(campaignListQuerySchema) {}
