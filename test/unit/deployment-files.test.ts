import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const root = path.resolve(__dirname, '../..');

/**
 * No Docker engine runs where these tests run, so the compose file and the Dockerfile are
 * checked for the structure a production deployment needs, not started.
 */
describe('docker-compose.temporal.yml', () => {
  // `merge`: the API and worker share one environment through a YAML merge key, as compose reads it.
  const compose = parse(readFileSync(path.join(root, 'docker-compose.temporal.yml'), 'utf8'), { merge: true });
  const services = compose.services as Record<string, any>;

  it('declares Temporal, its PostgreSQL, the Web UI and the admin tools', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['temporal', 'postgresql', 'temporal-ui', 'temporal-admin-tools']));
    for (const service of Object.values(services)) expect(typeof service.image).toBe('string');
  });

  it('runs Temporal on PostgreSQL once the database is healthy, on the default port', () => {
    expect(services.temporal.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    expect(services.temporal.depends_on.postgresql.condition).toBe('service_healthy');
    expect(services.postgresql.healthcheck).toBeDefined();
    expect(services.temporal.ports).toContain('127.0.0.1:7233:7233');
    expect(services['temporal-ui'].environment.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('registers the search attributes the workflows upsert', () => {
    const setup = JSON.stringify(services['temporal-setup']);
    for (const attr of ['ChatId', 'Intent', 'Agent', 'Channel']) expect(setup).toContain(attr);
  });

  it('runs the API and the worker from the one image, against the app database, after Temporal is set up', () => {
    expect(services.api.build).toBe('.');
    expect(services.worker.build).toBe('.');
    expect(services.worker.command).toEqual(['node', '--enable-source-maps', 'dist/worker/main.js']);
    expect(services.worker.depends_on).toMatchObject({
      temporal: { condition: 'service_healthy' },
      'temporal-setup': { condition: 'service_completed_successfully' },
      'switchboard-db': { condition: 'service_healthy' },
    });
    for (const name of ['api', 'worker']) {
      const env = services[name].environment;
      expect(env).toMatchObject({ NODE_ENV: 'production', TEMPORAL_ADDRESS: 'temporal:7233' });
      expect(env.DATABASE_URL).toMatch(/^postgres:\/\/switchboard:.*@switchboard-db:5432\/switchboard$/);
      // Production refuses an open API, so compose refuses to start without keys.
      expect(env.API_KEYS).toMatch(/^\$\{API_KEYS:\?/);
      expect(env).toHaveProperty('PAYLOAD_ENCRYPTION_KEYS');
    }
    expect(services.api.environment.HOST).toBe('0.0.0.0');
  });

  it('calls the API healthy only when /health/ready is, and gives processes time to drain on stop', () => {
    expect(services.api.healthcheck.test.join(' ')).toContain('http://127.0.0.1:3000/health/ready');
    expect(services.worker.stop_grace_period).toBeDefined();
  });

  it('points the Web UI at the codec endpoint, and lets that origin call it', () => {
    expect(services['temporal-ui'].environment.TEMPORAL_CODEC_ENDPOINT).toBe('http://localhost:3000/codec');
    const uiOrigin = 'http://localhost:8080';
    expect(services['temporal-ui'].ports).toContain('127.0.0.1:8080:8080');
    expect(services.api.environment.CODEC_CORS_ORIGINS).toBe(uiOrigin);
  });

  it("lets the UI pass its users' access tokens, and the API check them against the identity provider", () => {
    expect(services['temporal-ui'].environment.TEMPORAL_CODEC_PASS_ACCESS_TOKEN).toBe('true');
    for (const name of ['CODEC_OIDC_ISSUER', 'CODEC_OIDC_JWKS_URL', 'CODEC_OIDC_AUDIENCE', 'CODEC_OIDC_ALLOWED']) {
      expect(services.api.environment[name]).toBe(`\${${name}:-}`);
    }
  });

  it('publishes ports on loopback only', () => {
    for (const service of Object.values(services)) {
      for (const port of service.ports ?? []) expect(String(port)).toMatch(/^127\.0\.0\.1:/);
    }
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

describe('Dockerfile', () => {
  const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  const stages = dockerfile.split(/^FROM /m).slice(1);

  it('builds in one stage and runs the compiled API as an unprivileged user in a slim one', () => {
    expect(stages).toHaveLength(2);
    expect(stages[0]).toMatch(/^node:20-/);
    expect(stages[0]).toContain('npm run build');
    expect(stages[0]).toContain('npm prune --omit=dev');
    expect(stages[1]).toMatch(/^node:20-bookworm-slim/);
    expect(stages[1]).toMatch(/^USER node$/m);
    expect(stages[1]).toContain('CMD ["node", "--enable-source-maps", "dist/src/api/main.js"]');
    expect(stages[1]).toContain('COPY knowledge-base ./knowledge-base');
  });

  it('runs the entry points compose names, which the build produces', () => {
    // tsconfig.build.json compiles src, worker and scripts into dist/ with these paths.
    const build = JSON.parse(readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8'));
    expect(build.include).toEqual(expect.arrayContaining(['src', 'worker']));
    expect(readFileSync(path.join(root, 'worker/main.ts'), 'utf8')).toContain('createWorker');
    expect(readFileSync(path.join(root, 'src/api/main.ts'), 'utf8')).toContain('createApp');
  });

  it('keeps local state and secrets out of the build context', () => {
    const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', 'data', '.env', '.git']) expect(ignored).toContain(entry);
  });
});
