import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { inboundMessageSchema } from '../../domain/inbound-message';
import { safeText } from '../common/safe-text';

export class InboundMessageDto extends createZodDto(inboundMessageSchema) {}

export const acceptedMessageSchema = z.object({
  workflowId: z.string(),
  runId: z.string(),
  duplicate: z.boolean(),
});
export class AcceptedMessageDto extends createZodDto(acceptedMessageSchema) {}

export const workflowIdParamSchema = z.object({
  workflowId: safeText(600).regex(/^msg:[a-z]+:.+$/, 'must look like msg:<channel>:<message id>'),
});
export class WorkflowIdParamDto extends createZodDto(workflowIdParamSchema) {}

export const messageViewSchema = z.object({
  workflowId: z.string(),
  runId: z.string(),
  status: z.string().describe('Temporal execution status: RUNNING, COMPLETED, FAILED, ...'),
  step: z.string().describe('received, triaging, routing, delegating, replying, completed, failed'),
  chatId: z.string().optional(),
  channel: z.string().optional(),
  startedAt: z.string().optional(),
  closedAt: z.string().optional(),
  triage: z
    .object({
      intent: z.string(),
      intents: z.array(z.string()),
      confidence: z.number(),
      method: z.string(),
      language: z.string(),
      urgency: z.string(),
      flags: z.array(z.string()),
    })
    .optional(),
  route: z.object({ agent: z.string(), agents: z.array(z.string()), reason: z.string() }).optional(),
  reply: z.object({ text: z.string(), outboundId: z.string(), status: z.string() }).optional(),
  error: z.string().optional(),
});
export class MessageViewDto extends createZodDto(messageViewSchema) {}
export type MessageView = z.infer<typeof messageViewSchema>;
