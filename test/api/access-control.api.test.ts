import { randomUUID } from 'node:crypto';
import { useApiHarness } from '../helpers/harness';

const KEYS = {
  admin: 'admin-key-0123456789abcdef',
  operator: 'operator-key-0123456789abcdef',
  ingest: 'ingest-key-0123456789abcdef',
};

type Caller = keyof typeof KEYS | 'none' | 'wrong';
const CALLERS: Caller[] = ['none', 'wrong', 'ingest', 'operator', 'admin'];

/** A workflow definition id no test creates: the routes answer 404 to callers who get through. */
const ACL_WORKFLOW = '00000000-0000-4000-8000-00000000ac1a';

/** Route groups and the callers that may reach them (admin may reach everything). */
const ROUTES: Array<{ name: string; method: string; path: () => string; body?: unknown; allowed: Caller[] }> = [
  { name: 'post a message', method: 'POST', path: () => '/api/messages', body: { chatId: 'acl@c.us', id: `acl-${randomUUID()}`, body: 'hello' }, allowed: ['ingest', 'operator', 'admin'] },
  { name: 'read a message', method: 'GET', path: () => `/api/messages/${encodeURIComponent('msg:whatsapp:none')}`, allowed: ['operator', 'admin'] },
  { name: 'tasks', method: 'GET', path: () => '/api/tasks', allowed: ['operator', 'admin'] },
  { name: 'task stats', method: 'GET', path: () => '/api/tasks/stats', allowed: ['operator', 'admin'] },
  { name: 'agents', method: 'GET', path: () => '/api/agents', allowed: ['operator', 'admin'] },
  { name: 'agent logs', method: 'GET', path: () => '/api/agents/logs', allowed: ['operator', 'admin'] },
  { name: 'handoffs', method: 'GET', path: () => '/api/handoffs', allowed: ['operator', 'admin'] },
  { name: 'follow-ups', method: 'GET', path: () => '/api/follow-ups/acl@c.us', allowed: ['operator', 'admin'] },
  // The console and what it reads.
  { name: 'console page', method: 'GET', path: () => '/console', allowed: ['none', 'wrong', 'ingest', 'operator', 'admin'] },
  { name: 'console session', method: 'GET', path: () => '/api/console/session', allowed: ['operator', 'admin'] },
  { name: 'alerts', method: 'GET', path: () => '/api/alerts', allowed: ['operator', 'admin'] },
  { name: 'message stats', method: 'GET', path: () => '/api/stats/messages', allowed: ['operator', 'admin'] },
  { name: 'handoff stats', method: 'GET', path: () => '/api/stats/handoffs', allowed: ['operator', 'admin'] },
  { name: 'reply stats', method: 'GET', path: () => '/api/stats/replies', allowed: ['operator', 'admin'] },
  { name: 'agent stats', method: 'GET', path: () => '/api/agents/stats', allowed: ['operator', 'admin'] },
  { name: 'follow-up stats', method: 'GET', path: () => '/api/follow-ups/stats', allowed: ['operator', 'admin'] },
  { name: 'running campaigns', method: 'GET', path: () => '/api/follow-ups', allowed: ['operator', 'admin'] },
  { name: 'pending callbacks', method: 'GET', path: () => '/api/v1/callbacks', allowed: ['operator', 'admin'] },
  { name: 'schedules', method: 'GET', path: () => '/api/schedules', allowed: ['admin'] },
  // User-defined workflows: definitions are admin business, running and following them operator work.
  { name: 'list workflow definitions', method: 'GET', path: () => '/api/v1/workflows', allowed: ['admin'] },
  { name: 'create a workflow definition', method: 'POST', path: () => '/api/v1/workflows/', body: { name: 'acl', steps: [] }, allowed: ['admin'] },
  { name: 'read a workflow definition', method: 'GET', path: () => `/api/v1/workflows/${ACL_WORKFLOW}`, allowed: ['admin'] },
  { name: 'update a workflow definition', method: 'PUT', path: () => `/api/v1/workflows/${ACL_WORKFLOW}`, body: { name: 'acl', steps: [] }, allowed: ['admin'] },
  { name: 'delete a workflow definition', method: 'DELETE', path: () => `/api/v1/workflows/${ACL_WORKFLOW}`, allowed: ['admin'] },
  { name: 'execute a workflow', method: 'POST', path: () => `/api/v1/workflows/${ACL_WORKFLOW}/execute`, body: { async_execution: true }, allowed: ['operator', 'admin'] },
  { name: 'list workflow executions', method: 'GET', path: () => `/api/v1/workflows/${ACL_WORKFLOW}/executions`, allowed: ['operator', 'admin'] },
  { name: 'read an execution', method: 'GET', path: () => `/api/v1/executions/wfexec:${ACL_WORKFLOW}`, allowed: ['operator', 'admin'] },
  { name: 'cancel an execution', method: 'POST', path: () => `/api/v1/executions/wfexec:${ACL_WORKFLOW}/cancel`, body: {}, allowed: ['operator', 'admin'] },
  { name: 'answer an execution callback', method: 'POST', path: () => `/api/v1/executions/wfexec:${ACL_WORKFLOW}/callbacks/approve`, body: { approved: true }, allowed: ['operator', 'admin'] },
  { name: 'docs', method: 'GET', path: () => '/docs/openapi.json', allowed: ['ingest', 'operator', 'admin'] },
  { name: 'liveness', method: 'GET', path: () => '/health', allowed: ['none', 'wrong', 'ingest', 'operator', 'admin'] },
  { name: 'readiness', method: 'GET', path: () => '/health/ready', allowed: ['none', 'wrong', 'ingest', 'operator', 'admin'] },
  // Prometheus scrapes without credentials; the series carry counts, never customer data.
  { name: 'metrics', method: 'GET', path: () => '/metrics', allowed: ['none', 'wrong', 'ingest', 'operator', 'admin'] },
  { name: 'codec decode', method: 'POST', path: () => '/codec/decode', body: { payloads: [] }, allowed: ['operator', 'admin'] },
  { name: 'codec encode', method: 'POST', path: () => '/codec/encode', body: { payloads: [] }, allowed: ['operator', 'admin'] },
];

describe('access control: every role against every route group', () => {
  const h = useApiHarness({ name: 'api-acl', env: () => ({ API_KEYS: Object.entries(KEYS).map(([role, key]) => `${role}:${key}`).join(',') }) });

  function headers(caller: Caller, style: 'x-api-key' | 'bearer'): Record<string, string> {
    const key = caller === 'none' ? undefined : caller === 'wrong' ? 'not-a-real-key-at-all-000' : KEYS[caller];
    const base: Record<string, string> = { 'content-type': 'application/json' };
    if (key) base[style === 'bearer' ? 'authorization' : 'x-api-key'] = style === 'bearer' ? `Bearer ${key}` : key;
    return base;
  }

  const cases = ROUTES.flatMap((route) => CALLERS.map((caller) => [route.name, caller, route] as const));
  it.each(cases)('%s as %s', async (_name, caller, route) => {
    const style = caller === 'operator' ? 'bearer' : 'x-api-key';
    const res = await fetch(`${h.api.baseUrl}${route.path()}`, { method: route.method, headers: headers(caller, style), body: route.body ? JSON.stringify(route.body) : undefined });
    if (route.allowed.includes(caller)) {
      expect([401, 403]).not.toContain(res.status);
    } else {
      expect(res.status).toBe(caller === 'none' || caller === 'wrong' ? 401 : 403);
      const body = (await res.json()) as { statusCode: number };
      expect(body).toMatchObject({ statusCode: res.status });
      expect(JSON.stringify(body)).not.toContain(KEYS.admin);
    }
  });

  it('refuses keys in the query string, even valid ones', async () => {
    const res = await fetch(`${h.api.baseUrl}/api/tasks?api_key=${KEYS.admin}`, { headers: { 'x-api-key': KEYS.admin } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/api_key: API keys are not accepted in the query string/);
  });
});

describe('configuration of access control', () => {
  it('refuses to start open in production, and names a malformed key entry', async () => {
    const { loadConfig } = await import('../../src/config');
    expect(() => loadConfig({ SWITCHBOARD_CONFIG: '', NODE_ENV: 'production' })).toThrow(/API_KEYS must be set when NODE_ENV=production/);
    expect(() => loadConfig({ SWITCHBOARD_CONFIG: '', API_KEYS: 'superuser:0123456789abcdef0' })).toThrow(/API_KEYS entry 1: role must be one of admin, operator, ingest/);
    expect(() => loadConfig({ SWITCHBOARD_CONFIG: '', API_KEYS: 'admin:short' })).toThrow(/at least 16 characters/);
  });
});
