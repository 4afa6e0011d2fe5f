import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { startDevServer, startDownloadedDevServer, temporalAnswers, type RunningDevServer } from '../src/devserver/dev-server';
import { ensureTemporalCli, TemporalCliNotFoundError } from '../src/devserver/temporal-cli';
import { openDatabase } from '../src/persistence';
import { seedDemoData } from '../src/persistence/seed/demo-data';

/**
 * `npm run dev`: the whole system on embedded defaults. Starts the Temporal dev server
 * (history in ./data, Web UI on 8233) unless one already answers at TEMPORAL_ADDRESS,
 * migrates the database, starts the worker and the API, and stops all three on Ctrl-C.
 */
const say = (line: string) => process.stdout.write(`[switchboard] ${line}\n`);
const UI_PORT = Number(process.env.TEMPORAL_UI_PORT ?? 8233);

function startChild(name: string, script: string): ChildProcess {
  const child = spawn(process.execPath, ['--enable-source-maps', script], { stdio: 'inherit', env: process.env });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      say(`${name} exited (${signal ?? code}); stopping everything`);
      void stopAll(1);
    }
  });
  return child;
}

function stopChild(child: ChildProcess | undefined, graceMs: number): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGINT');
  });
}

async function waitForHttp(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

let stopping = false;
let server: RunningDevServer | undefined;
let worker: ChildProcess | undefined;
let api: ChildProcess | undefined;

async function stopAll(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping: API, then worker (in-flight activities finish), then Temporal');
  await stopChild(api, 10_000);
  await stopChild(worker, 15_000);
  await server?.stop();
  say('stopped');
  process.exit(code);
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  const config = loadConfig();
  const address = config.temporal.address;
  if (await temporalAnswers(address)) {
    say(`using the Temporal server already answering at ${address}`);
  } else {
    const [host, portText] = address.split(':');
    const serverOptions = {
      ip: host === 'localhost' ? '127.0.0.1' : host,
      port: Number(portText),
      uiPort: UI_PORT,
      dbFilename: path.join(config.dataDir, 'temporal.db'),
      namespace: config.temporal.namespace,
      // Encrypted histories: the Web UI decodes payloads through the API's codec endpoint.
      codecEndpoint: config.payloadEncryptionKeys ? `http://${config.host}:${config.port}/codec` : undefined,
    };
    say(`starting the Temporal dev server, history in ${serverOptions.dbFilename}`);
    try {
      const cli = await ensureTemporalCli((line) => say(line));
      server = await startDevServer({ cliPath: cli.path, ...serverOptions });
    } catch (err) {
      if (!(err instanceof TemporalCliNotFoundError)) throw err;
      say(`${err.message}\nTrying the Temporal SDK's own download of the dev server (needs internet).`);
      server = await startDownloadedDevServer(serverOptions);
    }
    server.exited.then(() => {
      if (!stopping) {
        say('the Temporal dev server exited; stopping everything');
        void stopAll(1);
      }
    });
  }

  // Migrate once here so the worker and the API never race on a fresh database, and give
  // the embedded defaults a demo catalog and orders to talk about.
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const seeded = await seedDemoData(db);
    say(`database ready (${db.options.type}): ${seeded.products} products, ${seeded.orders} orders`);
  } finally {
    await db.destroy();
  }

  // The console's workflow links go to the Web UI this script started, unless told otherwise.
  if (!process.env.TEMPORAL_UI_URL && server?.uiUrl) process.env.TEMPORAL_UI_URL = server.uiUrl;
  worker = startChild('worker', path.join(__dirname, '..', 'worker', 'main.js'));
  api = startChild('API', path.join(__dirname, '..', 'src', 'api', 'main.js'));

  const base = `http://${config.host}:${config.port}`;
  if (await waitForHttp(`${base}/health`, 30_000)) {
    say('ready');
    say(`  Console      ${base}/console`);
    say(`  API          ${base}/api/messages`);
    say(`  OpenAPI docs ${base}/docs`);
    say(`  Temporal UI  ${server?.uiUrl ?? '(the Web UI of the server at ' + address + ')'}`);
    if (config.payloadEncryptionKeys) say(`  Codec server ${base}/codec (payloads are encrypted in Temporal's history)`);
    say('Ctrl-C stops everything.');
  }
}

main().catch((err: unknown) => {
  say(`failed: ${(err as Error).message}`);
  void stopAll(1);
});
