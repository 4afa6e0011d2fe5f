import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';

describe('configuration', () => {
  const noFile = { SWITCHBOARD_CONFIG: '' };

  it('runs on embedded defaults with nothing set', () => {
    const config = loadConfig(noFile);
    expect(config).toMatchObject({
      port: 3000,
      temporal: { address: 'localhost:7233', namespace: 'default', taskQueue: 'switchboard' },
      databaseUrl: undefined,
      openai: { apiKey: undefined },
      triage: { confidenceThreshold: 0.6 },
    });
  });

  it('names the variable and the problem when a value is wrong', () => {
    expect(() => loadConfig({ ...noFile, PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...noFile, PORT: 'eighty' })).toThrow(/PORT: /);
    expect(() => loadConfig({ ...noFile, TRIAGE_CONFIDENCE_THRESHOLD: '3' })).toThrow(/TRIAGE_CONFIDENCE_THRESHOLD/);
  });

  it('overlays the environment on the JSON file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-config-'));
    const file = path.join(dir, 'switchboard.config.json');
    writeFileSync(file, JSON.stringify({ PORT: 4000, TEMPORAL_NAMESPACE: 'from-file', OPENAI_MODEL: 'file-model' }));
    const config = loadConfig({ SWITCHBOARD_CONFIG: file, TEMPORAL_NAMESPACE: 'from-env' });
    expect(config.port).toBe(4000);
    expect(config.temporal.namespace).toBe('from-env');
    expect(config.openai.model).toBe('file-model');
  });

  it('refuses a config file that is missing or not JSON', () => {
    expect(() => loadConfig({ SWITCHBOARD_CONFIG: '/nonexistent/switchboard.json' })).toThrow(/no file at/);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-config-'));
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, '{ nope');
    expect(() => loadConfig({ SWITCHBOARD_CONFIG: file })).toThrow(/not valid JSON/);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ ...noFile, OPENAI_API_KEY: '  ', DATABASE_URL: '' })).toMatchObject({ databaseUrl: undefined, openai: { apiKey: undefined } });
  });
});

describe('follow-up configuration', () => {
  it('takes steps per purpose over the default steps, and refuses steps that do not increase', () => {
    const config = loadConfig({ SWITCHBOARD_CONFIG: '', FOLLOW_UP_STEPS_HOURS_QUOTE: '12,36', FOLLOW_UP_QUIET_HOURS: 'off' });
    expect(config.followUps).toMatchObject({ stepsHours: [24, 48, 72], stepsByPurpose: { quote: [12, 36] }, quietHours: undefined, dailyCap: 2 });
    expect(() => loadConfig({ SWITCHBOARD_CONFIG: '', FOLLOW_UP_STEPS_HOURS: '48,24' })).toThrow(/FOLLOW_UP_STEPS_HOURS: must be increasing hours/);
    expect(() => loadConfig({ SWITCHBOARD_CONFIG: '', FOLLOW_UP_QUIET_HOURS: '9pm-9am' })).toThrow(/FOLLOW_UP_QUIET_HOURS/);
  });
});

describe('codec OIDC configuration', () => {
  const base = { SWITCHBOARD_CONFIG: '', CODEC_OIDC_ISSUER: 'https://login.example.com/realms/ops' };

  it('is off unless CODEC_OIDC_ISSUER is set, and reads the issuer, key set, audience and allowed claims', () => {
    expect(loadConfig({ SWITCHBOARD_CONFIG: '' }).codecOidc).toBeUndefined();
    expect(loadConfig(base).codecOidc).toEqual({ issuer: base.CODEC_OIDC_ISSUER, jwksUrl: undefined, audience: undefined, allowed: [] });
    const config = loadConfig({
      ...base,
      CODEC_OIDC_JWKS_URL: 'https://login.example.com/keys',
      CODEC_OIDC_AUDIENCE: 'temporal-ui',
      CODEC_OIDC_ALLOWED: 'groups=temporal-decoders, email = *@example.com,https://example.com/roles=codec,realm_access.roles=ops',
    });
    expect(config.codecOidc).toEqual({
      issuer: base.CODEC_OIDC_ISSUER,
      jwksUrl: 'https://login.example.com/keys',
      audience: 'temporal-ui',
      allowed: [
        { claim: 'groups', pattern: 'temporal-decoders' },
        { claim: 'email', pattern: '*@example.com' },
        { claim: 'https://example.com/roles', pattern: 'codec' },
        { claim: 'realm_access.roles', pattern: 'ops' },
      ],
    });
  });

  it('names the variable and the problem when a value is wrong', () => {
    expect(() => loadConfig({ ...base, CODEC_OIDC_ISSUER: 'login.example.com' })).toThrow(/CODEC_OIDC_ISSUER: must be an http\(s\) URL/);
    expect(() => loadConfig({ ...base, CODEC_OIDC_JWKS_URL: 'ftp://login.example.com/keys' })).toThrow(/CODEC_OIDC_JWKS_URL: must be an http\(s\) URL/);
    expect(() => loadConfig({ ...base, CODEC_OIDC_ALLOWED: 'groups=ops,temporal-decoders' })).toThrow(
      /CODEC_OIDC_ALLOWED entry 2: must be claim=value \(e\.g\. groups=temporal-decoders or email=\*@example\.com\), got "temporal-decoders"/,
    );
    expect(() => loadConfig({ ...base, CODEC_OIDC_ALLOWED: 'groups=' })).toThrow(/CODEC_OIDC_ALLOWED entry 1/);
    expect(() => loadConfig({ ...base, CODEC_OIDC_ALLOWED: 'groups=ops,' })).toThrow(/CODEC_OIDC_ALLOWED entry 2/);
    expect(() => loadConfig({ SWITCHBOARD_CONFIG: '', CODEC_OIDC_ALLOWED: 'groups=ops' })).toThrow(/CODEC_OIDC_ALLOWED needs CODEC_OIDC_ISSUER/);
    expect(() => loadConfig({ SWITCHBOARD_CONFIG: '', CODEC_OIDC_AUDIENCE: 'temporal-ui' })).toThrow(ConfigError);
  });
});
