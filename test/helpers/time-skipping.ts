import type { SearchAttributeType } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { DataSource } from 'typeorm';
import { SEARCH_ATTRIBUTES } from '../../src/contracts/search-attributes';
import { chooseTimeSkippingServer, timeSkippingUnavailableMessage } from '../../src/devserver/java-test-server';
import { activityDepsFromConfig } from '../../worker/activity-deps';
import { createWorker } from '../../worker/create-worker';
import { openTestDatabase, type TestDatabase } from './database';
import { coverageSinks } from './coverage/sinks';
import { installQuietRuntime, testConfig, uniqueTaskQueue, workflowBundle, type RunningWorker } from './temporal';

/**
 * Time-skipping tests (README, "Tests"): the Temporal Java test server, found or
 * fetched once by the project (`src/devserver/java-test-server.ts`), under
 * `TestWorkflowEnvironment.createTimeSkipping`; when Java or Maven is missing (or Maven
 * cannot fetch it), the SDK's own download of its time-skipping server instead. Timers of hours or days fire as soon as
 * nothing else is pending. Start one environment per test file (beforeAll/afterAll): the
 * JVM takes about a second to start.
 */

/** `temporal.api.enums.v1.IndexedValueType`, by the SDK's search attribute type names. */
const INDEXED_VALUE_TYPE: Record<SearchAttributeType, number> = {
  TEXT: 1,
  KEYWORD: 2,
  INT: 3,
  DOUBLE: 4,
  BOOL: 5,
  DATETIME: 6,
  KEYWORD_LIST: 7,
};

/**
 * Registers the project's custom search attributes (ChatId, Intent, Agent, Channel). The
 * Java test server rejects an upsert of an unregistered one ("search attribute ChatId is
 * not defined", failing the workflow task over and over), and `createTimeSkipping` has no
 * `searchAttributes` option, unlike the dev server; its OperatorService takes them.
 */
export async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTES.map((key) => [key.name, INDEXED_VALUE_TYPE[key.type]])),
  });
}

/**
 * A time-skipping environment on the project's Java test server (or, without Java or
 * Maven, the SDK's download of its own), with the project's search attributes registered,
 * so `handleMessage` runs on it unchanged.
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  const choice = await chooseTimeSkippingServer((line) => process.stderr.write(`[time-skipping] ${line}\n`));
  let env: TestWorkflowEnvironment;
  try {
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: choice.executable } });
  } catch (err) {
    if (!('fallbackFrom' in choice)) throw err;
    throw new Error(timeSkippingUnavailableMessage(choice.fallbackFrom, err), { cause: err });
  }
  try {
    await registerSearchAttributes(env);
  } catch (err) {
    await env.teardown();
    throw err;
  }
  return env;
}

/**
 * Starts the project's worker (same options as production) on the time-skipping
 * environment, on a task queue of its own, with the run's shared workflow bundle.
 */
export async function startTimeSkippingWorker(
  env: TestWorkflowEnvironment,
  db: DataSource,
  options: { taskQueue?: string; env?: Record<string, string> } = {},
): Promise<RunningWorker & { taskQueue: string }> {
  const taskQueue = options.taskQueue ?? uniqueTaskQueue('time-skipping');
  const worker = await createWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    deps: activityDepsFromConfig(testConfig({ TEMPORAL_TASK_QUEUE: taskQueue, ...options.env }), db, env.client),
    workflowBundle: workflowBundle(),
    sinks: coverageSinks(),
  });
  const running = worker.run();
  return {
    worker,
    taskQueue,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}

/** The first run on a machine fetches the test server with Maven (about a minute on an empty ~/.m2). */
export const PROVISIONING_TIMEOUT_MS = 5 * 60_000;

export interface TimeSkippingRig {
  env: TestWorkflowEnvironment;
  database: TestDatabase;
  worker: RunningWorker & { taskQueue: string };
}

/**
 * The rig every time-skipping file shares, set up in beforeAll and torn down in afterAll:
 * the environment, a fresh database and the project's worker. `workerEnv` is read in
 * beforeAll, so it may use servers the file starts first.
 */
export function useTimeSkippingRig(options: { workerEnv?: () => Record<string, string> } = {}): TimeSkippingRig {
  const rig = {} as TimeSkippingRig;
  beforeAll(async () => {
    rig.env = await createTimeSkippingEnv();
    rig.database = await openTestDatabase();
    rig.worker = await startTimeSkippingWorker(rig.env, rig.database.db, { env: options.workerEnv?.() });
  }, PROVISIONING_TIMEOUT_MS);
  afterAll(async () => {
    await rig.worker?.stop();
    await rig.env?.teardown();
    await rig.database?.close();
  });
  return rig;
}
