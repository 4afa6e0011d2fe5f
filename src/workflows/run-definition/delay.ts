import { sleep } from '@temporalio/workflow';
import type { DelayStep } from '../../contracts/run-definition';
import type { StepResult } from './run-context';

/** A `delay` step: a durable timer of `duration` seconds. */
export async function executeDelay(step: DelayStep): Promise<StepResult> {
  await sleep(step.duration * 1000);
  return { output: { slept_seconds: step.duration }, attempts: 1 };
}
