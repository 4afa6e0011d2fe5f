import { z } from 'zod';

/**
 * The workflow types a caller may put on a schedule, each with the zod schema its input
 * must satisfy. Temporal starts a scheduled workflow by name on the configured task queue,
 * so a workflow needs nothing but an entry here (and a worker that registers it) to be
 * schedulable. Extend this map to allow another workflow; anything absent is refused
 * with a 400 naming `workflow`.
 */
export const SCHEDULABLE_WORKFLOWS = {
  /** Deletes finished tasks older than `olderThanDays` (the nightly cleanup's workflow). */
  cleanupTasks: z
    .object({
      olderThanDays: z.number().int().min(1).max(3650),
    })
    .strict(),
  /** A campaign sent to a segment of customers. */
  segmentCampaign: z
    .object({
      purpose: z
        .string()
        .min(1)
        .max(64)
        .regex(/^[a-z_]+$/, 'must be lowercase letters and underscores'),
      segment: z
        .object({
          language: z.enum(['en', 'es']).optional(),
          optedOut: z.literal(false).optional(),
        })
        .strict(),
      limit: z.number().int().min(1).max(10_000).optional(),
    })
    .strict(),
  /** Evaluates the alert rules and notifies the outbound webhook (the alerts schedule's workflow); takes `{}`. */
  evaluateAlerts: z.object({}).strict(),
} as const satisfies Record<string, z.ZodType>;

export type SchedulableWorkflow = keyof typeof SCHEDULABLE_WORKFLOWS;

export const SCHEDULABLE_WORKFLOW_NAMES = Object.keys(SCHEDULABLE_WORKFLOWS) as [SchedulableWorkflow, ...SchedulableWorkflow[]];
