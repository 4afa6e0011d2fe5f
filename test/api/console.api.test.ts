import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONSOLE_CSP, locateConsoleDist } from '../../src/api/console/console-static';
import { getJson, startTestApi } from '../helpers/api';
import { useApiHarness } from '../helpers/harness';

const ROOT = path.resolve(__dirname, '../..');
const KEYS = { admin: 'console-admin-key-0123456789', operator: 'console-operator-key-0123456789', ingest: 'console-ingest-key-0123456789' };

// The console is built for real (esbuild, as `npm run build` does) into a directory of this file's own.
const built = mkdtempSync(path.join(os.tmpdir(), 'switchboard-console-'));
const empty = mkdtempSync(path.join(os.tmpdir(), 'switchboard-console-empty-'));

describe('the operator console: its page, its assets and its session check (Nest + dev server + SQLite)', () => {
  beforeAll(() => {
    const build = spawnSync(process.execPath, [path.join(ROOT, 'console/build.mjs'), '--out', built], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`console build failed: ${build.stdout}${build.stderr}`);
  });
  afterAll(() => {
    rmSync(built, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  });

  const h = useApiHarness({
    name: 'api-console',
    env: () => ({
      API_KEYS: Object.entries(KEYS).map(([role, key]) => `${role}:${key}`).join(','),
      CONSOLE_DIST_DIR: built,
      TEMPORAL_UI_URL: 'http://temporal-ui.example:8080/',
      TEMPORAL_NAMESPACE: 'default',
    }),
  });
  const url = (p: string) => `${h.api.baseUrl}${p}`;

  async function page(p: string) {
    const res = await fetch(url(p));
    return { res, html: await res.text() };
  }

  it.each(['/console', '/console/'])('serves the page at %s without a key, never cached, under a CSP with nothing inline', async (p) => {
    const { res, html } = await page(p);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const csp = res.headers.get('content-security-policy');
    expect(csp).toBe(CONSOLE_CSP);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|upgrade-insecure-requests/);
    expect(html).toContain('<title>Switchboard console</title>');
    expect(html).toMatch(/<script type="module" src="\/console\/assets\/app-[A-Z0-9]+\.js"><\/script>/);
    expect(html).toMatch(/<link rel="stylesheet" href="\/console\/assets\/styles-[A-Z0-9]+\.css" \/>/);
    // Every script has a src (nothing inline for the CSP to block), and no markup carries a style.
    expect(html.match(/<script(?![^>]*\bsrc=)[^>]*>/g)).toBeNull();
    expect(html).not.toMatch(/\sstyle=/);
  });

  it('serves the hashed assets with their content types and a year-long cache, and 404s an unknown one', async () => {
    const { html } = await page('/console');
    const script = html.match(/src="(\/console\/assets\/[^"]+\.js)"/)![1];
    const style = html.match(/href="(\/console\/assets\/[^"]+\.css)"/)![1];

    const js = await fetch(url(script));
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^(application|text)\/javascript; charset=utf-8$/i);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const code = await js.text();
    // The bundle carries the page (its sign-in and its testids), and no eval for the CSP to refuse.
    expect(code).toContain('signin-key');
    expect(code).toContain('/api/console/session');
    expect(code).not.toMatch(/\beval\(|new Function\(/);

    const css = await fetch(url(style));
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(css.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');

    const map = await fetch(url(`${script}.map`));
    expect(map.status).toBe(200);
    expect(map.headers.get('content-type')).toMatch(/^application\/json/);

    const icon = await fetch(url('/console/favicon.svg'));
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);

    const missing = await getJson(url('/console/assets/app-NOPE.js'));
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ statusCode: 404 });
  });

  it('answers 503 saying how to build it when the console has not been built', async () => {
    const api = await startTestApi({ address: h.ctx.address, taskQueue: h.taskQueue, database: h.database, env: { CONSOLE_DIST_DIR: empty, API_KEYS: `admin:${KEYS.admin}` } });
    try {
      for (const p of ['/console', '/console/']) {
        const res = await getJson(`${api.baseUrl}${p}`);
        expect(res.status).toBe(503);
        expect(res.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: expect.stringContaining('run npm run build') });
      }
      // The API itself is unaffected.
      expect((await getJson(`${api.baseUrl}/api/console/session`, { 'x-api-key': KEYS.admin })).status).toBe(200);
    } finally {
      await api.close();
    }
  });

  it('finds console/dist at the repository root from the source tree and from the compiled one', () => {
    const expected = path.join(ROOT, 'console', 'dist');
    expect(locateConsoleDist()).toBe(expected);
    expect(locateConsoleDist(path.join(ROOT, 'dist', 'src', 'api', 'console'))).toBe(expected);
  });

  it.each([
    ['operator', 'x-api-key'],
    ['admin', 'x-api-key'],
    ['operator', 'bearer'],
  ] as const)('GET /api/console/session tells the %s key its role and where the Temporal Web UI is (key sent as %s)', async (role, style) => {
    const key = KEYS[role];
    const headers: Record<string, string> = style === 'bearer' ? { authorization: `Bearer ${key}` } : { 'x-api-key': key };
    const res = await getJson(url('/api/console/session'), headers);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ role, temporalUi: { url: 'http://temporal-ui.example:8080', namespace: 'default' } });
  });

  it('refuses a wrong or missing key with 401 and an ingest key with 403, in the API error shape', async () => {
    for (const headers of [{ 'x-api-key': 'not-a-key-at-all-0000000' }, {}] as Array<Record<string, string>>) {
      const res = await getJson(url('/api/console/session'), headers);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.stringMatching(/^X-API-Key: /) });
    }
    const ingest = await getJson(url('/api/console/session'), { 'x-api-key': KEYS.ingest });
    expect(ingest.status).toBe(403);
    expect(ingest.body).toMatchObject({ statusCode: 403, error: 'Forbidden', message: expect.stringContaining('role ingest may not call GET') });
  });
});

describe('the console session on an open API (no API_KEYS: development)', () => {
  const h = useApiHarness({ name: 'api-console-open' });

  it('treats every caller as admin and links to the default Web UI', async () => {
    const res = await getJson(`${h.api.baseUrl}/api/console/session`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ role: 'admin', temporalUi: { url: 'http://localhost:8233', namespace: 'default' } });
  });
});

describe('console configuration', () => {
  it('takes TEMPORAL_UI_URL without its trailing slash, and refuses one that is not an http(s) URL, naming it', async () => {
    const { loadConfig } = await import('../../src/config');
    const base = { SWITCHBOARD_CONFIG: '', NODE_ENV: 'test' };
    expect(loadConfig(base).console).toEqual({ temporalUiUrl: 'http://localhost:8233', distDir: undefined });
    expect(loadConfig({ ...base, TEMPORAL_UI_URL: 'https://temporal.example.com/ui/', CONSOLE_DIST_DIR: '/srv/console' }).console).toEqual({
      temporalUiUrl: 'https://temporal.example.com/ui',
      distDir: '/srv/console',
    });
    expect(() => loadConfig({ ...base, TEMPORAL_UI_URL: 'localhost:8233' })).toThrow(/TEMPORAL_UI_URL: must be an http\(s\) URL/);
  });
});
