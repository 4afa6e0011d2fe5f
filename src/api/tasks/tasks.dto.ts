import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { CHANNELS } from '../../domain/channels';
import { MAX_BODY_LENGTH } from '../../domain/inbound-message';
import { INTENTS } from '../../domain/intents';
import { TASK_PRIORITIES, TASK_STATUSES } from '../../domain/task-lifecycle';
import { AGENT_LOG_ACTIONS } from '../../persistence/entities/agent-log.entity';
import { limitQuery, pageQuery } from '../common/pagination';

const page = pageQuery;
const limit = limitQuery(20);
const isoDate = z.iso.datetime({ offset: true }).or(z.iso.date()).transform((v) => new Date(v));
const priority = z.union([z.enum(Object.keys(TASK_PRIORITIES) as [keyof typeof TASK_PRIORITIES]), z.number().int().min(1).max(10)]);
const metadata = z.record(z.string().max(64), z.unknown()).refine((m) => JSON.stringify(m).length <= 16_384, 'must serialize to at most 16 KB');

export const taskListQuerySchema = z
  .object({
    status: z.enum(TASK_STATUSES).optional(),
    type: z.string().max(64).optional(),
    agent: z.string().max(64).optional(),
    chatId: z.string().max(128).optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    page,
    limit,
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'must not be after to', path: ['from'] });
export class TaskListQueryDto extends createZodDto(taskListQuerySchema) {}

export const taskIdParamSchema = z.object({ id: z.uuid() });
export class TaskIdParamDto extends createZodDto(taskIdParamSchema) {}

export const createTaskSchema = z
  .object({
    type: z.enum(INTENTS),
    body: z.string().trim().min(1).max(MAX_BODY_LENGTH),
    chatId: z.string().trim().min(1).max(128).optional(),
    channel: z.enum(CHANNELS).default('api'),
    priority: priority.default('normal'),
    metadata: metadata.optional(),
    max_retries: z.number().int().min(0).max(10).default(3),
    reply: z.boolean().default(false),
  })
  .strict()
  .refine((t) => !t.reply || t.chatId, { message: 'is required when reply is true', path: ['chatId'] });
export class CreateTaskDto extends createZodDto(createTaskSchema) {}

export const updateTaskSchema = z
  .object({ priority: priority.optional(), metadata: metadata.optional(), status: z.enum(TASK_STATUSES).optional() })
  .strict()
  .refine((u) => u.priority !== undefined || u.metadata !== undefined || u.status !== undefined, { message: 'give at least one of priority, metadata, status', path: ['body'] });
export class UpdateTaskDto extends createZodDto(updateTaskSchema) {}

export const agentLogQuerySchema = z
  .object({
    agent: z.string().max(64).optional(),
    action: z.enum(AGENT_LOG_ACTIONS).optional(),
    task: z.uuid().optional(),
    workflowId: z.string().max(600).optional(),
    page,
    limit,
  })
  .strict();
export class AgentLogQueryDto extends createZodDto(agentLogQuerySchema) {}
