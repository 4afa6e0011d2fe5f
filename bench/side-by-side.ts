import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { runPool, summarize, type LatencySummary } from './stats';

/**
 * The message path beside the engine's floor, on the same server and worker settings, in
 * one run: a keyword message over HTTP (POST to completed), a twin workflow with as many
 * no-op steps as regular activities, the all-local twin, and an empty workflow. Absolute
 * times on a shared machine vary from run to run; the ratios between these do much less.
 */

export interface Subject {
  name: string;
  /** Runs one item to completion; `i` makes ids unique. */
  run(i: number): Promise<void>;
}

export interface SubjectResult {
  name: string;
  sequentialMs: LatencySummary;
  concurrentMs: LatencySummary;
  perSecond: number;
  failures: string[];
}

export interface SideBySideOptions {
  /** Items one at a time: the latency with nothing queued. */
  sequential: number;
  /** Items at `concurrency` in flight: the throughput. */
  total: number;
  concurrency: number;
  warmup: number;
}

async function measure(subject: Subject, options: SideBySideOptions, say: (line: string) => void): Promise<SubjectResult> {
  const failures: string[] = [];
  let i = 0;
  const timed = async (): Promise<number | undefined> => {
    const n = i++;
    const t0 = performance.now();
    try {
      await subject.run(n);
      return performance.now() - t0;
    } catch (err) {
      failures.push(`${subject.name} #${n}: ${(err as Error).message}`);
      return undefined;
    }
  };
  for (let w = 0; w < options.warmup; w++) await timed();
  failures.length = 0;
  const sequential: number[] = [];
  for (let s = 0; s < options.sequential; s++) {
    const ms = await timed();
    if (ms !== undefined) sequential.push(ms);
  }
  const concurrent: number[] = [];
  const t0 = performance.now();
  await runPool(options.total, options.concurrency, async () => {
    const ms = await timed();
    if (ms !== undefined) concurrent.push(ms);
  });
  const seconds = (performance.now() - t0) / 1000;
  const result = { name: subject.name, sequentialMs: summarize(sequential), concurrentMs: summarize(concurrent), perSecond: Math.round((concurrent.length / seconds) * 10) / 10, failures };
  say(`side by side: ${subject.name}: p50 ${result.sequentialMs.p50} ms one at a time, ${result.perSecond}/s at ${options.concurrency} in flight`);
  return result;
}

/** Runs each subject in turn (one after the other, never at once) and reports it. */
export async function sideBySide(subjects: Subject[], options: SideBySideOptions, say: (line: string) => void): Promise<SubjectResult[]> {
  const results: SubjectResult[] = [];
  for (const subject of subjects) results.push(await measure(subject, options, say));
  return results;
}

/** The baseline workflows as subjects, on their own task queue (their worker runs in this process). */
export function baselineSubjects(client: Client, taskQueue: string, steps: { local: number; regular: number }): Subject[] {
  const tag = randomUUID().slice(0, 8);
  const run = (type: string, args: unknown[]) => (i: number) =>
    client.workflow.execute(type, { workflowId: `baseline-${type}-${tag}-${i}-${args.length ? JSON.stringify(args[0]).replace(/\W/g, '') : ''}`, taskQueue, args }).then(() => undefined);
  const total = steps.local + steps.regular;
  return [
    { name: `twin: ${steps.local} local + ${steps.regular} regular activities`, run: run('baselineSteps', [steps]) },
    { name: `twin: ${total} regular activities`, run: run('baselineSteps', [{ local: 0, regular: total }]) },
    { name: `twin: ${total} local activities`, run: run('baselineSteps', [{ local: total, regular: 0 }]) },
    { name: 'empty workflow', run: run('baselineEmpty', []) },
  ];
}

/** How many local and regular activities a finished workflow ran, from its history. */
export function stepsOf(events: Array<{ markerRecordedEventAttributes?: { markerName?: string | null } | null; activityTaskScheduledEventAttributes?: unknown }>): { local: number; regular: number } {
  let local = 0;
  let regular = 0;
  for (const e of events) {
    if (e.markerRecordedEventAttributes?.markerName === 'core_local_activity') local++;
    else if (e.activityTaskScheduledEventAttributes) regular++;
  }
  return { local, regular };
}
