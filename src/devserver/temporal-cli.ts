import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildThenRename, isExecutableFile } from './provisioning';

/**
 * Finds the Temporal CLI, building it when needed (README, "Two commands"), in this order:
 * `TEMPORAL_CLI_PATH`, `temporal` on PATH, the project's cached build, a fresh `go install`
 * into that cache. The binary lives outside the repository.
 */

/** The last CLI release that `go install` can build (later ones carry a `replace` directive). */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const MODULE = 'github.com/temporalio/cli/cmd/temporal';
/** The Go release the CLI was built with; the module proxy serves it when the local Go fails. */
const FALLBACK_GO_TOOLCHAIN = 'go1.25.0';

export type CliSource = 'env' | 'path' | 'cache' | 'built';

export interface FoundCli {
  path: string;
  source: CliSource;
}

export class TemporalCliNotFoundError extends Error {
  override name = 'TemporalCliNotFoundError';
}

export function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'switchboard', 'temporal-cli', TEMPORAL_CLI_VERSION);
}

function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, binary);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** Looks without building: returns undefined when only a build would produce a binary. */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): FoundCli | undefined {
  const fromEnv = env.TEMPORAL_CLI_PATH?.trim();
  if (fromEnv) {
    if (!isExecutableFile(fromEnv)) {
      throw new TemporalCliNotFoundError(`TEMPORAL_CLI_PATH=${fromEnv} is not an executable file`);
    }
    return { path: fromEnv, source: 'env' };
  }
  const fromPath = onPath('temporal');
  if (fromPath) return { path: fromPath, source: 'path' };
  const cached = path.join(cacheDir(), 'temporal');
  if (isExecutableFile(cached)) return { path: cached, source: 'cache' };
  return undefined;
}

function goAvailable(): boolean {
  return spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
}

function runGoInstall(gobin: string, toolchain: string | undefined, log: (line: string) => void): Promise<boolean> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, GOBIN: gobin, CGO_ENABLED: '0' };
    if (toolchain) env.GOTOOLCHAIN = toolchain;
    const child = spawn('go', ['install', `${MODULE}@${TEMPORAL_CLI_VERSION}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0;
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        lines += 1;
        // Module downloads print hundreds of lines; show progress without flooding CI logs.
        if (!line.startsWith('go: downloading') || lines % 25 === 0) log(`  go: ${line.replace(/^go: /, '')}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}

/**
 * Builds the CLI with Go into the cache. The build goes to a scratch folder first and is
 * renamed into place (`buildThenRename`), so two processes building at once never leave a
 * half-written binary.
 */
export async function buildTemporalCli(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<FoundCli> {
  if (!goAvailable()) {
    throw new TemporalCliNotFoundError(
      'No Temporal CLI found and Go is not installed to build one. Install the CLI (https://docs.temporal.io/cli), ' +
        'set TEMPORAL_CLI_PATH to a `temporal` binary, or install Go so Switchboard can build it.',
    );
  }
  const target = path.join(cacheDir(), 'temporal');
  const started = Date.now();
  log(
    `Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${cacheDir()}. ` +
      'This happens once per machine and takes about 5-10 minutes on a cold module cache.',
  );
  await buildThenRename({
    parent: cacheDir(),
    prefix: '.build-',
    target,
    build: async (scratch) => {
      let ok = await runGoInstall(scratch, undefined, log);
      if (!ok) {
        log(`The build failed under the local Go; retrying with GOTOOLCHAIN=${FALLBACK_GO_TOOLCHAIN} from the module proxy.`);
        ok = await runGoInstall(scratch, FALLBACK_GO_TOOLCHAIN, log);
      }
      const built = path.join(scratch, 'temporal');
      if (!ok || !existsSync(built)) {
        throw new TemporalCliNotFoundError(`go install ${MODULE}@${TEMPORAL_CLI_VERSION} failed; see the output above`);
      }
      return built;
    },
  });
  log(`Temporal CLI built in ${Math.round((Date.now() - started) / 1000)} s: ${target}`);
  return { path: target, source: 'built' };
}

/** Finds the CLI, or builds it when Go is present. */
export async function ensureTemporalCli(log?: (line: string) => void): Promise<FoundCli> {
  return findTemporalCli() ?? (await buildTemporalCli(log));
}
