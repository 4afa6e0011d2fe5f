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
