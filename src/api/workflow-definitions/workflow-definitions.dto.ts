import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { EXECUTION_STATUSES, isDefinitionExecutionId } from '../../contracts/run-definition';
import { STEP_ID_PATTERN } from '../../domain/workflow-definitions';

/** Page sizes are bounded: a client cannot ask for every definition in one response. */
export const MAX_PAGE_SIZE = 100;

const page = z.coerce.number().int().min(1).max(100_000).default(1);
const limit = z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(20);
const version = z.coerce.number().int().min(1).max(1_000_000);

export const workflowIdParamSchema = z.object({ id: z.uuid() });
export class WorkflowIdParamDto extends createZodDto(workflowIdParamSchema) {}

export const definitionListQuerySchema = z.object({ page, limit }).strict();
export class DefinitionListQueryDto extends createZodDto(definitionListQuerySchema) {}

export const definitionGetQuerySchema = z.object({ version: version.optional() }).strict();
export class DefinitionGetQueryDto extends createZodDto(definitionGetQuerySchema) {}

/**
 * The body of `POST /api/v1/workflows` and `PUT /api/v1/workflows/:id`, for the OpenAPI
 * document only: the handlers validate it with `validateDefinition`, which names the step
 * and field of every problem.
 */
export const definitionBodyDocSchema = z.object({
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  steps: z
    .array(
      z
        .object({
          step_id: z.string().regex(STEP_ID_PATTERN),
          step_type: z.enum(['agent_task', 'http', 'condition', 'delay', 'callback', 'parallel', 'for_each', 'sub_workflow']),
          name: z.string().optional(),
          depends_on: z.array(z.string()).optional(),
        })
        .catchall(z.unknown()),
    )
    .min(1),
});
export class DefinitionBodyDocDto extends createZodDto(definitionBodyDocSchema) {}

export const executeBodySchema = z
  .object({
    input_data: z
      .record(z.string().max(200), z.unknown())
      .refine((d) => JSON.stringify(d).length <= 128 * 1024, 'must serialize to at most 128 KB')
      .default({}),
    async_execution: z.boolean().default(false),
  })
  .strict();
export class ExecuteBodyDto extends createZodDto(executeBodySchema) {}

export const executionListQuerySchema = z.object({ page, limit, status: z.enum(EXECUTION_STATUSES).optional() }).strict();
export class ExecutionListQueryDto extends createZodDto(executionListQuerySchema) {}

const executionId = z.string().max(600).refine(isDefinitionExecutionId, 'must be an execution id such as wfexec:<uuid>');

export const executionIdParamSchema = z.object({ executionId });
export class ExecutionIdParamDto extends createZodDto(executionIdParamSchema) {}

export const callbackParamSchema = z.object({ executionId, stepId: z.string().regex(STEP_ID_PATTERN, 'must be a step id') });
export class CallbackParamDto extends createZodDto(callbackParamSchema) {}

export const callbackBodySchema = z
  .object({
    data: z.unknown().optional(),
    approved: z.boolean().optional(),
    by: z.string().trim().min(1).max(128).optional(),
  })
  .strict()
  .refine((b) => b.data === undefined || JSON.stringify(b.data).length <= 64 * 1024, { message: 'must serialize to at most 64 KB', path: ['data'] });
export class CallbackBodyDto extends createZodDto(callbackBodySchema) {}
