import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { FOLLOW_UP_PURPOSES } from '../../contracts/follow-up';
import { safeText } from '../common/safe-text';

export const chatIdParamSchema = z.object({ chatId: safeText(128).trim().min(1) });
export class ChatIdParamDto extends createZodDto(chatIdParamSchema) {}

export const campaignControlSchema = z
  .object({
    /** Only this purpose's campaign; all of the chat's running campaigns when absent. */
    purpose: z.enum(FOLLOW_UP_PURPOSES).optional(),
    by: z.string().trim().min(1).max(128).optional(),
  })
  .strict();
export class CampaignControlDto extends createZodDto(campaignControlSchema) {}

export const campaignRescheduleSchema = z
  .object({
    purpose: z.enum(FOLLOW_UP_PURPOSES),
    /** When the next step goes out instead (quiet hours still apply). */
    at: z.iso.datetime({ offset: true }),
    by: z.string().trim().min(1).max(128).optional(),
  })
  .strict();
export class CampaignRescheduleDto extends createZodDto(campaignRescheduleSchema) {}
