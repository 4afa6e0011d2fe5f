import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, buildProject } from '../helpers/worker-process';


/**
 * The API and the worker are two processes on one SQLite file. A transaction that reads and
 * then writes while the other process writes must wait for the lock (busy timeout), not fail
 * with "database is locked": in WAL mode a deferred transaction that turns writer after the
 * other process committed cannot wait, so write transactions take the lock when they begin.
 */
function writer(dir: string, who: string, rounds: number): Promise<{ failures: string[]; written: number }> {
  const script = `
    const { openDatabase } = require(${JSON.stringify(path.join(ROOT, 'dist/src/persistence/data-source.js'))});
    const { inTransaction } = require(${JSON.stringify(path.join(ROOT, 'dist/src/persistence/transactions.js'))});
    (async () => {
      const db = await openDatabase({ dataDir: ${JSON.stringify(dir)} });
      const failures = [];
      let written = 0;
      for (let i = 0; i < ${rounds}; i++) {
        try {
          await inTransaction(db, async (m) => {
            await m.query('SELECT count(*) FROM customers');
            await new Promise((r) => setTimeout(r, 2));
            await m.query('INSERT INTO customers (chat_id, name, created_at, updated_at) VALUES (?, ?, datetime(), datetime())', ['${who}-' + i + '@c.us', '${who}']);
          });
          written++;
        } catch (e) { failures.push(String(e.message)); }
      }
      await db.destroy();
      process.stdout.write(JSON.stringify({ failures, written }));
    })();`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`writer ${who} exited ${code}`))));
  });
}

describe('two processes writing one SQLite file', () => {
  let dir: string;

  beforeAll(() => {
    buildProject();
    dir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-busy-'));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lets read-then-write transactions of both wait their turn, every write kept', async () => {
    // The schema first, so neither process migrates while the other writes.
    await writer(dir, 'setup', 1);
    const [api, worker] = await Promise.all([writer(dir, 'api', 150), writer(dir, 'worker', 150)]);
    expect([...api.failures, ...worker.failures]).toEqual([]);
    expect(api.written + worker.written).toBe(300);
  }, 60_000);
});
