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
  step: z.string().describe('queued, received, triaging, routing, delegating, replying, waiting_for_human, with_person, completed, failed'),
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
  handoff: z
    .object({
      status: z.string().describe('waiting, answered (a person holds the chat), closed, timed_out, cancelled'),
      dueAt: z.string(),
      operator: z.string().optional(),
      reply: z.object({ text: z.string(), outboundId: z.string(), status: z.string() }).optional(),
      replies: z.array(z.object({ text: z.string(), outboundId: z.string(), status: z.string(), operator: z.string() })).optional(),
      customerMessages: z.number().optional(),
      closedBy: z.string().optional(),
      workflowId: z.string().optional().describe('for a message that joined a handoff: the message workflow holding it'),
    })
    .optional(),
  turn: z
    .object({ owner: z.string(), messages: z.array(z.string()), startedAt: z.string(), finishedAt: z.string().optional() })
    .optional()
    .describe("the chat's turn that answered this message: which message ran it and which messages it answered together"),
  answer: z
    .object({ question: z.string(), agent: z.string(), reading: z.string() })
    .optional()
    .describe('how the message read against the question the chat had open'),
  pending: z
    .object({ kind: z.string(), agent: z.string(), intent: z.string(), expiresAt: z.string(), options: z.array(z.object({ label: z.string() })).optional() })
    .optional()
    .describe('the question this turn left open for the next message'),
  answeredBy: z.string().optional().describe("set when another message's turn answered this one together with it"),
  heldBy: z.string().optional().describe('set when a person held the chat: the message joined their handoff'),
  toolCalls: z
    .array(z.object({ id: z.string(), agent: z.string(), name: z.string(), summary: z.string(), status: z.string().describe('done, failed, invalid, needs_approval, refused') }))
    .optional()
    .describe("LLM mode: the tools the agents' models called, in order, each summarised in one line"),
  approval: z
    .object({
      handoffId: z.string(),
      callId: z.string(),
      agent: z.string(),
      summary: z.string(),
      reason: z.string(),
      status: z.string().describe('waiting, granted, refused, timed_out'),
      dueAt: z.string(),
      operator: z.string().optional(),
      note: z.string().optional(),
    })
    .optional()
    .describe('LLM mode: a tool call waiting for a person (POST /api/handoffs/:handoffId/decision), or the decision taken'),
  llm: z
    .object({ promptTokens: z.number(), completionTokens: z.number(), modelCalls: z.number(), fallback: z.string().optional().describe('step_limit, token_budget, ungrounded, model_failed') })
    .optional()
    .describe("LLM mode: what the turn's model calls used, and why the agents' own text was not sent when it was not"),
  error: z.string().optional(),
});
export class MessageViewDto extends createZodDto(messageViewSchema) {}
export type MessageView = z.infer<typeof messageViewSchema>;
