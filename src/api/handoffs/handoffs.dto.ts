import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { MAX_BODY_LENGTH } from '../../domain/inbound-message';
import { safeText } from '../common/safe-text';
import { limitQuery } from '../common/pagination';

export const handoffReplySchema = z
  .object({
    text: z.string().trim().min(1).max(MAX_BODY_LENGTH),
    operator: z.string().trim().min(1).max(128),
  })
  .strict();
export class HandoffReplyDto extends createZodDto(handoffReplySchema) {}

/** The body is optional: `{}` or none at all closes without naming the person. */
export const handoffCloseSchema = z.preprocess(
  (body) => body ?? {},
  z
    .object({
      operator: z.string().trim().min(1).max(128).optional(),
    })
    .strict(),
);
export class HandoffCloseDto extends createZodDto(handoffCloseSchema) {}

/** A person's decision on a tool call waiting for approval (LLM mode). */
export const handoffDecisionSchema = z
  .object({
    approve: z.boolean(),
    operator: z.string().trim().min(1).max(128).optional(),
    note: z.string().trim().min(1).max(1000).optional(),
  })
  .strict();
export class HandoffDecisionDto extends createZodDto(handoffDecisionSchema) {}

export const handoffParamSchema = z.object({
  workflowId: safeText(600).regex(/^msg:[a-z]+:.+$/, 'must look like msg:<channel>:<message id>'),
});
export class HandoffParamDto extends createZodDto(handoffParamSchema) {}

export const handoffListQuerySchema = z
  .object({
    status: z.enum(['open', 'answered', 'closed', 'timed_out', 'cancelled']).default('open'),
    limit: limitQuery(50),
  })
  .strict();
export class HandoffListQueryDto extends createZodDto(handoffListQuerySchema) {}
