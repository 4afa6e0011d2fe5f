import type { z } from 'zod';
import { STEP_TYPES, type DefinitionStep, type InnerStep, type WorkflowDefinitionBody } from './model';
import { checkCondition } from './conditions';
import { predecessors, topologicalOrder, upstreamSets } from './dag';
import { formatPath } from './paths';
import { DEFINITION_LIMITS, jsonValueProblems } from './limits';
import { definitionEnvelopeSchema, STEP_SCHEMAS, workflowDefinitionBodySchema } from './schema';
import { collectTemplates, wholeTemplate } from './templates';

/** One problem with a definition; `field` is a path into the submitted body. */
export interface DefinitionError {
  step_id?: string;
  field: string;
  message: string;
}

export interface ValidationContext {
  /** Tasks the agent type offers; undefined for an unknown agent type. */
  agentTasks: (agentType: string) => readonly string[] | undefined;
  /** The definition's own id, when known (an update): a sub_workflow naming it is refused. */
  workflowId?: string;
  /**
   * Structure only: the interpreter re-validates without the registry, so a registry change
   * never changes how a recorded execution replays; `runAgentTask` refuses an unknown task.
   */
  skipAgentChecks?: boolean;
}

export type ValidationResult = { ok: true; definition: WorkflowDefinitionBody } | { ok: false; errors: DefinitionError[] };

const MAX_ERRORS = 100;

function zodErrors(error: z.ZodError, prefix: Array<string | number>, stepId: string | undefined): DefinitionError[] {
  return error.issues.map((issue) => {
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    const path = [...prefix, ...issue.path.filter((p): p is string | number => typeof p !== 'symbol')];
    return { ...(stepId !== undefined ? { step_id: stepId } : {}), field: formatPath(path), message };
  });
}

function stepIdOf(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const id = (raw as Record<string, unknown>).step_id;
  return typeof id === 'string' && id.length <= 64 ? id : undefined;
}

/**
 * Checks a definition completely: its shape, the graph (duplicates, unknown dependencies,
 * cycles), agents and tasks, templates and conditions against what is upstream of them.
 * Never throws; every problem found is returned, each naming its step and field.
 */
export function validateDefinition(body: unknown, ctx: ValidationContext): ValidationResult {
  try {
    return validate(body, ctx);
  } catch (err) {
    // A bug here must not take the caller down (the interpreter re-validates in a workflow).
    return { ok: false, errors: [{ field: '', message: `definition could not be validated: ${err instanceof Error ? err.message : String(err)}` }] };
  }
}

function validate(body: unknown, ctx: ValidationContext): ValidationResult {
  // Plain JSON first: zod rebuilds objects by assignment, so a `__proto__` key must be
  // refused before it gets there (and cyclic or exotic values never reach it).
  const notJson = jsonValueProblems(body);
  if (notJson.length > 0) {
    const steps = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).steps : undefined;
    return {
      ok: false,
      errors: notJson.map((problem) => {
        const stepId = problem.path[0] === 'steps' && typeof problem.path[1] === 'number' && Array.isArray(steps) ? stepIdOf(steps[problem.path[1]]) : undefined;
        return { ...(stepId !== undefined ? { step_id: stepId } : {}), field: formatPath(problem.path), message: problem.message };
      }),
    };
  }
  const envelope = definitionEnvelopeSchema.safeParse(body);
  if (!envelope.success) {
    const errors = zodErrors(envelope.error, [], undefined);
    // Still report step-level problems when only the envelope's other fields are wrong.
    const steps = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).steps : undefined;
    if (!Array.isArray(steps) || steps.length === 0 || steps.length > DEFINITION_LIMITS.maxSteps) return { ok: false, errors: errors.slice(0, MAX_ERRORS) };
    const stepErrors = validateSteps(steps, ctx).errors;
    return { ok: false, errors: [...errors, ...stepErrors].slice(0, MAX_ERRORS) };
  }
  const { errors, steps } = validateSteps(envelope.data.steps, ctx);
  if (errors.length > 0 || !steps) return { ok: false, errors: errors.slice(0, MAX_ERRORS) };
  const full = workflowDefinitionBodySchema.safeParse(body);
  if (!full.success) return { ok: false, errors: zodErrors(full.error, [], undefined).slice(0, MAX_ERRORS) };
  return { ok: true, definition: full.data };
}

function validateSteps(rawSteps: readonly unknown[], ctx: ValidationContext): { errors: DefinitionError[]; steps?: DefinitionStep[] } {
  const errors: DefinitionError[] = [];
  const parsed: Array<DefinitionStep | undefined> = [];

  rawSteps.forEach((raw, i) => {
    const stepId = stepIdOf(raw);
    const at = (field: string) => `steps[${i}]${field}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      errors.push({ field: at(''), message: 'a step is an object' });
      parsed.push(undefined);
      return;
    }
    const type = (raw as Record<string, unknown>).step_type;
    if (typeof type !== 'string' || !(STEP_TYPES as readonly string[]).includes(type)) {
      errors.push({
        ...(stepId !== undefined ? { step_id: stepId } : {}),
        field: at('.step_type'),
        message: `unknown step type ${JSON.stringify(type) ?? 'undefined'}; expected one of ${STEP_TYPES.join(', ')}`,
      });
      parsed.push(undefined);
      return;
    }
    const result = STEP_SCHEMAS[type as keyof typeof STEP_SCHEMAS].safeParse(raw);
    if (!result.success) {
      errors.push(...zodErrors(result.error, ['steps', i], stepId));
      parsed.push(undefined);
      return;
    }
    parsed.push(result.data as DefinitionStep);
  });

  // Graph checks run over the steps whose ids are usable, even when some step is malformed.
  const graphSteps = rawSteps.map((raw, i) => ({ raw, i, step: parsed[i], id: stepIdOf(raw) }));
  const indexById = new Map<string, number>();
  for (const { id, i } of graphSteps) {
    if (id === undefined) continue;
    if (indexById.has(id)) errors.push({ step_id: id, field: `steps[${i}].step_id`, message: `duplicate step id "${id}" (also steps[${indexById.get(id)}])` });
    else indexById.set(id, i);
  }
  const known = (id: string) => indexById.has(id);
  // A child's workflow id carries its step id in lower case: two that differ only in case would collide.
  const childIds = new Map<string, string>();
  for (const { step, i } of graphSteps) {
    if (step?.step_type !== 'sub_workflow') continue;
    const lower = step.step_id.toLowerCase();
    const other = childIds.get(lower);
    if (other !== undefined && other !== step.step_id) errors.push({ step_id: step.step_id, field: `steps[${i}].step_id`, message: `sub_workflow step ids must differ in more than case ("${other}")` });
    else childIds.set(lower, step.step_id);
  }
  const valid = graphSteps.filter((g): g is typeof g & { step: DefinitionStep } => g.step !== undefined);

  for (const { step, i } of valid) {
    (step.depends_on ?? []).forEach((dep, j) => {
      const field = `steps[${i}].depends_on[${j}]`;
      if (dep === step.step_id) errors.push({ step_id: step.step_id, field, message: 'a step cannot depend on itself' });
      else if (!known(dep)) errors.push({ step_id: step.step_id, field, message: `depends on unknown step "${dep}"` });
    });
    if (step.step_type === 'condition') {
      const thenSet = new Set(step.then ?? []);
      for (const branch of ['then', 'else'] as const) {
        (step[branch] ?? []).forEach((target, j) => {
          const field = `steps[${i}].${branch}[${j}]`;
          if (target === step.step_id) errors.push({ step_id: step.step_id, field, message: `a condition cannot name itself in "${branch}"` });
          else if (!known(target)) errors.push({ step_id: step.step_id, field, message: `"${branch}" names unknown step "${target}"` });
          else if (branch === 'else' && thenSet.has(target)) errors.push({ step_id: step.step_id, field, message: `step "${target}" is in both "then" and "else"` });
        });
      }
    }
  }

  const graph = valid.map(({ step }) => step).filter((s) => indexById.get(s.step_id) !== undefined);
  const ids = [...new Set(graph.map((s) => s.step_id))];
  const preds = predecessors(graph.map((s) => ({ ...s, depends_on: (s.depends_on ?? []).filter((d) => d !== s.step_id) })));
  const sorted = topologicalOrder(ids, preds);
  let upstream: Map<string, Set<string>> | undefined;
  if (!sorted.ok) {
    const first = sorted.cycle[0] as string;
    errors.push({ step_id: first, field: `steps[${indexById.get(first)}].depends_on`, message: `dependency cycle: ${sorted.cycle.join(' -> ')}` });
  } else {
    upstream = upstreamSets(sorted.order, preds);
  }

  for (const { step, i } of valid) {
    const ups = upstream?.get(step.step_id);
    const stepRef = (id: string): 'ok' | 'unknown' | 'not_upstream' => (!known(id) ? 'unknown' : !ups || ups.has(id) ? 'ok' : 'not_upstream');
    const prefix = `steps[${i}]`;
    const err = (field: string, message: string) => errors.push({ step_id: step.step_id, field: `${prefix}${field}`, message });

    const checkTemplatesIn = (value: unknown, field: string, inForEach: boolean) => {
      for (const found of collectTemplates(value)) {
        const where = `${field}${formatPath(['_', ...found.path]).slice(1)}`;
        const t = found.template;
        if (!t.ok) {
          err(where, t.message);
          continue;
        }
        if ((t.ref.root === 'item' || t.ref.root === 'index') && !inForEach) err(where, `"{{${t.ref.raw}}}" is only available inside a for_each step`);
        if (t.ref.root === 'steps') {
          const target = t.ref.stepId as string;
          const check = target === step.step_id ? 'self' : stepRef(target);
          if (check === 'self') err(where, `"{{${t.ref.raw}}}" refers to its own step`);
          else if (check === 'unknown') err(where, `"{{${t.ref.raw}}}" refers to unknown step "${target}"`);
          else if (check === 'not_upstream') err(where, `"{{${t.ref.raw}}}" refers to step "${target}", which is not upstream (add it to depends_on)`);
        }
      }
    };
    const checkAgent = (s: Pick<InnerStep & { step_type: 'agent_task' }, 'agent_type' | 'task'>, field: string) => {
      if (ctx.skipAgentChecks) return;
      const tasks = ctx.agentTasks(s.agent_type);
      if (tasks === undefined) err(`${field}.agent_type`, `unknown agent type "${s.agent_type}"`);
      else if (!tasks.includes(s.task)) err(`${field}.task`, `agent "${s.agent_type}" has no task "${s.task}"${tasks.length ? ` (it offers ${tasks.join(', ')})` : ''}`);
    };
    const checkInner = (inner: InnerStep, field: string, inForEach: boolean) => {
      if (inner.step_type === 'agent_task') {
        checkAgent(inner, field);
        checkTemplatesIn(inner.parameters, `${field}.parameters`, inForEach);
      } else {
        checkTemplatesIn(inner.url, `${field}.url`, inForEach);
        checkTemplatesIn(inner.headers, `${field}.headers`, inForEach);
        checkTemplatesIn(inner.body, `${field}.body`, inForEach);
      }
    };

    switch (step.step_type) {
      case 'agent_task':
      case 'http':
        checkInner(step, '', false);
        break;
      case 'condition':
        if (typeof step.condition !== 'boolean') {
          for (const problem of checkCondition(step.condition, stepRef)) {
            err(formatPath(['_', 'condition', ...problem.path]).slice(1), problem.message);
          }
        }
        break;
      case 'parallel': {
        const seen = new Set<string>();
        step.branches.forEach((branch, j) => {
          if (seen.has(branch.step_id)) err(`.branches[${j}].step_id`, `duplicate branch id "${branch.step_id}"`);
          seen.add(branch.step_id);
          checkInner(branch, `.branches[${j}]`, false);
        });
        break;
      }
      case 'for_each': {
        const whole = wholeTemplate(step.items);
        if (!whole) err('.items', 'items must be a single template resolving to a list, e.g. "{{steps.search.output.results}}"');
        else if (whole.ok && (whole.ref.root === 'item' || whole.ref.root === 'index')) err('.items', 'items cannot read {{item}} or {{index}}');
        else checkTemplatesIn(step.items, '.items', false);
        checkInner(step.step, '.step', true);
        break;
      }
      case 'sub_workflow':
        if (ctx.workflowId !== undefined && step.workflow_id === ctx.workflowId) err('.workflow_id', 'a workflow cannot run itself as a sub_workflow');
        checkTemplatesIn(step.input_data, '.input_data', false);
        break;
      case 'delay':
      case 'callback':
        break;
    }
  }

  return errors.length > 0 ? { errors } : { errors, steps: valid.map((v) => v.step) };
}
