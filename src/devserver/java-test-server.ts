import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';
import { buildThenRename, isExecutableFile } from './provisioning';

/**
 * Finds or provisions the Temporal Java test server, the time-skipping server behind
 * `TestWorkflowEnvironment.createTimeSkipping` (README, "Tests"). In order: `TEMPORAL_TEST_SERVER_PATH`, the project's cached copy, then a fresh
 * copy of `io.temporal:temporal-test-server` fetched from Maven Central with `mvn`.
 *
 * The cache holds the jars and an executable wrapper,
 * `~/.cache/switchboard/temporal-test-server/<version>/temporal-test-server`, meant for
 * `{ server: { executable: { type: 'existing-path', path } } }`. The SDK's core spawns it
 * as `<path> <port> [...extraArgs]` and kills it (SIGKILL) at teardown, so the wrapper
 * forwards its arguments unchanged and `exec`s Java so that the kill reaches the JVM.
 */

/** Any Maven Central release works; it does not need to match the TypeScript SDK's version. */
export const JAVA_TEST_SERVER_VERSION = '1.38.0';
export const JAVA_TEST_SERVER_ARTIFACT = 'io.temporal:temporal-test-server';
export const JAVA_TEST_SERVER_MAIN_CLASS = 'io.temporal.testserver.TestServer';
/** Pinned, so Maven does not look up "latest" on every cold run. */
const DEPENDENCY_PLUGIN_VERSION = '3.8.1';
/** The 1.7 line, matching the slf4j-api the test server depends on. */
const SLF4J_NOP_VERSION = '1.7.36';
const WRAPPER_NAME = 'temporal-test-server';
/** An AppCDS archive of the classes the server loads at start, made once after provisioning. */
const CDS_ARCHIVE = 'app.jsa';

export type JavaTestServerSource = 'env' | 'cache' | 'built';

export interface FoundJavaTestServer {
  path: string;
  /** The artifact version, or `external` for a TEMPORAL_TEST_SERVER_PATH of unknown version. */
  version: string;
  source: JavaTestServerSource;
}

/**
 * What kept the project from providing the server: `java` or `mvn` absent, Maven unable to
 * fetch the artifact, or a TEMPORAL_TEST_SERVER_PATH that is not an executable file.
 */
export type JavaTestServerMissing = 'java' | 'maven' | 'fetch' | 'env';

export class JavaTestServerNotFoundError extends Error {
  override name = 'JavaTestServerNotFoundError';
  constructor(
    message: string,
    readonly missing?: JavaTestServerMissing,
  ) {
    super(message);
  }
}

/** `~/.cache/switchboard/temporal-test-server` (or under XDG_CACHE_HOME). */
export function javaTestServerCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'switchboard', 'temporal-test-server');
}

/** The folder one version lives in: the wrapper, `lib/` and the `pom.xml` that fetched it. */
export function javaTestServerCacheDir(version: string = JAVA_TEST_SERVER_VERSION, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(javaTestServerCacheRoot(env), version);
}

/** A cached copy is complete when its wrapper is executable and `lib/` holds the artifact. */
function isComplete(dir: string, version: string): boolean {
  if (!isExecutableFile(path.join(dir, WRAPPER_NAME))) return false;
  try {
    return readdirSync(path.join(dir, 'lib')).includes(`temporal-test-server-${version}.jar`);
  } catch {
    return false;
  }
}

/** Looks without provisioning: returns undefined when only a Maven fetch would produce one. */
export function findJavaTestServer(env: NodeJS.ProcessEnv = process.env): FoundJavaTestServer | undefined {
  const fromEnv = env.TEMPORAL_TEST_SERVER_PATH?.trim();
  if (fromEnv) {
    if (!isExecutableFile(fromEnv)) {
      throw new JavaTestServerNotFoundError(`TEMPORAL_TEST_SERVER_PATH=${fromEnv} is not an executable file`, 'env');
    }
    return { path: path.resolve(fromEnv), version: 'external', source: 'env' };
  }
  const dir = javaTestServerCacheDir(JAVA_TEST_SERVER_VERSION, env);
  if (isComplete(dir, JAVA_TEST_SERVER_VERSION)) {
    return { path: path.join(dir, WRAPPER_NAME), version: JAVA_TEST_SERVER_VERSION, source: 'cache' };
  }
  return undefined;
}

/**
 * The wrapper: finds its own folder (so the copy can be moved), prefers
 * `$JAVA_HOME/bin/java`, and replaces itself with the JVM (`exec`), so the SDK's kill at
 * teardown reaches Java. It passes its arguments through unchanged. When the class-data
 * archive made at provisioning is there it starts from it (about 1 s instead of 2-3 s; the
 * SDK gives the server 5 s to answer); a stale or foreign archive is ignored silently.
 */
export function wrapperScript(): string {
  return [
    '#!/bin/sh',
    `# Temporal Java test server (${JAVA_TEST_SERVER_ARTIFACT}), provisioned by Switchboard.`,
    '# Usage: temporal-test-server <port> [args...]   (the arguments go to the server unchanged)',
    'dir=$(CDPATH= cd -P -- "$(dirname -- "$0")" && pwd -P) || exit 1',
    'if [ -n "$JAVA_HOME" ] && [ -x "$JAVA_HOME/bin/java" ]; then java="$JAVA_HOME/bin/java"; else java=java; fi',
    `if [ -f "$dir/${CDS_ARCHIVE}" ]; then`,
    `  exec "$java" -Xshare:auto -XX:SharedArchiveFile="$dir/${CDS_ARCHIVE}" -Xlog:cds=off -Xlog:cds+dynamic=off $SWITCHBOARD_TEST_SERVER_JAVA_OPTS -cp "$dir/lib/*" ${JAVA_TEST_SERVER_MAIN_CLASS} "$@"`,
    'fi',
    `exec "$java" $SWITCHBOARD_TEST_SERVER_JAVA_OPTS -cp "$dir/lib/*" ${JAVA_TEST_SERVER_MAIN_CLASS} "$@"`,
    '',
  ].join('\n');
}

export function pomXml(version: string = JAVA_TEST_SERVER_VERSION): string {
  const [groupId, artifactId] = JAVA_TEST_SERVER_ARTIFACT.split(':');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Fetches the Temporal Java test server and its runtime dependencies into lib/ (Switchboard). -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>switchboard.local</groupId>
  <artifactId>temporal-test-server-provisioning</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>${groupId}</groupId>
      <artifactId>${artifactId}</artifactId>
      <version>${version}</version>
    </dependency>
    <!-- Binds the server's SLF4J to a no-op logger: without it every start prints a warning. -->
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-nop</artifactId>
      <version>${SLF4J_NOP_VERSION}</version>
    </dependency>
  </dependencies>
  <build>
    <pluginManagement>
      <plugins>
        <plugin>
          <groupId>org.apache.maven.plugins</groupId>
          <artifactId>maven-dependency-plugin</artifactId>
          <version>${DEPENDENCY_PLUGIN_VERSION}</version>
        </plugin>
      </plugins>
    </pluginManagement>
  </build>
</project>
`;
}

function commandWorks(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore', env: process.env });
  return !result.error && result.status === 0;
}

function javaCommand(): string {
  const home = process.env.JAVA_HOME;
  if (home && isExecutableFile(path.join(home, 'bin', 'java'))) return path.join(home, 'bin', 'java');
  return 'java';
}

function requireJava(): void {
  if (!commandWorks(javaCommand(), ['-version'])) {
    throw new JavaTestServerNotFoundError(
      'The time-skipping tests need the Temporal Java test server, which needs Java 11 or later and it was not found ' +
        '(neither $JAVA_HOME/bin/java nor `java` on PATH). Install a JDK or JRE (e.g. `apt-get install openjdk-17-jre-headless`), ' +
        'or set TEMPORAL_TEST_SERVER_PATH to an executable test server.',
      'java',
    );
  }
}

function runMaven(cwd: string, log: (line: string) => void): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    const args = ['-q', '-B', 'dependency:copy-dependencies', '-DoutputDirectory=lib', '-DincludeScope=runtime'];
    log(`  (cd ${cwd} && mvn ${args.join(' ')})`);
    const child = spawn('mvn', args, { cwd, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => resolve({ ok: false, output: `${output}${err.message}` }));
    child.on('close', (code) => resolve({ ok: code === 0, output }));
  });
}

/**
 * Fetches the jars with Maven (into `~/.m2` and then the cache) and writes the wrapper.
 * Everything is assembled in a scratch folder and renamed into place (`buildThenRename`), so
 * two processes provisioning at once never leave a half-written copy; the loser discards its own.
 */
export async function buildJavaTestServer(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<FoundJavaTestServer> {
  requireJava();
  if (!commandWorks('mvn', ['-v'])) {
    throw new JavaTestServerNotFoundError(
      `No Temporal Java test server found and Maven is not installed to fetch ${JAVA_TEST_SERVER_ARTIFACT}:${JAVA_TEST_SERVER_VERSION} ` +
        'from Maven Central. Install Maven (e.g. `apt-get install maven`), or set TEMPORAL_TEST_SERVER_PATH to an executable test server.',
      'maven',
    );
  }
  const version = JAVA_TEST_SERVER_VERSION;
  const target = javaTestServerCacheDir(version);
  const started = Date.now();
  log(
    `Fetching the Temporal Java test server ${version} (${JAVA_TEST_SERVER_ARTIFACT}) with Maven into ${target}. ` +
      'This happens once per machine: about a minute with an empty ~/.m2, about 15 s when Maven already has the jars.',
  );
  await buildThenRename({
    parent: javaTestServerCacheRoot(),
    prefix: `.build-${version}-`,
    target,
    build: (scratch) => assembleCopy(scratch, version, log),
    keepExisting: (existing) => isComplete(existing, version),
  });
  await createClassDataArchive(target, log).catch((err: unknown) => {
    log(`  no class-data archive was made (${(err as Error).message}); the server starts without it, a little slower`);
  });
  const jars = readdirSync(path.join(target, 'lib')).length;
  log(`Temporal Java test server ready in ${Math.round((Date.now() - started) / 1000)} s (${jars} jars): ${path.join(target, WRAPPER_NAME)}`);
  return { path: path.join(target, WRAPPER_NAME), version, source: 'built' };
}

/** Fetches the jars into `scratch/lib` and writes the wrapper beside them; returns the folder. */
async function assembleCopy(scratch: string, version: string, log: (line: string) => void): Promise<string> {
  writeFileSync(path.join(scratch, 'pom.xml'), pomXml(version));
  const { ok, output } = await runMaven(scratch, log);
  if (!ok || !isCompleteJars(scratch, version)) {
    throw new JavaTestServerNotFoundError(
      `mvn dependency:copy-dependencies for ${JAVA_TEST_SERVER_ARTIFACT}:${version} failed (does this machine reach Maven Central, ` +
        `or a mirror in ~/.m2/settings.xml?):\n${output.trim().split('\n').slice(-30).join('\n')}`,
      'fetch',
    );
  }
  const wrapper = path.join(scratch, WRAPPER_NAME);
  writeFileSync(wrapper, wrapperScript());
  chmodSync(wrapper, 0o755);
  chmodSync(scratch, 0o755);
  return scratch;
}

function isCompleteJars(dir: string, version: string): boolean {
  return existsSync(path.join(dir, 'lib', `temporal-test-server-${version}.jar`));
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Best effort: starts the server once with `-XX:ArchiveClassesAtExit`, waits until it
 * listens and stops it, which leaves an AppCDS archive of its start-up classes next to the
 * wrapper. It runs on the final folder because the archive records the class path.
 */
async function createClassDataArchive(dir: string, log: (line: string) => void): Promise<void> {
  const real = realpathSync(dir);
  const archive = path.join(real, CDS_ARCHIVE);
  if (existsSync(archive)) return;
  const partial = `${archive}.${process.pid}.tmp`;
  const port = await freePort();
  const child = spawn(javaCommand(), [`-XX:ArchiveClassesAtExit=${partial}`, '-cp', `${real}/lib/*`, JAVA_TEST_SERVER_MAIN_CLASS, String(port)], {
    stdio: 'ignore',
    env: process.env,
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  try {
    const deadline = Date.now() + 30_000;
    let up = false;
    while (!up && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 200));
      up = await accepts(port);
    }
    // SIGTERM is an orderly JVM exit, which is when the archive is written.
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
    if (up && existsSync(partial)) {
      renameSync(partial, archive);
      log('  made a class-data archive so the server starts faster');
    } else {
      log('  no class-data archive was made; the server starts without it (a little slower)');
    }
  } finally {
    rmSync(partial, { force: true });
  }
}

/** Finds the test server, or fetches it with Maven when Java and Maven are present. */
export async function ensureJavaTestServer(log?: (line: string) => void): Promise<FoundJavaTestServer> {
  const found = findJavaTestServer();
  if (found?.source === 'env') return found;
  if (found) {
    // A cached wrapper without Java would fail as an opaque 5 s start-up timeout.
    requireJava();
    return found;
  }
  return buildJavaTestServer(log);
}

/**
 * The server behind `TestWorkflowEnvironment.createTimeSkipping`, in the SDK's own terms:
 * the project's Java test server (first choice), or the SDK's download of its native
 * time-skipping server (`cached-download`, needs internet) when the project cannot provide
 * one because Java or Maven is missing or Maven could not fetch it.
 */
export type TimeSkippingServerChoice =
  | { executable: { type: 'existing-path'; path: string }; server: FoundJavaTestServer }
  | { executable: { type: 'cached-download' }; fallbackFrom: JavaTestServerNotFoundError };

const MISSING_SHORT: Record<JavaTestServerMissing, string> = {
  java: 'Java is not installed (neither $JAVA_HOME/bin/java nor `java` on PATH)',
  maven: 'Maven is not installed (no `mvn` on PATH)',
  fetch: 'Maven could not fetch it from Maven Central',
  env: 'TEMPORAL_TEST_SERVER_PATH is not an executable file',
};

/** One line: why the project's Java test server is not used and what is used instead. */
export function timeSkippingFallbackLine(err: JavaTestServerNotFoundError): string {
  return (
    `No Temporal Java test server: ${MISSING_SHORT[err.missing ?? 'fetch']}; ` +
    "using the SDK's own download of the time-skipping test server instead (needs internet)."
  );
}

/**
 * The message when neither server could be had: what was missing, why the download
 * failed, and both ways to fix it.
 */
export function timeSkippingUnavailableMessage(javaError: JavaTestServerNotFoundError, downloadError: unknown): string {
  const why = (downloadError instanceof Error ? downloadError.message : String(downloadError)).replace(/^Error: /, '');
  return (
    `The time-skipping tests have no test server. ${MISSING_SHORT[javaError.missing ?? 'fetch']}, so the project could not ` +
    `provide the Temporal Java test server, and the SDK's own download of the time-skipping server failed too (${why.trim()}). ` +
    'Fix either: install Java 17 and Maven (e.g. `apt-get install openjdk-17-jdk-headless maven`; the first run fetches the ' +
    'server from Maven Central, or `npm run temporal:test-server` does it ahead), or allow internet access so the SDK can ' +
    `download its server (from temporal.download). The Java path said: ${javaError.message}`
  );
}

/**
 * Picks the time-skipping server: the project's Java test server when `ensure` provides one,
 * else the SDK's download, logging one line saying why. An invalid TEMPORAL_TEST_SERVER_PATH
 * (an explicit choice) and unexpected errors are not papered over: they are thrown.
 */
export async function chooseTimeSkippingServer(
  log: (line: string) => void,
  ensure: (log: (line: string) => void) => Promise<FoundJavaTestServer> = ensureJavaTestServer,
): Promise<TimeSkippingServerChoice> {
  try {
    const server = await ensure(log);
    return { executable: { type: 'existing-path', path: server.path }, server };
  } catch (err) {
    if (!(err instanceof JavaTestServerNotFoundError) || err.missing === 'env' || err.missing === undefined) throw err;
    log(timeSkippingFallbackLine(err));
    return { executable: { type: 'cached-download' }, fallbackFrom: err };
  }
}
