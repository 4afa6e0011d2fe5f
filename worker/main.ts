import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig } from '../src/config';
import { PinoTemporalLogger, createLogger } from '../src/observability/logger';
import { openDatabase } from '../src/persistence';
import { activityDepsFromConfig } from './activity-deps';
import { createWorker } from './create-worker';

/**
 * The worker process, a plain composition root: config → database → connection → worker.
 * The SDK owns SIGINT/SIGTERM: it stops polling, lets in-flight activities finish within
 * the grace time, and `run()` resolves; then the connection and the database close.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'switchboard-worker');
  Runtime.install({ logger: new PinoTemporalLogger(logger) });

  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  // Activities that start and signal follow-up campaigns use an ordinary client.
  const clientConnection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
  try {
    const worker = await createWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      deps: activityDepsFromConfig(config, db, client),
    });
    logger.info(
      { address: config.temporal.address, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue },
      'worker polling',
    );
    await worker.run();
    logger.info('worker stopped');
  } finally {
    await clientConnection.close();
    await connection.close();
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  createLogger('error', 'switchboard-worker').fatal({ err }, 'worker failed');
  process.exit(1);
});
