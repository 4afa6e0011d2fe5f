import type { INestApplication } from '@nestjs/common';
import { createApp } from '../../src/api/app';
import { loadConfig, type AppConfig } from '../../src/config';
import { databaseEnv, type TestDatabase } from './database';

export { postJson } from '../../bench/http';

export interface TestApi {
  app: INestApplication;
  baseUrl: string;
  config: AppConfig;
  close(): Promise<void>;
}

/** The real Nest app on an ephemeral loopback port, against the test's Temporal and database. */
export async function startTestApi(overrides: { address: string; taskQueue: string; database: TestDatabase; env?: Record<string, string> }): Promise<TestApi> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    TEMPORAL_ADDRESS: overrides.address,
    TEMPORAL_TASK_QUEUE: overrides.taskQueue,
    SWITCHBOARD_CONFIG: '',
    ...databaseEnv(overrides.database),
    ...overrides.env,
  });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    baseUrl: `http://127.0.0.1:${address.port}`,
    config,
    close: () => app.close(),
  };
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (the Swagger UI page): keep the text
  }
  return { status: res.status, body };
}

/** Polls until `predicate` holds or the deadline passes; returns the last value either way. */
export async function eventually<T>(read: () => Promise<T>, predicate: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!predicate(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}
