import { z } from 'zod';
import { HTTP_METHODS, RUN_WHEN, type DefinitionStep, type InnerStep, type WorkflowDefinitionBody } from './model';
import { DEFINITION_LIMITS, jsonValueProblems } from './limits';
import { isForbiddenSegment } from './paths';

/**
 * The shape of a definition (seed 004's create body), strict: a field the engine does not
 * know is refused rather than ignored. Bounds keep one execution's history small.
 */

export const STEP_ID_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;


export const stepIdSchema = z
  .string()
  .regex(STEP_ID_PATTERN, 'a step id starts with a letter and has up to 64 letters, digits, "_" or "-"')
  .refine((id) => !isForbiddenSegment(id), 'this step id is reserved');

const jsonValue = z.unknown().superRefine((value, ctx) => {
  for (const problem of jsonValueProblems(value)) ctx.addIssue({ code: 'custom', message: problem.message, path: problem.path });
});
const jsonObject = z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
  for (const problem of jsonValueProblems(value)) ctx.addIssue({ code: 'custom', message: problem.message, path: problem.path });
});

const seconds = (max: number) => z.number().min(1).max(max);

export const retrySchema = z.strictObject({
  max_attempts: z.number().int().min(1).max(10),
  initial_interval: z.number().min(0.1).max(3600).optional(),
  backoff_coefficient: z.number().min(1).max(10).optional(),
  max_interval: z.number().min(1).max(86_400).optional(),
}).refine((r) => r.max_interval === undefined || r.max_interval >= (r.initial_interval ?? 1), {
  message: 'max_interval must be at least initial_interval (default 1 second)',
  path: ['max_interval'],
});

const ownFields = {
  step_id: stepIdSchema,
  name: z.string().min(1).max(200).optional(),
  description: z.string().max(2000).optional(),
  timeout: seconds(DEFINITION_LIMITS.maxTimeoutSeconds).optional(),
  retry: retrySchema.optional(),
};
const baseFields = {
  ...ownFields,
  depends_on: z.array(z.string().max(64)).max(DEFINITION_LIMITS.maxDependsOn).optional(),
  continue_on_error: z.boolean().optional(),
  run_when: z.enum(RUN_WHEN).optional(),
};

const agentFields = {
  step_type: z.literal('agent_task'),
  agent_type: z.string().min(1).max(100),
  task: z.string().min(1).max(100),
  parameters: jsonObject.optional(),
};
const httpFields = {
  step_type: z.literal('http'),
  method: z.enum(HTTP_METHODS),
  url: z.string().min(1).max(DEFINITION_LIMITS.maxUrlLength),
  headers: z
    .record(z.string().min(1).max(200), z.string().max(8000))
    .refine((h) => Object.keys(h).length <= DEFINITION_LIMITS.maxHeaders, `at most ${DEFINITION_LIMITS.maxHeaders} headers`)
    .superRefine((h, ctx) => {
      for (const key of Object.keys(h)) if (isForbiddenSegment(key)) ctx.addIssue({ code: 'custom', message: `"${key}" is not allowed as a header`, path: [key] });
    })
    .optional(),
  body: jsonValue.optional(),
};

export const innerStepSchema = z.discriminatedUnion('step_type', [z.strictObject({ ...ownFields, ...agentFields }), z.strictObject({ ...ownFields, ...httpFields })]);

const concurrency = z.number().int().min(1).max(DEFINITION_LIMITS.maxConcurrency).optional();

/** One schema per step type, so a step is checked against its own type's fields. */
export const STEP_SCHEMAS = {
  agent_task: z.strictObject({ ...baseFields, ...agentFields }),
  http: z.strictObject({ ...baseFields, ...httpFields }),
  condition: z.strictObject({
    ...baseFields,
    step_type: z.literal('condition'),
    condition: z.union([z.boolean(), z.record(z.string(), z.unknown())]),
    then: z.array(z.string().max(64)).max(DEFINITION_LIMITS.maxDependsOn).optional(),
    else: z.array(z.string().max(64)).max(DEFINITION_LIMITS.maxDependsOn).optional(),
  }),
  delay: z.strictObject({ ...baseFields, step_type: z.literal('delay'), duration: seconds(DEFINITION_LIMITS.maxDelaySeconds) }),
  callback: z.strictObject({ ...baseFields, step_type: z.literal('callback') }),
  parallel: z.strictObject({
    ...baseFields,
    step_type: z.literal('parallel'),
    branches: z.array(innerStepSchema).min(1).max(DEFINITION_LIMITS.maxBranches),
    max_concurrency: concurrency,
  }),
  for_each: z.strictObject({
    ...baseFields,
    step_type: z.literal('for_each'),
    items: z.string().min(1).max(500),
    step: innerStepSchema,
    max_concurrency: concurrency,
  }),
  sub_workflow: z.strictObject({
    ...baseFields,
    step_type: z.literal('sub_workflow'),
    workflow_id: z.string().min(1).max(200),
    version: z.number().int().min(1).optional(),
    input_data: jsonObject.optional(),
  }),
} as const;

export const stepSchema = z.discriminatedUnion('step_type', [
  STEP_SCHEMAS.agent_task,
  STEP_SCHEMAS.http,
  STEP_SCHEMAS.condition,
  STEP_SCHEMAS.delay,
  STEP_SCHEMAS.callback,
  STEP_SCHEMAS.parallel,
  STEP_SCHEMAS.for_each,
  STEP_SCHEMAS.sub_workflow,
]);

/** The envelope; steps are checked one by one afterwards so each error names its step. */
export const definitionEnvelopeSchema = z.strictObject({
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  steps: z.array(z.unknown()).min(1).max(DEFINITION_LIMITS.maxSteps),
});

export const workflowDefinitionBodySchema = z.strictObject({
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  steps: z.array(stepSchema).min(1).max(DEFINITION_LIMITS.maxSteps),
});

// The schema and the contract's types must agree; these fail to compile if they drift.
type Parsed = z.infer<typeof workflowDefinitionBodySchema>;
export const parsedIsBody = (parsed: Parsed): WorkflowDefinitionBody => parsed;
export const parsedStepIsStep = (parsed: z.infer<typeof stepSchema>): DefinitionStep => parsed;
export const parsedInnerIsInner = (parsed: z.infer<typeof innerStepSchema>): InnerStep => parsed;
