import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/devserver/free-port';

/**
 * Which PostgreSQL the database tests' PostgreSQL variants run on (README, "Tests"):
 * DATABASE_URL when the user set it (nothing is started); else a throw-away cluster that
 * global setup starts with `scripts/ci/postgres.sh` when the server binaries are already
 * installed (nothing is ever installed from here); else none, said in one plain line at the
 * start of the run and again in the closing summary (summary-reporter.js).
 */

/** Holds the line saying the PostgreSQL variants did not run, for the summary reporter. */
export const POSTGRES_NOTICE_VAR = 'SWITCHBOARD_POSTGRES_NOTICE';
/** `SWITCHBOARD_TEST_POSTGRES=0` skips the throw-away cluster (a quicker single-file run). */
export const POSTGRES_OPT_OUT_VAR = 'SWITCHBOARD_TEST_POSTGRES';

export const NO_POSTGRES_NOTICE =
  'PostgreSQL variants did not run: no DATABASE_URL and no PostgreSQL binaries (apt-get install postgresql, or set DATABASE_URL)';

export type PostgresPlan =
  /** DATABASE_URL was set by the user: use it, start nothing. */
  | { kind: 'user'; url: string }
  /** Start a throw-away cluster with the binaries in `binDir`. */
  | { kind: 'throwaway'; binDir: string }
  /** The PostgreSQL variants do not run; `notice` says so plainly. */
  | { kind: 'none'; notice: string };

/** What the machine has, injected so the decision is a pure function. */
export interface PostgresProbe {
  env: Record<string, string | undefined>;
  /** The folders `ls -d /usr/lib/postgresql/<version>/bin` lists. */
  debianBinDirs: string[];
  /** The path of a command on PATH, or undefined. */
  which(command: string): string | undefined;
  isRoot: boolean;
  /** Whether a user of this name exists (as root, PostgreSQL runs as `postgres`). */
  hasUser(name: string): boolean;
}

function versionKey(dir: string): number[] {
  return path
    .basename(path.dirname(dir))
    .split(/[^0-9]+/)
    .filter(Boolean)
    .map(Number);
}

/** The newest of `/usr/lib/postgresql/<version>/bin` (as `sort -V | tail -n 1`). */
export function newestBinDir(dirs: string[]): string | undefined {
  return [...dirs].sort((a, b) => {
    const [x, y] = [versionKey(a), versionKey(b)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      const d = (x[i] ?? -1) - (y[i] ?? -1);
      if (d !== 0) return d;
    }
    return a.localeCompare(b);
  })[dirs.length - 1];
}

/** The binaries `scripts/ci/postgres.sh` would use, in its order; undefined when there are none. */
export function postgresBinDir(probe: PostgresProbe): string | undefined {
  const debian = newestBinDir(probe.debianBinDirs);
  if (debian) return debian;
  const pgCtl = probe.which('pg_ctl');
  const initdb = probe.which('initdb');
  if (pgCtl && initdb && path.dirname(pgCtl) === path.dirname(initdb)) return path.dirname(pgCtl);
  return undefined;
}

/** Which PostgreSQL to use for the run. */
export function choosePostgres(probe: PostgresProbe): PostgresPlan {
  const url = probe.env.DATABASE_URL?.trim();
  if (url) return { kind: 'user', url };
  if (probe.env[POSTGRES_OPT_OUT_VAR] === '0') {
    return {
      kind: 'none',
      notice: `PostgreSQL variants did not run: ${POSTGRES_OPT_OUT_VAR}=0 and no DATABASE_URL (unset it, or set DATABASE_URL)`,
    };
  }
  const binDir = postgresBinDir(probe);
  if (!binDir) return { kind: 'none', notice: NO_POSTGRES_NOTICE };
  if (probe.isRoot && !probe.hasUser('postgres')) {
    return {
      kind: 'none',
      notice:
        'PostgreSQL variants did not run: no DATABASE_URL, and PostgreSQL refuses to run as root with no `postgres` user ' +
        'to run it as (useradd postgres, run as another user, or set DATABASE_URL)',
    };
  }
  return { kind: 'throwaway', binDir };
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** This machine, for `choosePostgres`. */
export function machineProbe(env: NodeJS.ProcessEnv = process.env): PostgresProbe {
  let debianBinDirs: string[] = [];
  try {
    debianBinDirs = readdirSync('/usr/lib/postgresql')
      .map((version) => path.join('/usr/lib/postgresql', version, 'bin'))
      .filter((dir) => isExecutable(path.join(dir, 'pg_ctl')) && isExecutable(path.join(dir, 'initdb')));
  } catch {
    // no Debian-style installation
  }
  return {
    env,
    debianBinDirs,
    which: (command) =>
      (env.PATH ?? '')
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.join(dir, command))
        .find(isExecutable),
    isRoot: process.getuid?.() === 0,
    hasUser: (name) => spawnSync('id', ['-u', name], { stdio: 'ignore' }).status === 0,
  };
}

const SCRIPT = path.resolve(__dirname, '../../scripts/ci/postgres.sh');

export interface ThrowawayPostgres {
  url: string;
  dir: string;
  binDir: string;
}

function runScript(args: string[], binDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', [SCRIPT, ...args], {
      env: { ...process.env, SWITCHBOARD_PG_BIN: binDir, SWITCHBOARD_PG_NO_INSTALL: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (err) => resolve({ code: 1, stdout, stderr: `${stderr}${err.message}` }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Stops a cluster started by `startThrowawayPostgres` and removes its folder. */
export function stopThrowawayPostgres(pg: Pick<ThrowawayPostgres, 'dir' | 'binDir'>): void {
  spawnSync('bash', [SCRIPT, 'stop', pg.dir], {
    env: { ...process.env, SWITCHBOARD_PG_BIN: pg.binDir, SWITCHBOARD_PG_NO_INSTALL: '1' },
    stdio: 'ignore',
    timeout: 60_000,
  });
  rmSync(pg.dir, { recursive: true, force: true });
}

/**
 * Starts a throw-away cluster (`scripts/ci/postgres.sh start`, never installing) in a temp
 * folder on a free loopback port; a second port is tried if another process took the first.
 */
export async function startThrowawayPostgres(binDir: string): Promise<ThrowawayPostgres> {
  let failure = '';
  for (let attempt = 0; attempt < 2; attempt++) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-test-pg-'));
    const port = await freePort();
    const run = await runScript(['start', dir, String(port)], binDir);
    const url = run.stdout.trim().split('\n').pop() ?? '';
    if (run.code === 0 && url.startsWith('postgres://')) return { url, dir, binDir };
    let serverLog = '';
    try {
      serverLog = readFileSync(path.join(dir, 'server.log'), 'utf8').trim().split('\n').slice(-5).join('\n');
    } catch {
      // initdb failed before the server wrote a log
    }
    failure = [run.stderr.trim().split('\n').slice(-10).join('\n') || `exit code ${run.code}`, serverLog].filter(Boolean).join('\n');
    stopThrowawayPostgres({ dir, binDir });
  }
  throw new Error(failure);
}

/**
 * For global setup: decides, starts the cluster when there is one to start, and says in one
 * line what the PostgreSQL variants run on. Sets DATABASE_URL (inherited by the test
 * workers) for a throw-away cluster, or POSTGRES_NOTICE_VAR when the variants do not run.
 * Returns the cluster to stop at teardown, if any. Never throws: a cluster that fails to
 * start is reported like missing binaries, with the reason.
 */
export async function setUpTestPostgres(log: (line: string) => void, probe: PostgresProbe = machineProbe()): Promise<ThrowawayPostgres | undefined> {
  delete process.env[POSTGRES_NOTICE_VAR];
  const plan = choosePostgres(probe);
  if (plan.kind === 'user') {
    log('PostgreSQL variants run on DATABASE_URL (set by you; nothing started)');
    return undefined;
  }
  if (plan.kind === 'none') {
    process.env[POSTGRES_NOTICE_VAR] = plan.notice;
    log(plan.notice);
    return undefined;
  }
  const started = Date.now();
  try {
    const pg = await startThrowawayPostgres(plan.binDir);
    process.env.DATABASE_URL = pg.url;
    log(`PostgreSQL variants run on a throw-away cluster (${plan.binDir}) at ${pg.url} in ${pg.dir}, started in ${Date.now() - started} ms; stopped at the end`);
    return pg;
  } catch (err) {
    const notice = `PostgreSQL variants did not run: the throw-away cluster (${plan.binDir}) did not start (set DATABASE_URL to use a server of your own): ${(err as Error).message.split('\n')[0]}`;
    process.env[POSTGRES_NOTICE_VAR] = notice;
    log(`${notice}\n${(err as Error).message}`);
    return undefined;
  }
}
