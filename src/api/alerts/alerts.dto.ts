import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { ALERT_LEVELS } from '../../domain/alerts';

/** The most alerts one `GET /api/alerts` returns. */
export const MAX_ALERTS_LISTED = 500;

export const alertListQuerySchema = z
  .object({
    status: z.enum(['open', 'resolved', 'all']).default('open'),
    level: z.enum(ALERT_LEVELS).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_ALERTS_LISTED).default(100),
  })
  .strict();
export class AlertListQueryDto extends createZodDto(alertListQuerySchema) {}
