import type { ConditionStep, DefinitionStep, ForEachStep, InnerStep, ParallelStep } from './model';
import { checkCondition } from './conditions';
import { formatPath } from './paths';
import { collectTemplates, wholeTemplate } from './templates';
import type { DefinitionError, ValidationContext } from './validation-types';

/**
 * Checks of one step's own fields, by type: its agent and task, its templates and condition
 * (each step they read must be upstream), a parallel step's branches, a for_each's items, a
 * sub_workflow that would run itself.
 */

/** How an id a step refers to stands: upstream of it (or unknowable, in a cyclic graph), unknown, or not upstream. */
type StepRef = (id: string) => 'ok' | 'unknown' | 'not_upstream';

interface StepCheck {
  step: DefinitionStep;
  ctx: ValidationContext;
  stepRef: StepRef;
  /** Records a problem of `field` (a path under the step). */
  err: (field: string, message: string) => void;
}

/** Checks the fields of `step`, the `i`th of the definition; `upstream` is undefined when the graph has a cycle. */
export function checkStepFields(step: DefinitionStep, i: number, ctx: ValidationContext, known: (id: string) => boolean, upstream: Map<string, Set<string>> | undefined, errors: DefinitionError[]): void {
  const ups = upstream?.get(step.step_id);
  const c: StepCheck = {
    step,
    ctx,
    stepRef: (id) => (!known(id) ? 'unknown' : !ups || ups.has(id) ? 'ok' : 'not_upstream'),
    err: (field, message) => errors.push({ step_id: step.step_id, field: `steps[${i}]${field}`, message }),
  };
  switch (step.step_type) {
    case 'agent_task':
    case 'http':
      checkInner(c, step, '', false);
      break;
    case 'condition':
      checkConditionRule(c, step);
      break;
    case 'parallel':
      checkBranches(c, step);
      break;
    case 'for_each':
      checkForEach(c, step);
      break;
    case 'sub_workflow':
      if (ctx.workflowId !== undefined && step.workflow_id === ctx.workflowId) c.err('.workflow_id', 'a workflow cannot run itself as a sub_workflow');
      checkTemplatesIn(c, step.input_data, '.input_data', false);
      break;
    case 'delay':
    case 'callback':
      break;
  }
}

/** Every template in `value` parses, and reads only what is there: `item`/`index` inside a for_each, steps upstream. */
function checkTemplatesIn(c: StepCheck, value: unknown, field: string, inForEach: boolean): void {
  for (const found of collectTemplates(value)) {
    const where = `${field}${formatPath(['_', ...found.path]).slice(1)}`;
    const t = found.template;
    if (!t.ok) {
      c.err(where, t.message);
      continue;
    }
    if ((t.ref.root === 'item' || t.ref.root === 'index') && !inForEach) c.err(where, `"{{${t.ref.raw}}}" is only available inside a for_each step`);
    if (t.ref.root === 'steps') {
      const target = t.ref.stepId as string;
      const check = target === c.step.step_id ? 'self' : c.stepRef(target);
      if (check === 'self') c.err(where, `"{{${t.ref.raw}}}" refers to its own step`);
      else if (check === 'unknown') c.err(where, `"{{${t.ref.raw}}}" refers to unknown step "${target}"`);
      else if (check === 'not_upstream') c.err(where, `"{{${t.ref.raw}}}" refers to step "${target}", which is not upstream (add it to depends_on)`);
    }
  }
}

/** The agent type exists and offers the task (unless the context skips agent checks). */
function checkAgent(c: StepCheck, s: Pick<InnerStep & { step_type: 'agent_task' }, 'agent_type' | 'task'>, field: string): void {
  if (c.ctx.skipAgentChecks) return;
  const tasks = c.ctx.agentTasks(s.agent_type);
  if (tasks === undefined) c.err(`${field}.agent_type`, `unknown agent type "${s.agent_type}"`);
  else if (!tasks.includes(s.task)) c.err(`${field}.task`, `agent "${s.agent_type}" has no task "${s.task}"${tasks.length ? ` (it offers ${tasks.join(', ')})` : ''}`);
}

/** An agent_task or http step, at the top level or inside a parallel or for_each step. */
function checkInner(c: StepCheck, inner: InnerStep, field: string, inForEach: boolean): void {
  if (inner.step_type === 'agent_task') {
    checkAgent(c, inner, field);
    checkTemplatesIn(c, inner.parameters, `${field}.parameters`, inForEach);
  } else {
    checkTemplatesIn(c, inner.url, `${field}.url`, inForEach);
    checkTemplatesIn(c, inner.headers, `${field}.headers`, inForEach);
    checkTemplatesIn(c, inner.body, `${field}.body`, inForEach);
  }
}

/** A JSON Logic rule that reads only upstream steps (a boolean needs no check). */
function checkConditionRule(c: StepCheck, step: ConditionStep): void {
  if (typeof step.condition === 'boolean') return;
  for (const problem of checkCondition(step.condition, c.stepRef)) {
    c.err(formatPath(['_', 'condition', ...problem.path]).slice(1), problem.message);
  }
}

/** Branch ids unique within the step, each branch a valid inner step. */
function checkBranches(c: StepCheck, step: ParallelStep): void {
  const seen = new Set<string>();
  step.branches.forEach((branch, j) => {
    if (seen.has(branch.step_id)) c.err(`.branches[${j}].step_id`, `duplicate branch id "${branch.step_id}"`);
    seen.add(branch.step_id);
    checkInner(c, branch, `.branches[${j}]`, false);
  });
}

/** `items` one template resolving to a list (not `{{item}}` or `{{index}}`); the inner step may read both. */
function checkForEach(c: StepCheck, step: ForEachStep): void {
  const whole = wholeTemplate(step.items);
  if (!whole) c.err('.items', 'items must be a single template resolving to a list, e.g. "{{steps.search.output.results}}"');
  else if (whole.ok && (whole.ref.root === 'item' || whole.ref.root === 'index')) c.err('.items', 'items cannot read {{item}} or {{index}}');
  else checkTemplatesIn(c, step.items, '.items', false);
  checkInner(c, step.step, '.step', true);
}
