import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../src/activities';
import { DEFAULT_WORKER_MAX_CACHED_WORKFLOWS } from '../src/config';
import { workerObservabilityOptions } from '../src/observability/worker-observability';
import { STICKY_SCHEDULE_TO_START_TIMEOUT } from '../src/temporal/recovery';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /**
   * A prebuilt bundle (tests build one per run) of the SDK's default failure converter, so
   * only without encryption; otherwise the worker bundles `src/workflows` itself.
   */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /**
   * Payload encryption (`dataConverterFor(config)`); undefined: the SDK's default. Its
   * `failureConverterPath` (encryption on) is bundled into the workflow sandbox, so workflow
   * failures are encoded like activity failures.
   */
  dataConverter?: WorkerOptions['dataConverter'];
  /** Sinks beyond the worker's own (tracing), for what a prebuilt bundle's interceptors export: the tests' coverage. */
  sinks?: WorkerOptions['sinks'];
  /** `WORKER_MAX_CACHED_WORKFLOWS` (config.worker.maxCachedWorkflows); undefined: its default. */
  maxCachedWorkflows?: number;
}

/**
 * The worker's capacity and cache settings, shared by the project's worker and the bench's
 * baseline worker so both are measured alike. The workflow cache is sized explicitly: the
 * SDK's default grows with the heap limit (~2300 workflows on a 4 GB heap), which let RSS
 * climb for as long as workflows stayed open (README, "Benchmarks": the soak).
 */
export function productionWorkerTuning(maxCachedWorkflows = DEFAULT_WORKER_MAX_CACHED_WORKFLOWS): Partial<WorkerOptions> {
  // SWITCHBOARD_WORKER_OPTIONS (JSON) tries other settings without a rebuild: the bench uses it.
  const tried = process.env.SWITCHBOARD_WORKER_OPTIONS;
  return { maxCachedWorkflows, ...(tried ? (JSON.parse(tried) as Partial<WorkerOptions>) : {}) };
}

/** The one place the worker's options are decided, shared by the process and the tests. */
export async function createWorker(setup: WorkerSetup): Promise<Worker> {
  if (setup.workflowBundle && setup.dataConverter?.failureConverterPath) {
    // The SDK ignores failureConverterPath for a prebuilt bundle: the sandbox would then write
    // workflow failure messages in the clear while activities encrypt theirs.
    throw new Error('createWorker: a prebuilt workflow bundle cannot take the failure converter of an encrypting data converter; let the worker bundle src/workflows');
  }
  const observability = workerObservabilityOptions(setup.workflowBundle !== undefined);
  return Worker.create({
    connection: setup.connection,
    namespace: setup.namespace,
    taskQueue: setup.taskQueue,
    ...(setup.workflowBundle
      ? { workflowBundle: setup.workflowBundle }
      : { workflowsPath: require.resolve('../src/workflows') }),
    activities: createActivities(setup.deps),
    ...(setup.dataConverter ? { dataConverter: setup.dataConverter } : {}),
    // A dead worker's sticky tasks move to the shared queue in seconds (src/temporal/recovery.ts).
    stickyQueueScheduleToStartTimeout: STICKY_SCHEDULE_TO_START_TIMEOUT,
    ...productionWorkerTuning(setup.maxCachedWorkflows),
    // Tracing (OpenTelemetry interceptors, workflow span sink) and activity metrics.
    ...observability,
    sinks: { ...observability.sinks, ...setup.sinks },
    // On SIGINT/SIGTERM, in-flight activities get this long to finish before they are cancelled.
    shutdownGraceTime: '10 seconds',
  });
}

export { NativeConnection };
