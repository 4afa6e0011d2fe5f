import { CancellationScope, isCancellation } from '@temporalio/workflow';
import type { DefinitionStep, RunDefinitionResult, StepState } from '../../contracts/run-definition';
import { predecessors, topologicalOrder } from '../../domain/workflow-definitions/dag';
import { executeStep } from './executors';
import { describeFailure, failedAttempts } from './failures';
import { concludeRun, type RunFailure } from './outcome';
import { now, type DefinitionRun } from './run-context';
import { branchGates, gateSkipReason, runWhenSkipReason, type Gate } from './skip-rules';

/**
 * Runs a validated definition's steps as a DAG and ends the run. Every step starts as soon as
 * its dependencies finish, so independent steps run at once; a step then runs or is skipped
 * (a failed run, a condition's other branch, `run_when`). The first failure of a step without
 * `continue_on_error` cancels the others and fails the run.
 */
export async function runSteps(run: DefinitionRun, steps: DefinitionStep[]): Promise<RunDefinitionResult> {
  const scheduler = new Scheduler(run, steps);
  await scheduler.runAll();
  return concludeRun(run, scheduler.failure);
}

class Scheduler {
  private readonly stateOf: Map<string, StepState>;
  private readonly byId: Map<string, DefinitionStep>;
  private readonly preds: Map<string, string[]>;
  private readonly order: string[];
  private readonly gates: Map<string, Gate[]>;
  /** Cancelled by the first failure, and with the run. */
  private readonly scope: CancellationScope;
  private readonly finished = new Map<string, Promise<void>>();
  /** The first step that failed without `continue_on_error`. */
  failure: RunFailure | undefined;

  constructor(
    private readonly run: DefinitionRun,
    steps: DefinitionStep[],
  ) {
    run.state.steps = steps.map((s) => ({ step_id: s.step_id, step_type: s.step_type, status: 'pending', attempts: 0 }));
    this.stateOf = new Map(run.state.steps.map((s) => [s.step_id, s]));
    this.byId = new Map(steps.map((s) => [s.step_id, s]));
    this.preds = predecessors(steps);
    const sorted = topologicalOrder(
      steps.map((s) => s.step_id),
      this.preds,
    );
    if (!sorted.ok) throw new Error(`cycle ${sorted.cycle.join(' -> ')} passed validation`);
    this.order = sorted.order;
    this.gates = branchGates(steps);
    this.scope = new CancellationScope();
  }

  /** Starts every step in topological order (each waits for its own dependencies) and waits for them all. */
  async runAll(): Promise<void> {
    await this.scope.run(async () => {
      for (const id of this.order) this.finished.set(id, this.runStep(this.byId.get(id) as DefinitionStep));
      await Promise.all(this.finished.values());
    });
  }

  private async runStep(step: DefinitionStep): Promise<void> {
    const st = this.stateOf.get(step.step_id) as StepState;
    await Promise.all(this.dependencies(step).map((p) => this.finished.get(p)));
    const skip = this.whySkipped(step);
    if (skip !== undefined) {
      st.status = 'skipped';
      st.skipped_reason = skip;
      return;
    }
    st.status = 'running';
    st.started_at = now();
    try {
      const result = await executeStep(step, { run: this.run, st, upstream: this.upstreamOf(step) });
      st.attempts = result.attempts;
      st.output = result.output;
      st.status = 'done';
      this.run.state.outputs[step.step_id] = result.output;
    } catch (err) {
      this.stepFailed(step, st, err);
    } finally {
      st.finished_at = now();
    }
  }

  private dependencies(step: DefinitionStep): string[] {
    return this.preds.get(step.step_id) ?? [];
  }

  /** Outputs of the step's dependencies, by step id (null for one that failed and continued). */
  private upstreamOf(step: DefinitionStep): Record<string, unknown> {
    return Object.fromEntries(this.dependencies(step).map((p) => [p, this.run.state.outputs[p] ?? null]));
  }

  private whySkipped(step: DefinitionStep): string | undefined {
    if (this.failure) return `execution failed at step "${this.failure.step_id}"`;
    if (this.scope.consideredCancelled) return 'execution cancelled';
    return gateSkipReason(this.gates.get(step.step_id) ?? [], this.stateOf) ?? runWhenSkipReason(step.run_when ?? 'all_succeeded', this.dependencies(step), this.stateOf);
  }

  /** Records a step's failure; the first one without `continue_on_error` cancels the rest. */
  private stepFailed(step: DefinitionStep, st: StepState, err: unknown): void {
    st.waiting_for_callback = undefined;
    st.status = 'failed';
    if (isCancellation(err) && this.scope.consideredCancelled) {
      st.error = { message: 'cancelled', type: 'Cancelled' };
      return;
    }
    const { message, type } = describeFailure(err);
    st.error = { message, type };
    const attempts = failedAttempts(err, step.retry?.max_attempts ?? 3);
    if (attempts !== undefined) st.attempts = attempts;
    if (step.continue_on_error) {
      this.run.state.outputs[step.step_id] = null;
    } else if (!this.failure) {
      this.failure = { step_id: step.step_id, message };
      this.scope.cancel();
    }
  }
}
