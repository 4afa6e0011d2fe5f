import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../src/persistence';

export interface TestDatabase {
  db: DataSource;
  dataDir: string;
  close(): Promise<void>;
}

/** A fresh, migrated SQLite file in its own temporary folder. */
export async function openTestDatabase(): Promise<TestDatabase> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-db-'));
  const db = await openDatabase({ dataDir });
  return {
    db,
    dataDir,
    async close() {
      if (db.isInitialized) await db.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
