import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../src/persistence';
import { NO_POSTGRES_NOTICE, POSTGRES_NOTICE_VAR } from './postgres';

export type DatabaseKind = 'sqlite' | 'postgres';

export interface TestDatabase {
  kind: DatabaseKind;
  db: DataSource;
  /** Where a SQLite file lives (also the data dir the API and worker are given). */
  dataDir: string;
  /** Set for PostgreSQL: the test's own database. */
  databaseUrl?: string;
  close(): Promise<void>;
}

/**
 * The database kinds the database tests run on: SQLite always, PostgreSQL when
 * DATABASE_URL points at one (yours, or the throw-away cluster global setup starts when
 * PostgreSQL's binaries are installed: ./postgres.ts). Without it the PostgreSQL variants
 * are not registered; global setup has said so at the start and the summary says it again
 * at the end, so this says it only when that line is missing (a run without global setup).
 */
export function databaseKinds(): DatabaseKind[] {
  if (process.env.DATABASE_URL) return ['sqlite', 'postgres'];
  if (!process.env[POSTGRES_NOTICE_VAR] && !(globalThis as Record<string, unknown>).__pgNoticeShown) {
    (globalThis as Record<string, unknown>).__pgNoticeShown = true;
    process.stderr.write(`[postgres] ${NO_POSTGRES_NOTICE}\n`);
  }
  return ['sqlite'];
}

async function withAdmin<T>(work: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** A fresh, migrated database of the given kind: a SQLite file, or a PostgreSQL database of its own. */
export async function openTestDatabase(kind: DatabaseKind = 'sqlite'): Promise<TestDatabase> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-db-'));
  if (kind === 'sqlite') {
    const db = await openDatabase({ dataDir });
    return {
      kind,
      db,
      dataDir,
      async close() {
        if (db.isInitialized) await db.destroy();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error('openTestDatabase("postgres") needs DATABASE_URL');
  const name = `sb_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(base);
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString(), dataDir });
  return {
    kind,
    db,
    dataDir,
    databaseUrl: url.toString(),
    async close() {
      if (db.isInitialized) await db.destroy();
      await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The environment that points the API or a worker at this test database. */
export function databaseEnv(database: TestDatabase): Record<string, string> {
  return database.databaseUrl ? { DATABASE_URL: database.databaseUrl, DATA_DIR: database.dataDir } : { DATA_DIR: database.dataDir, DATABASE_URL: '' };
}
