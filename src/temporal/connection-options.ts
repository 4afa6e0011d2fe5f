import { readFileSync } from 'node:fs';
import type { AppConfig } from '../config';

/** What both `Connection` (client) and `NativeConnection` (worker) accept for reaching the frontend. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: {
    serverNameOverride?: string;
    serverRootCACertificate?: Buffer;
    clientCertPair?: { crt: Buffer; key: Buffer };
  };
  apiKey?: string;
  metadata?: Record<string, string>;
}

/**
 * One answer to "how do we reach Temporal" for the API, the worker and the scripts: a local
 * dev server in the clear, a self-hosted cluster with TLS, or Temporal Cloud with an API key
 * or mTLS (TEMPORAL_API_KEY, or TEMPORAL_TLS_CERT_PATH with TEMPORAL_TLS_KEY_PATH).
 */
export function temporalConnectionOptions(config: AppConfig): TemporalConnectionOptions {
  const { address, apiKey, tls, namespace } = config.temporal;
  const options: TemporalConnectionOptions = { address };
  if (tls) {
    options.tls = {
      ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
      ...(tls.caPath ? { serverRootCACertificate: readFileSync(tls.caPath) } : {}),
      ...(tls.certPath && tls.keyPath ? { clientCertPair: { crt: readFileSync(tls.certPath), key: readFileSync(tls.keyPath) } } : {}),
    };
  }
  if (apiKey) {
    options.apiKey = apiKey;
    // Temporal Cloud routes API-key calls by this header.
    options.metadata = { 'temporal-namespace': namespace };
  }
  return options;
}
