import { execFile } from 'node:child_process';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';
import { chatReferenceFor, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../src/codec';
import { followUpWorkflowId } from '../../src/contracts';
import { findTemporalCli } from '../../src/devserver/temporal-cli';
import { eventually, getJson, postJson, startTestApi } from '../helpers/api';
import { useApiHarness } from '../helpers/harness';
import { CLI_PATH_VAR } from '../helpers/shared-env';

const run = promisify(execFile);

const KEYS = {
  admin: 'admin-key-enc-0123456789abcdef',
  operator: 'operator-key-enc-0123456789abcdef',
  ingest: 'ingest-key-enc-0123456789abcdef',
};
const API_KEYS = Object.entries(KEYS).map(([role, key]) => `${role}:${key}`).join(',');
const UI_ORIGIN = 'http://localhost:8233';
// Rotation in effect: a newer key encrypts, an older one is still configured for reading.
const ENCRYPTION_KEYS = `k2025:${randomBytes(32).toString('base64')},k2024:${randomBytes(32).toString('base64')}`;

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
const auth = (key: string) => ({ authorization: `Bearer ${key}` });

function temporalCli(): string {
  const path = process.env[CLI_PATH_VAR] ?? findTemporalCli()?.path;
  if (!path) throw new Error('no Temporal CLI: this test runs `temporal workflow show` against the test server');
  return path;
}

interface Found {
  path: string;
  value: Record<string, unknown>;
}

/** Every payload object (`{metadata: {encoding}, data}`) in the CLI's raw JSON output, with where it was. */
function payloadsIn(node: unknown, path = '$', out: Found[] = []): Found[] {
  if (Array.isArray(node)) node.forEach((v, i) => payloadsIn(v, `${path}[${i}]`, out));
  else if (node && typeof node === 'object') {
    const obj = node as Record<string, unknown>;
    const metadata = obj.metadata as Record<string, unknown> | undefined;
    if (metadata && typeof metadata === 'object' && typeof metadata.encoding === 'string') out.push({ path, value: obj });
    else for (const [k, v] of Object.entries(obj)) payloadsIn(v, `${path}.${k}`, out);
  }
  return out;
}

/** Every string in the output, and the base64 decoding of each: plaintext cannot hide in either. */
function textsIn(node: unknown, path = '$', out: Array<{ path: string; text: string }> = []) {
  if (typeof node === 'string') {
    out.push({ path, text: node });
    if (/^[A-Za-z0-9+/]+={0,2}$/.test(node) && node.length >= 8) out.push({ path: `${path} (base64)`, text: unb64(node) });
  } else if (Array.isArray(node)) node.forEach((v, i) => textsIn(v, `${path}[${i}]`, out));
  else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) textsIn(v, `${path}.${k}`, out);
  return out;
}

/**
 * Payloads no codec sees: search attributes (the server indexes them), `header` (tracing
 * context), and the SDK's own bookkeeping in markers: a patch marker's patch id, a local
 * activity marker's sequence number and timings (its `result` is encrypted like any other).
 * The plaintext scan below still covers all of them.
 */
const outsideCodec = (path: string) => /\.searchAttributes\b|\.header\b|\.markerRecordedEventAttributes\.details\.(patch-data|data)\b/.test(path);

describe('encrypted histories: payload codec on the API and the worker, codec endpoint for the Web UI', () => {
  const h = useApiHarness({
    name: 'api-encrypted',
    seed: true,
    env: () => ({ API_KEYS, PAYLOAD_ENCRYPTION_KEYS: ENCRYPTION_KEYS }),
    // A knowledge base that fails, quoting the customer's question in its error, as real providers do.
    override: (deps) => ({
      ...deps,
      knowledgeBase: {
        search(query, options) {
          if (query.includes('[kb-down]')) throw ApplicationFailure.nonRetryable(`knowledge base offline while searching for "${query}"`, 'KnowledgeBaseOffline');
          return deps.knowledgeBase.search(query, options);
        },
      },
    }),
  });

  const phone = `8526${randomInt(1_000_000, 9_999_999)}`;
  const marker = `zebra-${randomUUID().slice(0, 8)}`;
  const message = { chatId: `${phone}@c.us`, id: `msg_${randomUUID()}`, body: `I want to book an appointment for next Monday, my reference is ${marker}` };
  const chatRef = chatReferenceFor(ENCRYPTION_KEYS)(message.chatId);
  let workflowId = '';
  let replyText = '';
  let history: unknown;

  const showWorkflow = async (id: string, ...extra: string[]) => {
    const { stdout } = await run(temporalCli(), ['workflow', 'show', '--workflow-id', id, '--address', h.ctx.address, '--namespace', 'default', '--output', 'json', ...extra], {
      maxBuffer: 32 * 1024 * 1024,
    });
    return stdout;
  };
  const show = async (...extra: string[]) => showWorkflow(workflowId, ...extra);

  beforeAll(async () => {
    const accepted = await postJson(`${h.api.baseUrl}/api/messages`, message, auth(KEYS.ingest));
    expect(accepted.status).toBe(202);
    workflowId = accepted.body.workflowId;
    // The API reads the encrypted workflow's state: its client decrypts the result.
    const view = await eventually(
      () => getJson(`${h.api.baseUrl}/api/messages/${encodeURIComponent(workflowId)}`, auth(KEYS.operator)),
      (r) => r.body?.status === 'COMPLETED',
    );
    expect(view.body).toMatchObject({ status: 'COMPLETED', chatId: message.chatId, triage: { intent: 'appointment_booking' }, route: { agent: 'appointment' } });
    replyText = view.body.reply.text;
    expect(replyText).toMatch(/Available times: Monday/);
    history = JSON.parse(await show('--no-json-shorthand-payloads'));
  });

  it('names the chat by its keyed hash where Temporal indexes it: the ChatId search attribute and follow-up workflow ids', async () => {
    expect(chatRef).toMatch(/^h:[A-Za-z0-9_-]{22}$/);
    // The booking offered slots, so the conversation started an unconfirmed-booking campaign.
    const campaign = followUpWorkflowId(chatRef, 'booking_unconfirmed');
    const description = await eventually(
      () => h.ctx.client.workflow.getHandle(campaign).describe().catch(() => undefined),
      (d) => d !== undefined,
    );
    expect(description?.workflowId).toBe(campaign);
    const { stdout } = await run(temporalCli(), ['workflow', 'list', '--address', h.ctx.address, '--namespace', 'default', '--query', `ChatId = '${chatRef}'`, '--output', 'json']);
    expect(JSON.parse(stdout).map((w: { execution: { workflowId: string } }) => w.execution.workflowId)).toContain(workflowId);
    const everything = await run(temporalCli(), ['workflow', 'list', '--address', h.ctx.address, '--namespace', 'default', '--output', 'json', '--limit', '5000'], { maxBuffer: 64 * 1024 * 1024 });
    expect(everything.stdout).not.toContain(phone);
  });

  it('the API still reads the decrypted state of an encrypted workflow', async () => {
    const view = await getJson(`${h.api.baseUrl}/api/messages/${encodeURIComponent(workflowId)}`, auth(KEYS.operator));
    expect(view.status).toBe(200);
    expect(view.body.reply.text).toBe(replyText);
  });

  it('`temporal workflow show` holds only encrypted payloads: no message body, phone number or reply in the clear', async () => {
    const payloads = payloadsIn(history);
    const encoded = payloads.filter((p) => !outsideCodec(p.path));
    // Workflow input and result, activity inputs and results: far more than a handful.
    expect(encoded.length).toBeGreaterThanOrEqual(6);
    for (const p of encoded) {
      expect({ path: p.path, encoding: unb64((p.value.metadata as Record<string, string>).encoding) }).toEqual({ path: p.path, encoding: ENCRYPTED_ENCODING });
      expect(unb64((p.value.metadata as Record<string, string>)[KEY_ID_METADATA])).toBe('k2025');
    }

    const texts = textsIn(history);
    const leaks = (needle: string, where = texts) => where.filter((t) => t.text.includes(needle)).map((t) => t.path);
    expect(leaks(marker)).toEqual([]);
    expect(leaks('book an appointment')).toEqual([]);
    expect(leaks('Available times')).toEqual([]);
    expect(leaks(replyText.slice(0, 40))).toEqual([]);
    // The server indexes search attributes in the clear, so ChatId holds the chat's keyed
    // hash, not the phone number. Finding the hash there shows this scan sees decoded base64.
    expect(leaks(phone)).toEqual([]);
    expect(leaks(chatRef).some((p) => /\.searchAttributes\.indexedFields\.ChatId\b/.test(p))).toBe(true);

    // The default (shorthand) output a person reads shows no plaintext either.
    const plainOutput = await show();
    expect(plainOutput).not.toContain(marker);
    expect(plainOutput).not.toContain('Available times');
  });

  it('/codec/decode gives an operator the plaintext of those payloads back', async () => {
    const all = payloadsIn(history).filter((p) => !outsideCodec(p.path));
    const res = await postJson(`${h.api.baseUrl}/codec/decode`, { payloads: all.map((p) => p.value) }, { ...auth(KEYS.operator), 'x-namespace': 'default' });
    expect(res.status).toBe(200);
    expect(res.body.payloads).toHaveLength(all.length);
    const decoded = (res.body.payloads as Array<{ metadata: Record<string, string>; data: string }>).map((p) => ({
      encoding: unb64(p.metadata.encoding),
      data: unb64(p.data),
    }));
    expect(decoded.every((p) => p.encoding !== ENCRYPTED_ENCODING)).toBe(true);
    const joined = decoded.map((p) => p.data).join('\n');
    expect(joined).toContain(message.body);
    expect(joined).toContain(message.chatId);
    expect(joined).toContain(JSON.stringify(replyText).slice(1, -1));

    // The workflow's input, exactly as the API sent it.
    const started = all.find((p) => /WorkflowExecutionStarted|workflowExecutionStartedEventAttributes/.test(p.path));
    expect(started).toBeDefined();
    const input = JSON.parse(decoded[all.indexOf(started!)].data);
    expect(input).toMatchObject({ chatId: message.chatId, messageId: message.id, body: message.body });
  });

  it('the CLI decodes the history through the codec endpoint (--codec-endpoint, the way the Web UI does)', async () => {
    const decoded = textsIn(JSON.parse(await show('--codec-endpoint', `${h.api.baseUrl}/codec`, '--codec-auth', `Bearer ${KEYS.operator}`, '--no-json-shorthand-payloads')));
    expect(decoded.some((t) => t.text.includes(marker))).toBe(true);
    expect(decoded.some((t) => t.text.includes('Available times'))).toBe(true);
  });

  it('/codec/encode encrypts with the first key, and /codec/decode passes plain payloads through', async () => {
    const plain = { metadata: { encoding: b64('json/plain') }, data: b64(JSON.stringify({ hello: marker })) };
    const enc = await postJson(`${h.api.baseUrl}/codec/encode`, { payloads: [plain] }, auth(KEYS.admin));
    expect(enc.status).toBe(200);
    const [encrypted] = enc.body.payloads;
    expect(unb64(encrypted.metadata.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(unb64(encrypted.metadata[KEY_ID_METADATA])).toBe('k2025');
    expect(unb64(encrypted.data)).not.toContain(marker);

    const dec = await postJson(`${h.api.baseUrl}/codec/decode`, { payloads: [encrypted, plain] }, auth(KEYS.operator));
    expect(dec.status).toBe(200);
    expect(dec.body.payloads).toEqual([plain, plain]);
  });

  it('answers a clear 400 for an altered payload or an unknown key id, and for a body that is not the codec format', async () => {
    const enc = await postJson(`${h.api.baseUrl}/codec/encode`, { payloads: [{ metadata: { encoding: b64('json/plain') }, data: b64('"x"') }] }, auth(KEYS.operator));
    const [encrypted] = enc.body.payloads;
    const data = Buffer.from(encrypted.data, 'base64');
    data[15] ^= 1;
    const tampered = await postJson(`${h.api.baseUrl}/codec/decode`, { payloads: [{ ...encrypted, data: data.toString('base64') }] }, auth(KEYS.operator));
    expect(tampered.status).toBe(400);
    expect(tampered.body.message).toMatch(/^payloads\[0\]: encrypted payload \(key id "k2025"\) failed authentication/);

    const unknown = await postJson(
      `${h.api.baseUrl}/codec/decode`,
      { payloads: [{ metadata: { ...encrypted.metadata, [KEY_ID_METADATA]: b64('k1999') }, data: encrypted.data }] },
      auth(KEYS.operator),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/key id "k1999", which is not in PAYLOAD_ENCRYPTION_KEYS \(configured: k2025, k2024\)/);

    const malformed = await postJson(`${h.api.baseUrl}/codec/decode`, { payload: [] }, auth(KEYS.operator));
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toMatch(/payloads/);
  });

  it('requires an operator or admin key: 401 without one, 403 for an ingest key', async () => {
    const body = { payloads: [] };
    expect((await postJson(`${h.api.baseUrl}/codec/decode`, body)).status).toBe(401);
    expect((await postJson(`${h.api.baseUrl}/codec/decode`, body, auth('not-a-real-key-at-all-000'))).status).toBe(401);
    expect((await postJson(`${h.api.baseUrl}/codec/decode`, body, auth(KEYS.ingest))).status).toBe(403);
    expect((await postJson(`${h.api.baseUrl}/codec/encode`, body, { 'x-api-key': KEYS.ingest })).status).toBe(403);
    const ok = await postJson(`${h.api.baseUrl}/codec/decode`, body, auth(KEYS.admin));
    expect(ok).toEqual({ status: 200, body: { payloads: [] } });
  });

  it('allows the Web UI origin through CORS (preflight needs no key) and no other origin', async () => {
    const preflight = (origin: string) =>
      fetch(`${h.api.baseUrl}/codec/decode`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' },
      });
    const ui = await preflight(UI_ORIGIN);
    expect(ui.status).toBe(204);
    expect(ui.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(ui.headers.get('access-control-allow-methods')).toMatch(/POST/);
    const allowed = (ui.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    for (const header of ['authorization', 'content-type', 'x-namespace']) expect(allowed).toContain(header);

    const foreign = await preflight('http://evil.example');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(foreign.status).toBe(403);

    // The actual request from the UI carries the header too; one from elsewhere does not.
    const fromUi = await fetch(`${h.api.baseUrl}/codec/decode`, {
      method: 'POST',
      headers: { origin: UI_ORIGIN, 'content-type': 'application/json', ...auth(KEYS.operator) },
      body: JSON.stringify({ payloads: [] }),
    });
    expect(fromUi.status).toBe(200);
    expect(fromUi.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    const fromElsewhere = await fetch(`${h.api.baseUrl}/codec/decode`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'application/json', ...auth(KEYS.operator) },
      body: JSON.stringify({ payloads: [] }),
    });
    expect(fromElsewhere.headers.get('access-control-allow-origin')).toBeNull();
    // CORS is only for /codec: the rest of the API does not invite browsers in.
    const elsewhere = await fetch(`${h.api.baseUrl}/api/tasks`, { method: 'OPTIONS', headers: { origin: UI_ORIGIN } });
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('says encryption is off (404) on an API without PAYLOAD_ENCRYPTION_KEYS', async () => {
    const plainApi = await startTestApi({ address: h.ctx.address, taskQueue: h.taskQueue, database: h.database, env: { API_KEYS } });
    try {
      const res = await postJson(`${plainApi.baseUrl}/codec/decode`, { payloads: [] }, auth(KEYS.operator));
      expect(res.status).toBe(404);
      expect(res.body.message).toMatch(/payload encryption is off \(PAYLOAD_ENCRYPTION_KEYS is not set\)/);
      expect((await postJson(`${plainApi.baseUrl}/codec/decode`, { payloads: [] })).status).toBe(401);
    } finally {
      await plainApi.close();
    }
  });

  describe('a run that fails: failure messages and stack traces are encrypted too', () => {
    const failMarker = `okapi-${randomUUID().slice(0, 8)}`;
    // A customer's question the (failing) knowledge base is asked, address and all.
    const failing = { chatId: `8526${randomInt(1_000_000, 9_999_999)}@c.us`, id: `msg_${randomUUID()}`, body: `[kb-down] What are your opening hours? I live at Flat 12B, ${failMarker} Road` };
    let failedId = '';
    let failedHistory: unknown;

    /** Every Failure object in the history (a `message` beside a `*FailureInfo` or `encodedAttributes`), with where it was. */
    const failuresIn = (node: unknown, path = '$', out: Found[] = []): Found[] => {
      if (Array.isArray(node)) node.forEach((v, i) => failuresIn(v, `${path}[${i}]`, out));
      else if (node && typeof node === 'object') {
        const obj = node as Record<string, unknown>;
        if (typeof obj.message === 'string' && Object.keys(obj).some((k) => k.endsWith('FailureInfo') || k === 'encodedAttributes')) out.push({ path, value: obj });
        for (const [k, v] of Object.entries(obj)) failuresIn(v, `${path}.${k}`, out);
      }
      return out;
    };

    beforeAll(async () => {
      const accepted = await postJson(`${h.api.baseUrl}/api/messages`, failing, auth(KEYS.ingest));
      expect(accepted.status).toBe(202);
      failedId = accepted.body.workflowId;
      const closed = await eventually(() => h.ctx.client.workflow.getHandle(failedId).describe(), (d) => d.status.name !== 'RUNNING');
      expect(closed.status.name).toBe('FAILED');
      failedHistory = JSON.parse(await showWorkflow(failedId, '--no-json-shorthand-payloads'));
    });

    it('the API still reports the failure reason: the message view (through the decrypting client) and the task', async () => {
      const view = await getJson(`${h.api.baseUrl}/api/messages/${encodeURIComponent(failedId)}`, auth(KEYS.operator));
      expect(view.status).toBe(200);
      expect(view.body).toMatchObject({ status: 'FAILED', step: 'failed' });
      expect(view.body.error).toMatch(/^Activity task failed: knowledge base offline while searching for "/);
      expect(view.body.error).toContain(failMarker);

      const tasks = await eventually(
        () => getJson(`${h.api.baseUrl}/api/tasks?chatId=${encodeURIComponent(failing.chatId)}`, auth(KEYS.operator)),
        (r) => r.body.items?.some((t: { workflow_id: string; parent_task_id: string | null; status: string }) => t.workflow_id === failedId && t.parent_task_id === null && t.status === 'failed'),
      );
      const row = tasks.body.items.find((t: { workflow_id: string; parent_task_id: string | null }) => t.workflow_id === failedId && t.parent_task_id === null);
      expect(row.error_message).toMatch(/knowledge base offline while searching for/);
      expect(row.error_message).toContain(failMarker);
    });

    it('`temporal workflow show` holds no failure message or stack trace in the clear, only encrypted encodedAttributes', async () => {
      const failures = failuresIn(failedHistory);
      const paths = failures.map((f) => f.path);
      // The activity's failure, and the workflow's (ActivityFailure, its ApplicationFailure cause).
      expect(paths.some((p) => /activityTaskFailedEventAttributes\.failure$/.test(p))).toBe(true);
      expect(paths.some((p) => /workflowExecutionFailedEventAttributes\.failure\.cause$/.test(p))).toBe(true);
      for (const f of failures) {
        expect({ path: f.path, message: f.value.message, stackTrace: f.value.stackTrace ?? '' }).toEqual({ path: f.path, message: 'Encoded failure', stackTrace: '' });
        const encoding = ((f.value.encodedAttributes as Found['value'] | undefined)?.metadata as Record<string, string> | undefined)?.encoding;
        expect({ path: f.path, encoding: encoding && unb64(encoding) }).toEqual({ path: f.path, encoding: ENCRYPTED_ENCODING });
      }
      for (const p of payloadsIn(failedHistory).filter((p) => !outsideCodec(p.path))) {
        expect({ path: p.path, encoding: unb64((p.value.metadata as Record<string, string>).encoding) }).toEqual({ path: p.path, encoding: ENCRYPTED_ENCODING });
      }

      const texts = textsIn(failedHistory);
      const leaks = (needle: string) => texts.filter((t) => t.text.includes(needle)).map((t) => t.path);
      expect(leaks(failMarker)).toEqual([]);
      expect(leaks('knowledge base offline')).toEqual([]);
      expect(leaks('Flat 12B')).toEqual([]);
      // No stack trace (source file names) in the clear either.
      expect(leaks('.ts:')).toEqual([]);
      expect(leaks('.js:')).toEqual([]);

      const plainOutput = await showWorkflow(failedId);
      expect(plainOutput).not.toContain(failMarker);
      expect(plainOutput).not.toContain('knowledge base offline');
    });

    it('/codec/decode gives an operator the failure message and stack trace back', async () => {
      const encoded = failuresIn(failedHistory).map((f) => f.value.encodedAttributes);
      const res = await postJson(`${h.api.baseUrl}/codec/decode`, { payloads: encoded }, auth(KEYS.operator));
      expect(res.status).toBe(200);
      const attrs = (res.body.payloads as Array<{ data: string }>).map((p) => JSON.parse(unb64(p.data)) as { message: string; stack_trace: string });
      const kb = attrs.filter((a) => a.message.startsWith('knowledge base offline while searching for'));
      expect(kb.length).toBeGreaterThanOrEqual(2);
      for (const a of kb) {
        expect(a.message).toContain(failMarker);
        expect(a.stack_trace).toMatch(/search/);
      }
      expect(attrs.map((a) => a.message)).toContain('Activity task failed');
    });

    it('the CLI reads the failure through the codec endpoint', async () => {
      const decoded = await showWorkflow(failedId, '--codec-endpoint', `${h.api.baseUrl}/codec`, '--codec-auth', `Bearer ${KEYS.operator}`, '--no-json-shorthand-payloads');
      expect(textsIn(JSON.parse(decoded)).some((t) => t.text.includes(`knowledge base offline while searching for`) && t.text.includes(failMarker))).toBe(true);
    });
  });
});
