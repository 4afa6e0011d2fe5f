import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/**
 * No Docker engine runs where these tests run, so the compose file is checked for the
 * structure a production-like cluster needs, not started.
 */
describe('docker-compose.temporal.yml', () => {
  const compose = parse(readFileSync(path.resolve(__dirname, '../../docker-compose.temporal.yml'), 'utf8'));
  const services = compose.services as Record<string, any>;

  it('declares Temporal, its PostgreSQL, the Web UI and the admin tools', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['temporal', 'postgresql', 'temporal-ui', 'temporal-admin-tools']));
    for (const service of Object.values(services)) expect(typeof service.image).toBe('string');
  });

  it('runs Temporal on PostgreSQL once the database is healthy, on the default port', () => {
    expect(services.temporal.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    expect(services.temporal.depends_on.postgresql.condition).toBe('service_healthy');
    expect(services.postgresql.healthcheck).toBeDefined();
    expect(services.temporal.ports).toContain('7233:7233');
    expect(services['temporal-ui'].environment.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('registers the search attributes the workflows upsert', () => {
    const setup = JSON.stringify(services['temporal-setup']);
    for (const attr of ['ChatId', 'Intent', 'Agent', 'Channel']) expect(setup).toContain(attr);
  });

  it('names only volumes and networks it declares', () => {
    for (const service of Object.values(services)) {
      for (const v of service.volumes ?? []) {
        const name = String(v).split(':')[0];
        if (!name.startsWith('.') && !name.startsWith('/')) expect(Object.keys(compose.volumes)).toContain(name);
      }
      for (const n of service.networks ?? []) expect(Object.keys(compose.networks)).toContain(n);
    }
  });
});
