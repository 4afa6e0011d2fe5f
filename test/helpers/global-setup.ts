import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { SEARCH_ATTRIBUTES } from '../../src/contracts/search-attributes';
import { DEV_SERVER_SPEED_ARGS } from '../../src/devserver/dev-server';
import { WORKER_HEARTBEAT_SERVER_ARGS } from '../../src/temporal/worker-heartbeats';
import { ensureTemporalCli, TemporalCliNotFoundError } from '../../src/devserver/temporal-cli';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../src/observability/tracing';
import { coverageBundleOptions } from './coverage/bundle';
import { setUpTestPostgres, stopThrowawayPostgres, type ThrowawayPostgres } from './postgres';
import { CLI_PATH_VAR, TEMPORAL_ADDRESS_VAR, WORKFLOW_BUNDLE_VAR } from './shared-env';

/**
 * Starts one real Temporal dev server (the project's CLI, found or built) and bundles the
 * workflows once, for every test file of the run; and, unless DATABASE_URL is set, a
 * throw-away PostgreSQL cluster when its binaries are installed (./postgres.ts), or one line
 * saying the PostgreSQL variants do not run.
 */
export default async function globalSetup(globalConfig: { collectCoverage?: boolean }): Promise<void> {
  const log = (line: string) => process.stderr.write(`[test-setup] ${line}\n`);
  // Started alongside the dev server; never rejects (a failed start is reported as a notice).
  const postgres = setUpTestPostgres((line) => process.stderr.write(`[postgres] ${line}\n`));
  let pg: ThrowawayPostgres | undefined;
  let stopped = false;
  const stopPostgres = () => {
    if (pg && !stopped) {
      stopped = true;
      stopThrowawayPostgres(pg);
    }
  };
  // A safety net for a run that ends without global teardown (global setup failing, an exit).
  process.once('exit', stopPostgres);
  try {
    await setUpTemporal(globalConfig, log);
  } catch (err) {
    pg = await postgres;
    stopPostgres();
    throw err;
  }
  pg = await postgres;
  // global-teardown.ts stops it after the Temporal environment.
  (globalThis as Record<string, unknown>).__SWITCHBOARD_POSTGRES__ = { stop: stopPostgres, dir: pg?.dir };
}

async function setUpTemporal(globalConfig: { collectCoverage?: boolean }, log: (line: string) => void): Promise<void> {
  let executable: { type: 'existing-path'; path: string } | { type: 'cached-download' };
  try {
    const cli = await ensureTemporalCli(log);
    executable = { type: 'existing-path', path: cli.path };
    process.env[CLI_PATH_VAR] = cli.path;
  } catch (err) {
    if (!(err instanceof TemporalCliNotFoundError)) throw err;
    log(`${err.message}\nFalling back to the SDK's own download of the dev server (needs internet).`);
    executable = { type: 'cached-download' };
  }

  const env = await TestWorkflowEnvironment.createLocal({
    // Provisioned like every dev server the project starts: for speed, and with worker heartbeats (readiness).
    server: { executable, ip: '127.0.0.1', searchAttributes: [...SEARCH_ATTRIBUTES], extraArgs: ['--log-level', 'error', ...DEV_SERVER_SPEED_ARGS, ...WORKER_HEARTBEAT_SERVER_ARGS] },
  });
  (globalThis as Record<string, unknown>).__SWITCHBOARD_TEMPORAL__ = env;
  process.env[TEMPORAL_ADDRESS_VAR] = env.address;

  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    // The OpenTelemetry workflow interceptors, as the production worker bundles them.
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: { trace() {}, debug() {}, info() {}, warn: log, error: log, log() {} },
    // With --coverage, the workflows count too: instrumented like Jest's own modules, their
    // counts sent out of the sandbox after each activation (test/helpers/coverage).
    ...(globalConfig.collectCoverage ? coverageBundleOptions() : {}),
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-bundle-'));
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, code);
  process.env[WORKFLOW_BUNDLE_VAR] = bundlePath;
}
