import type { ActivityDeps } from '../../src/activities';
import { alertsScheduleId } from '../../src/contracts/alerts';
import { seedDemoData } from '../../src/persistence/seed/demo-data';
import { startTestApi, type TestApi } from './api';
import { openTestDatabase, type DatabaseKind, type TestDatabase } from './database';
import { connectTemporal, startTestWorker, uniqueTaskQueue, type RunningWorker, type TemporalTestContext } from './temporal';

export interface ApiHarness {
  ctx: TemporalTestContext;
  database: TestDatabase;
  worker: RunningWorker;
  api: TestApi;
  taskQueue: string;
}

export interface ApiHarnessOptions {
  /** Prefix of the harness's own task queue. */
  name: string;
  kind?: DatabaseKind;
  /** Seed the demo catalog, customers and orders. */
  seed?: boolean;
  /** Configuration for both the worker and the API (provider URLs, secrets). */
  env?: () => Record<string, string>;
  /** Replaces worker dependencies, e.g. to inject a fault at the edge of one agent. */
  override?: (deps: ActivityDeps) => ActivityDeps;
  /** Runs before the rig is torn down, e.g. to end long-lived workflows the file started. */
  beforeTeardown?: (harness: ApiHarness) => Promise<void>;
}

/**
 * The end-to-end rig most API tests share, set up in beforeAll and torn down in afterAll:
 * a Temporal connection, a fresh database, the project's worker on a task queue of its own,
 * and the Nest app over HTTP on the same configuration. Fields are filled in beforeAll.
 */
export function useApiHarness(options: ApiHarnessOptions): ApiHarness {
  const harness = { taskQueue: uniqueTaskQueue(options.name) } as ApiHarness;
  beforeAll(async () => {
    const env = options.env?.() ?? {};
    harness.ctx = await connectTemporal();
    harness.database = await openTestDatabase(options.kind ?? 'sqlite');
    if (options.seed) await seedDemoData(harness.database.db);
    harness.worker = await startTestWorker(harness.ctx, harness.taskQueue, harness.database.db, env, options.override);
    harness.api = await startTestApi({ address: harness.ctx.address, taskQueue: harness.taskQueue, database: harness.database, env });
  });
  afterAll(async () => {
    if (harness.ctx) await options.beforeTeardown?.(harness);
    await harness.api?.close();
    // The API made an alerts schedule for this file's task queue; nothing polls that queue after this file.
    if (harness.ctx) await harness.ctx.client.schedule.getHandle(alertsScheduleId(harness.taskQueue)).delete().catch(() => undefined);
    await harness.worker?.stop();
    await harness.database?.close();
    await harness.ctx?.close();
  });
  return harness;
}
