import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { spawnSync } from 'node:child_process';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { freePort, startDevServer } from '../src/devserver/dev-server';
import { HISTORY_CASES } from '../src/devserver/history-cases';
import { ensureTemporalCli } from '../src/devserver/temporal-cli';
import { openDatabase } from '../src/persistence';
import { createWorker } from '../worker/create-worker';
import { messageWorkflowId } from '../src/contracts';

/**
 * `npm run histories:record`: runs each case in HISTORY_CASES on a throw-away dev server
 * with the current worker code and writes its event history to test/histories/<name>.json.
 * Record new histories when a workflow changes shape; keep the old ones, which is what
 * proves a running conversation of the old shape still replays.
 */
async function main(): Promise<void> {
  const outDir = path.resolve(__dirname, '..', '..', 'test', 'histories');
  mkdirSync(outDir, { recursive: true });
  const only = process.argv.slice(2);

  Runtime.install({ logger: new DefaultLogger('WARN') });
  const cli = await ensureTemporalCli();
  const server = await startDevServer({ cliPath: cli.path, port: await freePort(), stdio: 'ignore' });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-record-'));
  const db = await openDatabase({ dataDir });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const taskQueue = 'record-histories';
  try {
    const worker = await createWorker({ connection: nativeConnection, namespace: 'default', taskQueue, db });
    await worker.runUntil(async () => {
      for (const c of HISTORY_CASES.filter((h) => only.length === 0 || only.includes(h.name))) {
        const workflowId = messageWorkflowId(c.input.channel, c.input.messageId);
        const handle = await client.workflow.start(c.workflowType, { workflowId, taskQueue, args: [c.input] });
        await handle.result();
        // The CLI writes the canonical proto3 JSON that the Web UI exports and
        // historyFromJSON reads back.
        const shown = spawnSync(
          cli.path,
          ['workflow', 'show', '--workflow-id', workflowId, '--address', server.address, '--output', 'json'],
          { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
        );
        if (shown.status !== 0) throw new Error(`temporal workflow show failed: ${shown.stderr}`);
        const events = (JSON.parse(shown.stdout) as { events: unknown[] }).events.length;
        writeFileSync(path.join(outDir, `${c.name}.json`), shown.stdout.endsWith('\n') ? shown.stdout : `${shown.stdout}\n`);
        process.stdout.write(`recorded ${c.name} (${events} events)\n`);
      }
    });
  } finally {
    await connection.close();
    await nativeConnection.close();
    await db.destroy();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
