import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { temporalConnectionOptions } from '../../src/temporal/connection-options';

describe('reaching Temporal (local, self-hosted with TLS, Temporal Cloud)', () => {
  const base = { SWITCHBOARD_CONFIG: '' };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-tls-'));
  const cert = path.join(dir, 'client.pem');
  const key = path.join(dir, 'client.key');
  writeFileSync(cert, 'CERT');
  writeFileSync(key, 'KEY');

  it('talks plain gRPC to a local dev server by default', () => {
    expect(temporalConnectionOptions(loadConfig(base))).toEqual({ address: 'localhost:7233' });
  });

  it('uses TLS and the API key, with the namespace header Cloud routes by, when TEMPORAL_API_KEY is set', () => {
    const config = loadConfig({ ...base, TEMPORAL_ADDRESS: 'eu-west-1.aws.api.temporal.io:7233', TEMPORAL_NAMESPACE: 'shop.a1b2c', TEMPORAL_API_KEY: 'secret-key' });
    expect(temporalConnectionOptions(config)).toEqual({
      address: 'eu-west-1.aws.api.temporal.io:7233',
      tls: {},
      apiKey: 'secret-key',
      metadata: { 'temporal-namespace': 'shop.a1b2c' },
    });
  });

  it('reads the client certificate pair for mTLS', () => {
    const options = temporalConnectionOptions(loadConfig({ ...base, TEMPORAL_TLS_CERT_PATH: cert, TEMPORAL_TLS_KEY_PATH: key, TEMPORAL_TLS_SERVER_NAME: 'shop.tmprl.cloud' }));
    expect(options.tls?.serverNameOverride).toBe('shop.tmprl.cloud');
    expect(options.tls?.clientCertPair?.crt.toString()).toBe('CERT');
    expect(options.tls?.clientCertPair?.key.toString()).toBe('KEY');
    expect(options.apiKey).toBeUndefined();
  });

  it('refuses half an mTLS pair, a missing file, and lets TEMPORAL_TLS=false win', () => {
    expect(() => loadConfig({ ...base, TEMPORAL_TLS_CERT_PATH: cert })).toThrow(/TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together/);
    expect(() => loadConfig({ ...base, TEMPORAL_TLS_CERT_PATH: path.join(dir, 'nope.pem'), TEMPORAL_TLS_KEY_PATH: key })).toThrow(/TEMPORAL_TLS_CERT_PATH: no file at/);
    expect(temporalConnectionOptions(loadConfig({ ...base, TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' })).tls).toBeUndefined();
    expect(temporalConnectionOptions(loadConfig({ ...base, TEMPORAL_TLS: 'true' })).tls).toEqual({});
  });
});
