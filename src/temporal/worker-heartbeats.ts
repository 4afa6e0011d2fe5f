/**
 * Workers tell the server they are alive every this often (the SDK's worker heartbeats,
 * `Runtime.install({ workerHeartbeatInterval })`), and a last time when they shut down;
 * `/health/ready` reads them with ListWorkers. Servers the project starts turn the API on
 * (`WORKER_HEARTBEAT_SERVER_ARGS`); on a cluster without it readiness falls back to pollers.
 */
export const WORKER_HEARTBEAT_INTERVAL_MS = 2000;

/** Dynamic config a server needs to take worker heartbeats and answer ListWorkers. */
export const WORKER_HEARTBEAT_SERVER_ARGS: readonly string[] = [
  '--dynamic-config-value', 'frontend.WorkerHeartbeatsEnabled=true',
  '--dynamic-config-value', 'frontend.ListWorkersEnabled=true',
];
