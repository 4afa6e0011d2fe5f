import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../src/activities';
import { workerObservabilityOptions } from '../src/observability/worker-observability';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (tests build one per run); otherwise the worker bundles `src/workflows`. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Payload encryption (`dataConverterFor(config)`); undefined: the SDK's default. */
  dataConverter?: WorkerOptions['dataConverter'];
}

/** The one place the worker's options are decided, shared by the process and the tests. */
export async function createWorker(setup: WorkerSetup): Promise<Worker> {
  return Worker.create({
    connection: setup.connection,
    namespace: setup.namespace,
    taskQueue: setup.taskQueue,
    ...(setup.workflowBundle
      ? { workflowBundle: setup.workflowBundle }
      : { workflowsPath: require.resolve('../src/workflows') }),
    activities: createActivities(setup.deps),
    ...(setup.dataConverter ? { dataConverter: setup.dataConverter } : {}),
    // Tracing (OpenTelemetry interceptors, workflow span sink) and activity metrics.
    ...workerObservabilityOptions(setup.workflowBundle !== undefined),
    // On SIGINT/SIGTERM, in-flight activities get this long to finish before they are cancelled.
    shutdownGraceTime: '10 seconds',
  });
}

export { NativeConnection };
