import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ensureJavaTestServer,
  findJavaTestServer,
  javaTestServerCacheDir,
  JavaTestServerNotFoundError,
  JAVA_TEST_SERVER_MAIN_CLASS,
  JAVA_TEST_SERVER_VERSION,
  pomXml,
  wrapperScript,
} from '../../src/devserver/java-test-server';

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function tmp(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

function executable(dir: string, name: string, body = '#!/bin/sh\nexit 0\n'): string {
  const file = path.join(dir, name);
  writeFileSync(file, body);
  chmodSync(file, 0o755);
  return file;
}

/** Runs `fn` with some process.env variables replaced, restoring them afterwards. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

describe('finding the Temporal Java test server', () => {
  const dir = tmp('sb-jts-');

  it('prefers TEMPORAL_TEST_SERVER_PATH', () => {
    const explicit = executable(dir, 'my-test-server');
    expect(findJavaTestServer({ TEMPORAL_TEST_SERVER_PATH: explicit, XDG_CACHE_HOME: dir })).toEqual({ path: explicit, version: 'external', source: 'env' });
  });

  it('refuses a TEMPORAL_TEST_SERVER_PATH that is not executable, naming it', () => {
    const plain = path.join(dir, 'not-executable');
    writeFileSync(plain, '');
    expect(() => findJavaTestServer({ TEMPORAL_TEST_SERVER_PATH: plain })).toThrow(JavaTestServerNotFoundError);
    expect(() => findJavaTestServer({ TEMPORAL_TEST_SERVER_PATH: plain })).toThrow(/TEMPORAL_TEST_SERVER_PATH=.*not-executable/);
    expect(() => findJavaTestServer({ TEMPORAL_TEST_SERVER_PATH: path.join(dir, 'missing') })).toThrow(/TEMPORAL_TEST_SERVER_PATH=.*missing/);
  });

  it('caches outside the repository, keyed by version, under XDG_CACHE_HOME when set', () => {
    const cache = javaTestServerCacheDir();
    expect(cache).toContain(path.join('switchboard', 'temporal-test-server', JAVA_TEST_SERVER_VERSION));
    expect(cache.startsWith(path.resolve(__dirname, '../..'))).toBe(false);
    expect(javaTestServerCacheDir(JAVA_TEST_SERVER_VERSION, { XDG_CACHE_HOME: '/xdg' })).toBe(
      path.join('/xdg', 'switchboard', 'temporal-test-server', JAVA_TEST_SERVER_VERSION),
    );
  });

  it('uses a complete cached copy and ignores an incomplete one', () => {
    const xdg = tmp('sb-xdg-');
    const versionDir = javaTestServerCacheDir(JAVA_TEST_SERVER_VERSION, { XDG_CACHE_HOME: xdg });
    mkdirSync(path.join(versionDir, 'lib'), { recursive: true });
    const wrapper = executable(versionDir, 'temporal-test-server');
    expect(findJavaTestServer({ XDG_CACHE_HOME: xdg })).toBeUndefined();
    writeFileSync(path.join(versionDir, 'lib', `temporal-test-server-${JAVA_TEST_SERVER_VERSION}.jar`), '');
    expect(findJavaTestServer({ XDG_CACHE_HOME: xdg })).toEqual({ path: wrapper, version: JAVA_TEST_SERVER_VERSION, source: 'cache' });
  });

  it('declares the artifact at the chosen version for Maven', () => {
    expect(pomXml()).toMatch(
      new RegExp(`<groupId>io.temporal</groupId>\\s*<artifactId>temporal-test-server</artifactId>\\s*<version>${JAVA_TEST_SERVER_VERSION.replace(/\./g, '\\.')}</version>`),
    );
  });

  it('writes a wrapper that execs the main class with the arguments unchanged (the SDK passes <port> first)', () => {
    const copy = tmp('sb-wrapper-');
    const wrapper = executable(copy, 'temporal-test-server', wrapperScript());
    const bin = tmp('sb-fakejava-');
    executable(bin, 'java', '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n');
    const run = spawnSync(wrapper, ['43210', '--some extra'], { env: { PATH: `${bin}:/usr/bin:/bin` }, encoding: 'utf8' });
    expect(run.status).toBe(0);
    const args = run.stdout.trim().split('\n');
    expect(args.slice(-4)).toEqual([path.join(copy, 'lib', '*'), JAVA_TEST_SERVER_MAIN_CLASS, '43210', '--some extra']);
    expect(args[args.length - 5]).toBe('-cp');
  });

  it('names what to install when Java or Maven is missing', async () => {
    const xdg = tmp('sb-xdg-');
    const empty = tmp('sb-empty-');
    const env = { XDG_CACHE_HOME: xdg, TEMPORAL_TEST_SERVER_PATH: undefined, JAVA_HOME: undefined };
    await withEnv({ ...env, PATH: empty }, async () => {
      const err = await ensureJavaTestServer(() => {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(JavaTestServerNotFoundError);
      expect((err as Error).message).toMatch(/Java.*Install a JDK/s);
    });
    const onlyJava = tmp('sb-java-');
    executable(onlyJava, 'java');
    await withEnv({ ...env, PATH: onlyJava }, async () => {
      const err = await ensureJavaTestServer(() => {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(JavaTestServerNotFoundError);
      expect((err as Error).message).toMatch(/Maven is not installed.*Install Maven/s);
    });
  });
});
