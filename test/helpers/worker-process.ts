import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';

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
