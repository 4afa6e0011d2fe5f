import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { SCHEDULABLE_WORKFLOW_NAMES, SCHEDULABLE_WORKFLOWS } from './schedulable-workflows';
import { formatEvery, isFiveFieldCron, isValidTimeZone, MAX_EVERY_MS, MIN_EVERY_MS, parseEvery, SPEC_KINDS } from './schedule-spec';

/** Schedule ids: what Temporal accepts and a URL path carries without escaping surprises. */
const scheduleId = z.string().regex(/^[A-Za-z0-9_.:-]{1,200}$/, 'must be 1 to 200 of A-Z a-z 0-9 _ . : -');

const note = z.string().max(500);

const INPUT_DESCRIPTION = `the workflow's input, validated per workflow: ${Object.entries(SCHEDULABLE_WORKFLOWS)
  .map(([name, schema]) => `${name} ${JSON.stringify(z.toJSONSchema(schema, { io: 'input' }))}`)
  .join('; ')}`;

export const createScheduleSchema = z
  .object({
    id: scheduleId.optional(),
    workflow: z.enum(SCHEDULABLE_WORKFLOW_NAMES, { error: () => `must be one of ${SCHEDULABLE_WORKFLOW_NAMES.join(', ')}` }),
    /** Validated against the workflow's own schema (SCHEDULABLE_WORKFLOWS). */
    input: z.unknown().describe(INPUT_DESCRIPTION),
    once: z.iso
      .datetime({ offset: true, error: 'must be an ISO-8601 datetime with a time zone offset, e.g. 2030-01-01T09:00:00Z' })
      .refine((v) => new Date(v).getTime() > Date.now(), 'must be in the future')
      .describe('run once at this instant (whole seconds; a fraction rounds up)')
      .optional(),
    every: z
      .string()
      .max(32)
      .refine((v) => parseEvery(v) !== undefined, 'must be a duration like 15m, 1h, 1d or 1h30m')
      .refine((v) => (parseEvery(v) ?? MIN_EVERY_MS) >= MIN_EVERY_MS, `must be at least ${formatEvery(MIN_EVERY_MS)}`)
      .refine((v) => (parseEvery(v) ?? 0) <= MAX_EVERY_MS, `must be at most ${formatEvery(MAX_EVERY_MS)}`)
      .describe('run on this interval, e.g. 15m, 1h, 1d, 1h30m (at least 1m)')
      .optional(),
    cron: z
      .string()
      .max(200)
      .refine(isFiveFieldCron, 'must be a 5-field cron expression: minute hour day-of-month month day-of-week')
      .describe('run on this 5-field cron expression, in timezone')
      .optional(),
    timezone: z.string().max(64).refine(isValidTimeZone, 'must be an IANA time zone, e.g. Europe/Madrid').describe('IANA time zone; default BUSINESS_TIMEZONE').optional(),
    paused: z.boolean().default(false),
    note: note.optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    const given = SPEC_KINDS.filter((k) => b[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: given.length === 0 ? [] : [given[1]],
        message: given.length === 0 ? 'give exactly one of once, every, cron' : `give exactly one of once, every, cron (got ${given.join(', ')})`,
      });
    }
    const result = SCHEDULABLE_WORKFLOWS[b.workflow].safeParse(b.input);
    if (!result.success) {
      for (const issue of result.error.issues) ctx.addIssue({ ...issue, path: ['input', ...issue.path] } as z.core.$ZodRawIssue);
    }
  })
  // An unknown key does not stop zod's pipe, so this may run on an input already refused above: never throw here.
  .transform((b) => {
    const result = SCHEDULABLE_WORKFLOWS[b.workflow].safeParse(b.input);
    return { ...b, input: (result.success ? result.data : b.input) as Record<string, unknown> };
  });
export class CreateScheduleDto extends createZodDto(createScheduleSchema) {}

export const scheduleIdParamSchema = z.object({ id: scheduleId });
export class ScheduleIdParamDto extends createZodDto(scheduleIdParamSchema) {}

/** `{ note? }`; an absent body is an empty one. */
export const scheduleNoteSchema = z.preprocess((v) => v ?? {}, z.object({ note: note.optional() }).strict());
export class ScheduleNoteDto extends createZodDto(scheduleNoteSchema) {}
