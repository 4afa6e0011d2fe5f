import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { openTestDatabase, type TestDatabase } from './database';
import { connectTemporal, uniqueTaskQueue, type RunningWorker, type TemporalTestContext } from './temporal';

/** The repository's root: where `dist/` is built. */
export const ROOT = path.resolve(__dirname, '../..');

/** Builds `dist/` as `npm run worker` runs it (incremental, fast when current). */
export function buildProject(): void {
  const build = spawnSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);
}

/** The real worker process (compiled), so it can be killed the way a machine dies. */
export function spawnWorker(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [path.join(ROOT, 'dist/worker/main.js')], {
    // Metrics endpoints off: fixed ports would clash with anything else on this machine.
    env: { ...process.env, WORKER_METRICS_PORT: '0', TEMPORAL_METRICS_PORT: '0', ...env, SWITCHBOARD_CONFIG: '', LOG_LEVEL: 'warn', NODE_ENV: 'test' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/**
 * The rig of a test that kills a worker process: the compiled project, a Temporal connection,
 * a fresh database and a task queue of its own. The test sets `doomed` (the process it kills)
 * and `replacement` (the worker that takes over); both are ended after the file.
 */
export interface CrashRig {
  ctx: TemporalTestContext;
  database: TestDatabase;
  taskQueue: string;
  doomed?: ChildProcess;
  replacement?: RunningWorker;
}

export function useCrashRig(name: string): CrashRig {
  const rig = { taskQueue: uniqueTaskQueue(name) } as CrashRig;
  beforeAll(async () => {
    buildProject();
    rig.ctx = await connectTemporal();
    rig.database = await openTestDatabase();
  }, 120_000);
  afterAll(async () => {
    rig.doomed?.kill('SIGKILL');
    await rig.replacement?.stop();
    await rig.database?.close();
    await rig.ctx?.close();
  });
  return rig;
}
