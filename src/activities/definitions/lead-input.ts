import { z } from 'zod';
import type { RunAgentTaskInput } from '../../contracts/run-definition';
import { TASK_PRIORITIES } from '../../domain/task-lifecycle';
import { describeIssues, invalidParameters } from './failures';

/**
 * The parameters of the lead tasks, parsed: anything a step cannot use is refused as
 * `InvalidParameters`, naming the field.
 */

/** An amount: a number, or text such as "50k", "$1.5m", "50,000". */
export const money = z.union([
  z.number().nonnegative(),
  z
    .string()
    .trim()
    .regex(/^[$€£]?\s*\d[\d,.]*\s*[kKmM]?$/, 'must be a number such as 50000 or "50k"')
    .transform((v) => {
      const factor = /k$/i.test(v) ? 1_000 : /m$/i.test(v) ? 1_000_000 : 1;
      return Number(v.replace(/[^\d.]/g, '')) * factor;
    }),
]);
export const text = (max: number) => z.string().max(max);

/** A lead as CRMs and web forms hand it over; unknown fields are kept, not refused. */
const leadSchema = z.looseObject({
  name: text(200).optional(),
  company: text(200).optional(),
  email: text(320).optional(),
  website: text(2048).optional(),
  budget: money.optional(),
  timeframe: text(200).optional(),
  timeline: text(200).optional(),
  requirements: text(5000).optional(),
  need: text(5000).optional(),
  notes: text(5000).optional(),
  message: text(5000).optional(),
  role: text(200).optional(),
  title: text(200).optional(),
  company_size: z.number().int().nonnegative().optional(),
  employees: z.number().int().nonnegative().optional(),
});
export type Lead = z.infer<typeof leadSchema>;

const priority = z.enum(Object.keys(TASK_PRIORITIES) as [keyof typeof TASK_PRIORITIES]);

/** The lead a task works on: `parameters.lead` first, else `input_data.lead`. */
export function leadOf(input: RunAgentTaskInput): Lead {
  const fromParameters = input.parameters.lead !== undefined;
  const raw = fromParameters ? input.parameters.lead : input.input_data.lead;
  if (raw === undefined || raw === null) throw invalidParameters('lead: give parameters.lead or input_data.lead (an object with name, email, budget, …)');
  const parsed = leadSchema.safeParse(raw);
  if (!parsed.success) throw invalidParameters(describeIssues(fromParameters ? 'parameters.lead' : 'input_data.lead', parsed.error));
  return parsed.data;
}

/** `parameters.priority`, `normal` when absent. */
export function priorityOf(input: RunAgentTaskInput): keyof typeof TASK_PRIORITIES {
  const parsed = priority.default('normal').safeParse(input.parameters.priority);
  if (!parsed.success) throw invalidParameters(`parameters.priority: must be one of ${Object.keys(TASK_PRIORITIES).join(', ')}`);
  return parsed.data;
}

/** Parses `input.parameters` with `schema`, or refuses them. */
export function parametersOf<T extends z.ZodType>(input: RunAgentTaskInput, schema: T): z.output<T> {
  const parsed = schema.safeParse(input.parameters);
  if (!parsed.success) throw invalidParameters(describeIssues('parameters', parsed.error));
  return parsed.data;
}
