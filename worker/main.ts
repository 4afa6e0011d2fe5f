import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { dataConverterFor } from '../src/codec';
import { loadConfig } from '../src/config';
import { PinoTemporalLogger, createLogger } from '../src/observability/logger';
import { workerRegistry } from '../src/observability/metrics';
import { startMetricsServer, type MetricsServer } from '../src/observability/metrics-server';
import { installTracing } from '../src/observability/tracing';
import { openDatabase } from '../src/persistence';
import { clientInterceptors } from '../src/temporal/deadlines';
import { WORKER_HEARTBEAT_INTERVAL_MS } from '../src/temporal/worker-heartbeats';
import { temporalConnectionOptions } from '../src/temporal/connection-options';
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
  const { workerMetricsPort, temporalMetricsPort, otlpEndpoint, serviceName } = config.observability;
  Runtime.install({
    logger: new PinoTemporalLogger(logger),
    // Tells the server this worker is alive (and, last, that it shut down): /health/ready reads it.
    workerHeartbeatInterval: WORKER_HEARTBEAT_INTERVAL_MS,
    // The SDK's own worker metrics (task slots, poll latency, schedule-to-start…), Prometheus format.
    ...(temporalMetricsPort > 0
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: `${config.host}:${temporalMetricsPort}`, countersTotalSuffix: true, useSecondsForDurations: true } } } }
      : {}),
  });
  const tracing = installTracing({ serviceName, component: 'worker', otlpEndpoint });
  // switchboard_* series recorded by the activities (triage, agents, LLM, sends).
  let metricsServer: MetricsServer | undefined;
  if (workerMetricsPort > 0) metricsServer = await startMetricsServer({ registry: workerRegistry, port: workerMetricsPort, host: config.host });
  logger.info(
    {
      metrics: metricsServer?.url ?? 'off',
      temporalMetrics: temporalMetricsPort > 0 ? `http://${config.host}:${temporalMetricsPort}/metrics` : 'off',
      tracing: otlpEndpoint ?? 'off',
    },
    'observability',
  );

  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  // Plain for a dev server; TLS, an API key or mTLS for a secured cluster or Temporal Cloud.
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  // Activities that start and signal follow-up campaigns use an ordinary client.
  const clientConnection = await Connection.connect({ ...temporalConnectionOptions(config), interceptors: clientInterceptors() });
  const dataConverter = dataConverterFor(config);
  const client = new Client({
    connection: clientConnection,
    namespace: config.temporal.namespace,
    dataConverter,
    // A campaign started from an activity joins the message's trace.
    interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
  });
  try {
    const worker = await createWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      deps: activityDepsFromConfig(config, db, client),
      dataConverter,
      maxCachedWorkflows: config.worker.maxCachedWorkflows,
    });
    logger.info(
      { address: config.temporal.address, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, maxCachedWorkflows: config.worker.maxCachedWorkflows },
      'worker polling',
    );
    await worker.run();
    logger.info('worker stopped');
  } finally {
    await clientConnection.close();
    await connection.close();
    await db.destroy();
    await metricsServer?.close();
    await tracing?.shutdown();
  }
}

main().catch((err: unknown) => {
  createLogger('error', 'switchboard-worker').fatal({ err }, 'worker failed');
  process.exit(1);
});
