import type { TestWorkflowEnvironment } from '@temporalio/testing';

export default async function globalTeardown(): Promise<void> {
  const env = (globalThis as Record<string, unknown>).__SWITCHBOARD_TEMPORAL__ as TestWorkflowEnvironment | undefined;
  const postgres = (globalThis as Record<string, unknown>).__SWITCHBOARD_POSTGRES__ as { stop(): void; dir?: string } | undefined;
  try {
    await env?.teardown();
  } finally {
    // The throw-away PostgreSQL global setup started, if it started one.
    if (postgres?.dir) process.stderr.write(`[postgres] stopping the throw-away cluster in ${postgres.dir}\n`);
    postgres?.stop();
  }
}
