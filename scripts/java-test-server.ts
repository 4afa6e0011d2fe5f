import { ensureJavaTestServer } from '../src/devserver/java-test-server';

/**
 * Finds the Temporal Java test server (for the time-skipping tests), fetching it once with
 * Maven when needed, and prints the wrapper's path on stdout. Progress goes to stderr, so
 * `.ci/run` can pre-provision it before the tests: `path=$(node dist/scripts/java-test-server.js)`.
 */
async function main(): Promise<void> {
  const server = await ensureJavaTestServer((line) => process.stderr.write(`${line}\n`));
  process.stderr.write(`Temporal Java test server ${server.version} (${server.source})\n`);
  process.stdout.write(`${server.path}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
