import { createHmac, randomInt, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Like } from 'typeorm';
import { messageWorkflowId } from '../../src/contracts';
import { ConversationMessage, InboundEvent } from '../../src/persistence';
import { eventually } from '../helpers/api';
import { APP_SECRET, changeValue, messages, signWhatsAppBody, statuses, wamid, webhookPayload } from '../helpers/channel-servers/whatsapp-payloads';
import { useApiHarness } from '../helpers/harness';

/**
 * Issue 16, item 6: the bad-input table. Each row is one class of bad input to one of the two
 * intakes (`POST /api/messages`, the signed `POST /webhooks/whatsapp`), and each asserts three
 * things: a 4xx, an error `message` naming the field or the problem, and that nothing was stored
 * (no message workflow for the row's own id, no transcript line, no inbound event). Every row
 * carries ids of its own, so a refusal that let the message through would be seen.
 */

const VERIFY_TOKEN = 'bad-inputs-verify-7c1e';

/** What one row is about: fresh ids, a chat, and a text marker no other row uses. */
interface Ids {
  id: string;
  chatId: string;
  /** WhatsApp sender digits (webhook rows); `chatId` is `${from}@c.us`. */
  from: string;
  marker: string;
}

interface Request {
  /** Serialized with JSON.stringify (undefined fields drop out). */
  json?: unknown;
  /** Sent as is, bytes included. */
  raw?: string | Buffer;
  /** Replaces the default `content-type: application/json`; null sends none. */
  contentType?: string | null;
  headers?: Record<string, string>;
}

interface Row {
  name: string;
  request: (ids: Ids) => Request;
  status: number;
  message: RegExp;
}

interface Answer {
  status: number;
  body: any;
  text: string;
}

function freshIds(): Ids {
  const from = `852${randomInt(10_000_000, 99_999_999)}`;
  return { id: `bad_${randomUUID()}`, chatId: `${from}@c.us`, from, marker: `marker ${randomUUID()}` };
}

/** A valid REST message for the row's ids, with some fields replaced (undefined removes one). */
const restMessage = (ids: Ids, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  chatId: ids.chatId,
  id: ids.id,
  body: ids.marker,
  senderName: 'Ana',
  ...overrides,
});

/** The valid REST message as JSON text, for rows that must corrupt the bytes themselves. */
const restRaw = (ids: Ids): string => JSON.stringify(restMessage(ids));

/** `depth` arrays inside one another: `[[[...]]]`. */
const nested = (depth: number): unknown => (depth <= 1 ? [] : [nested(depth - 1)]);

/** A valid one-message Cloud API delivery for the row's ids (the wamid is `ids.id`). */
const hookPayload = (ids: Ids): Record<string, any> =>
  webhookPayload([changeValue({ customers: [{ waId: ids.from, name: 'Ana' }], messages: [messages.text(ids.from, ids.marker, ids.id)] })]);

/** A delivery as bytes with a correct signature over exactly those bytes. */
const signed = (raw: string | Buffer, extra: Partial<Request> = {}): Request => ({ raw, headers: { 'x-hub-signature-256': signWhatsAppBody(raw) }, ...extra });

/** A signed delivery of `payload`. */
const signedJson = (payload: unknown): Request => signed(JSON.stringify(payload));

/** The delivery with its first message changed; `undefined` values remove a field. */
function withMessage(ids: Ids, change: (message: Record<string, any>) => void): Record<string, any> {
  const payload = hookPayload(ids);
  change(payload.entry[0].changes[0].value.messages[0]);
  return payload;
}

const SIGNATURE_REFUSED = /^X-Hub-Signature-256: missing or does not match the body$/;

// ------------------------------------------------------------------------------ POST /api/messages

const restRows: Row[] = [
  // chatId
  { name: 'chatId missing', request: (ids) => ({ json: restMessage(ids, { chatId: undefined }) }), status: 400, message: /^chatId: is required$/ },
  { name: 'chatId empty', request: (ids) => ({ json: restMessage(ids, { chatId: '' }) }), status: 400, message: /^chatId: too small.*>=1 characters/i },
  { name: 'chatId only whitespace', request: (ids) => ({ json: restMessage(ids, { chatId: '   \t ' }) }), status: 400, message: /^chatId: too small.*>=1 characters/i },
  { name: 'chatId a number', request: (ids) => ({ json: restMessage(ids, { chatId: 85260552717 }) }), status: 400, message: /^chatId: .*expected string, received number/ },
  { name: 'chatId null', request: (ids) => ({ json: restMessage(ids, { chatId: null }) }), status: 400, message: /^chatId: .*expected string, received null/ },
  { name: 'chatId an array', request: (ids) => ({ json: restMessage(ids, { chatId: [ids.chatId] }) }), status: 400, message: /^chatId: .*expected string, received array/ },
  { name: 'chatId over 128 characters', request: (ids) => ({ json: restMessage(ids, { chatId: `${'1'.repeat(129)}@c.us` }) }), status: 400, message: /^chatId: too big.*<=128 characters/i },
  { name: 'chatId with a NUL', request: (ids) => ({ json: restMessage(ids, { chatId: `${ids.from}\u0000@c.us` }) }), status: 400, message: /^chatId: must not contain the NUL character/ },
  {
    name: 'chatId with a lone surrogate',
    request: (ids) => ({ json: restMessage(ids, { chatId: `${ids.from}\ud800@c.us` }) }),
    status: 400,
    message: /^chatId: must not contain a lone UTF-16 surrogate/,
  },
  {
    name: 'chatId with a line break',
    request: (ids) => ({ json: restMessage(ids, { chatId: `${ids.from}\n@c.us` }) }),
    status: 400,
    message: /^chatId: /,
    // Only NUL and lone surrogates are refused: other control characters pass, and the chat is stored under the broken id.
  },
  // id
  { name: 'id missing', request: (ids) => ({ json: restMessage(ids, { id: undefined }) }), status: 400, message: /^id: is required$/ },
  { name: 'id empty', request: (ids) => ({ json: restMessage(ids, { id: '' }) }), status: 400, message: /^id: too small.*>=1 characters/i },
  { name: 'id a number', request: (ids) => ({ json: restMessage(ids, { id: 12345 }) }), status: 400, message: /^id: .*expected string, received number/ },
  { name: 'id an object', request: (ids) => ({ json: restMessage(ids, { id: { value: ids.id } }) }), status: 400, message: /^id: .*expected string, received object/ },
  { name: 'id with a space inside', request: (ids) => ({ json: restMessage(ids, { id: `${ids.id} x` }) }), status: 400, message: /^id: must not contain whitespace$/ },
  { name: 'id with a line break inside', request: (ids) => ({ json: restMessage(ids, { id: `${ids.id}\nx` }) }), status: 400, message: /^id: must not contain whitespace$/ },
  {
    name: 'id with a control character (ESC)',
    request: (ids) => ({ json: restMessage(ids, { id: `${ids.id}\u001b[2J` }) }),
    status: 400,
    message: /^id: /,
    // The id rule only forbids whitespace: ESC (a terminal escape sequence) ends up in the workflow id and the logs.
  },
  { name: 'id over 256 characters', request: (ids) => ({ json: restMessage(ids, { id: `${ids.id}${'x'.repeat(256)}` }) }), status: 400, message: /^id: too big.*<=256 characters/i },
  // body
  { name: 'body missing', request: (ids) => ({ json: restMessage(ids, { body: undefined }) }), status: 400, message: /^body: is required$/ },
  { name: 'body an object', request: (ids) => ({ json: restMessage(ids, { body: { text: ids.marker } }) }), status: 400, message: /^body: .*expected string, received object/ },
  { name: 'body a boolean', request: (ids) => ({ json: restMessage(ids, { body: true }) }), status: 400, message: /^body: .*expected string, received boolean/ },
  { name: 'body over 4096 characters', request: (ids) => ({ json: restMessage(ids, { body: `${ids.marker}${'x'.repeat(4096)}` }) }), status: 400, message: /^body: too big.*<=4096 characters/i },
  { name: 'body with a NUL', request: (ids) => ({ json: restMessage(ids, { body: `${ids.marker}\u0000` }) }), status: 400, message: /^body: must not contain the NUL character/ },
  {
    name: 'body with a lone high surrogate',
    request: (ids) => ({ json: restMessage(ids, { body: `${ids.marker} \ud83d` }) }),
    status: 400,
    message: /^body: must not contain a lone UTF-16 surrogate/,
  },
  // the optional fields
  { name: 'senderName over 256 characters', request: (ids) => ({ json: restMessage(ids, { senderName: 'A'.repeat(257) }) }), status: 400, message: /^senderName: too big.*<=256 characters/i },
  { name: 'senderName a number', request: (ids) => ({ json: restMessage(ids, { senderName: 7 }) }), status: 400, message: /^senderName: .*expected string, received number/ },
  { name: 'senderName with a NUL', request: (ids) => ({ json: restMessage(ids, { senderName: 'An\u0000a' }) }), status: 400, message: /^senderName: must not contain the NUL character/ },
  { name: 'fromMe a string', request: (ids) => ({ json: restMessage(ids, { fromMe: 'false' }) }), status: 400, message: /^fromMe: .*expected boolean, received string/ },
  { name: 'channel not one of the channels', request: (ids) => ({ json: restMessage(ids, { channel: 'telegram' }) }), status: 400, message: /^channel: invalid option.*"whatsapp"/i },
  { name: 'channel in capitals', request: (ids) => ({ json: restMessage(ids, { channel: 'WHATSAPP' }) }), status: 400, message: /^channel: invalid option/i },
  { name: 'timestamp a string', request: (ids) => ({ json: restMessage(ids, { timestamp: '1767139200' }) }), status: 400, message: /^timestamp: .*expected number, received string/ },
  { name: 'timestamp negative', request: (ids) => ({ json: restMessage(ids, { timestamp: -1 }) }), status: 400, message: /^timestamp: too small/i },
  { name: 'timestamp with a fraction', request: (ids) => ({ json: restMessage(ids, { timestamp: 1767139200.5 }) }), status: 400, message: /^timestamp: .*expected int/i },
  {
    name: 'timestamp past the safe integers',
    request: (ids) => ({ raw: restRaw(ids).replace(/}$/, ',"timestamp":18014398509481984}') }),
    status: 400,
    message: /^timestamp: /,
  },
  {
    name: 'timestamp in milliseconds (far in the future)',
    request: (ids) => ({ json: restMessage(ids, { timestamp: Date.now() }) }),
    status: 400,
    message: /^timestamp: /,
    // The schema only asks for a non-negative integer: unix *milliseconds* (year ~58000 as seconds)
    // are accepted with a 202, a workflow is started and the chat's inbound time is recorded far in the future.
  },
  // fields that are not the schema's
  { name: 'an unknown field', request: (ids) => ({ json: { ...restMessage(ids), bodyy: 'typo' } }), status: 400, message: /^bodyy: unknown field$/ },
  { name: 'a server-owned field (workflowId)', request: (ids) => ({ json: { ...restMessage(ids), workflowId: 'msg:whatsapp:forged' } }), status: 400, message: /^workflowId: unknown field$/ },
  {
    name: 'a __proto__ key',
    request: (ids) => ({ raw: restRaw(ids).replace(/}$/, ',"__proto__":{"isAdmin":true}}') }),
    status: 400,
    message: /^__proto__: "__proto__" is not an accepted field name$/,
  },
  {
    name: 'a constructor key',
    request: (ids) => ({ raw: restRaw(ids).replace(/}$/, ',"constructor":{"prototype":{"isAdmin":true}}}') }),
    status: 400,
    message: /^constructor: "constructor" is not an accepted field name$/,
  },
  {
    name: 'a field name with a NUL',
    request: (ids) => ({ json: { ...restMessage(ids), 'body\u0000': 'x' } }),
    status: 400,
    message: /^body: a field name must not contain the NUL character/,
  },
  // the body as a whole
  { name: 'malformed JSON', request: (ids) => ({ raw: restRaw(ids).replace(/"body":/, '"body" ') }), status: 400, message: /^body: malformed JSON/ },
  { name: 'truncated JSON', request: (ids) => ({ raw: restRaw(ids).slice(0, -5) }), status: 400, message: /^body: malformed JSON/ },
  { name: 'JSON with a trailing comma', request: (ids) => ({ raw: restRaw(ids).replace(/}$/, ',}') }), status: 400, message: /^body: malformed JSON/ },
  { name: 'a JSON array', request: (ids) => ({ json: [restMessage(ids)] }), status: 400, message: /^body: .*expected object, received array/ },
  { name: 'a JSON number', request: () => ({ raw: '42' }), status: 400, message: /^body: malformed JSON/ },
  { name: 'a JSON string', request: (ids) => ({ raw: JSON.stringify(restRaw(ids)) }), status: 400, message: /^body: malformed JSON/ },
  { name: 'JSON null', request: () => ({ raw: 'null' }), status: 400, message: /^body: malformed JSON/ },
  { name: 'an empty object', request: () => ({ json: {} }), status: 400, message: /^chatId: is required; id: is required; body: is required$/ },
  { name: 'an empty body', request: () => ({ raw: '' }), status: 400, message: /^chatId: is required; id: is required; body: is required$/ },
  {
    name: 'content-type text/plain',
    request: (ids) => ({ raw: restRaw(ids), contentType: 'text/plain' }),
    status: 415,
    message: /^content-type: must be application\/json \(got text\/plain\)$/,
  },
  {
    name: 'no content-type at all',
    request: (ids) => ({ raw: Buffer.from(restRaw(ids)), contentType: null }),
    status: 415,
    message: /^content-type: must be application\/json \(got none\)$/,
  },
  {
    name: 'a charset other than UTF-8',
    request: (ids) => ({ raw: restRaw(ids), contentType: 'application/json; charset=latin1' }),
    status: 415,
    message: /^body: unsupported charset "LATIN1"$/,
  },
  {
    name: 'an unsupported content-encoding',
    request: (ids) => ({ raw: restRaw(ids), headers: { 'content-encoding': 'compress' } }),
    status: 415,
    message: /^body: unsupported content encoding "compress"$/,
  },
  {
    name: 'content-encoding gzip over bytes that are not gzip',
    request: (ids) => ({ raw: restRaw(ids), headers: { 'content-encoding': 'gzip' } }),
    status: 400,
    message: /^body: /,
  },
  {
    name: 'bytes that are not UTF-8',
    request: (ids) => ({ raw: Buffer.concat([Buffer.from(restRaw(ids).replace(/"}$/, ' caf')), Buffer.from([0xe9]), Buffer.from('"}')]) }),
    status: 400,
    message: /^body: not valid UTF-8 \(JSON must be UTF-8 encoded\)$/,
  },
  { name: 'a body over 256kb', request: (ids) => ({ json: restMessage(ids, { body: 'x'.repeat(300 * 1024) }) }), status: 413, message: /^body: larger than 256kb$/ },
  {
    name: 'a gzip body that inflates past 256kb',
    request: (ids) => ({ raw: gzipSync(JSON.stringify(restMessage(ids, { body: 'x'.repeat(400 * 1024) }))), headers: { 'content-encoding': 'gzip' } }),
    status: 413,
    message: /^body: larger than 256kb$/,
  },
  { name: 'nesting deeper than 32 levels', request: (ids) => ({ json: { ...restMessage(ids), deep: nested(40) } }), status: 400, message: /^body: nested deeper than 32 levels$/ },
];

// ------------------------------------------------------------------------------ POST /webhooks/whatsapp

const hookRows: Row[] = [
  // the signature
  { name: 'no X-Hub-Signature-256', request: (ids) => ({ raw: JSON.stringify(hookPayload(ids)) }), status: 401, message: SIGNATURE_REFUSED },
  {
    name: 'a signature that is not the HMAC',
    request: (ids) => ({ raw: JSON.stringify(hookPayload(ids)), headers: { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` } }),
    status: 401,
    message: SIGNATURE_REFUSED,
  },
  {
    name: 'the signature of another body',
    request: (ids) => ({ raw: JSON.stringify(hookPayload(ids)), headers: { 'x-hub-signature-256': signWhatsAppBody(JSON.stringify(hookPayload(freshIds()))) } }),
    status: 401,
    message: SIGNATURE_REFUSED,
  },
  {
    name: 'a signature made with another secret',
    request: (ids) => {
      const raw = JSON.stringify(hookPayload(ids));
      return { raw, headers: { 'x-hub-signature-256': signWhatsAppBody(raw, 'not-the-app-secret') } };
    },
    status: 401,
    message: SIGNATURE_REFUSED,
  },
  {
    name: 'a SHA-1 signature (X-Hub-Signature style)',
    request: (ids) => {
      const raw = JSON.stringify(hookPayload(ids));
      return { raw, headers: { 'x-hub-signature-256': `sha1=${createHmac('sha1', APP_SECRET).update(raw).digest('hex')}` } };
    },
    status: 401,
    message: SIGNATURE_REFUSED,
  },
  {
    name: 'the bare hex digest without "sha256="',
    request: (ids) => {
      const raw = JSON.stringify(hookPayload(ids));
      return { raw, headers: { 'x-hub-signature-256': signWhatsAppBody(raw).slice('sha256='.length) } };
    },
    status: 401,
    message: SIGNATURE_REFUSED,
  },
  {
    name: 'a signature of the same JSON serialized otherwise',
    request: (ids) => {
      const payload = hookPayload(ids);
      return { raw: JSON.stringify(payload, null, 2), headers: { 'x-hub-signature-256': signWhatsAppBody(JSON.stringify(payload)) } };
    },
    status: 401,
    message: SIGNATURE_REFUSED,
  },
  // the envelope
  { name: 'object is not whatsapp_business_account', request: (ids) => signedJson({ ...hookPayload(ids), object: 'page' }), status: 400, message: /^object: .*"whatsapp_business_account"/ },
  { name: 'object missing', request: (ids) => signedJson({ ...hookPayload(ids), object: undefined }), status: 400, message: /^object: / },
  {
    name: 'entry an object, not an array',
    request: (ids) => signedJson({ ...hookPayload(ids), entry: hookPayload(ids).entry[0] }),
    status: 400,
    message: /^entry: .*expected array, received object/,
  },
  { name: 'entry missing', request: (ids) => signedJson({ ...hookPayload(ids), entry: undefined }), status: 400, message: /^entry: is required$/ },
  { name: 'a JSON array', request: (ids) => signedJson([hookPayload(ids)]), status: 400, message: /^body: .*expected object, received array/ },
  // the bytes
  { name: 'JSON null', request: () => signed('null'), status: 400, message: /^body: malformed JSON/ },
  { name: 'a JSON number', request: () => signed('1'), status: 400, message: /^body: malformed JSON/ },
  { name: 'malformed JSON', request: (ids) => signed(JSON.stringify(hookPayload(ids)).replace('"entry":', '"entry" ')), status: 400, message: /^body: malformed JSON/ },
  { name: 'truncated JSON', request: (ids) => signed(JSON.stringify(hookPayload(ids)).slice(0, -3)), status: 400, message: /^body: malformed JSON/ },
  {
    name: 'bytes that are not UTF-8',
    request: (ids) => {
      const json = JSON.stringify(hookPayload(ids));
      const cut = json.indexOf(ids.marker) + ids.marker.length;
      return signed(Buffer.concat([Buffer.from(json.slice(0, cut)), Buffer.from([0xf0, 0x9f, 0x98]), Buffer.from(json.slice(cut))]));
    },
    status: 400,
    message: /^body: not valid UTF-8 \(JSON must be UTF-8 encoded\)$/,
  },
  {
    name: 'a charset other than UTF-8',
    request: (ids) => ({ ...signedJson(hookPayload(ids)), contentType: 'application/json; charset=iso-8859-1' }),
    status: 415,
    message: /^body: unsupported charset "ISO-8859-1"$/,
  },
  { name: 'an empty body', request: () => signed(''), status: 400, message: /^object: .*"whatsapp_business_account"; entry: is required$/ },
  {
    name: 'content-type text/plain',
    request: (ids) => ({ ...signedJson(hookPayload(ids)), contentType: 'text/plain' }),
    status: 415,
    message: /^content-type: must be application\/json/,
    // The webhook parsers only read application/json (and forms): any other body is left unread, so the
    // signature check finds no raw body and blames the (correct) signature instead of the content type.
  },
  {
    name: 'no content-type at all',
    request: (ids) => ({ ...signed(Buffer.from(JSON.stringify(hookPayload(ids)))), contentType: null }),
    status: 415,
    message: /^content-type: must be application\/json/,
    // As above: the correctly signed bytes are never read, and the answer blames the signature.
  },
  { name: 'a batch over 1mb', request: (ids) => signedJson({ ...hookPayload(ids), padding: 'p'.repeat(1100 * 1024) }), status: 413, message: /^body: larger than 1mb$/ },
  { name: 'nesting deeper than 32 levels', request: (ids) => signedJson({ ...hookPayload(ids), deep: nested(40) }), status: 400, message: /^body: nested deeper than 32 levels$/ },
  {
    name: 'a __proto__ key',
    request: (ids) => signed(JSON.stringify(hookPayload(ids)).replace(/}$/, ',"__proto__":{"isAdmin":true}}')),
    status: 400,
    message: /^__proto__: "__proto__" is not an accepted field name$/,
  },
  {
    name: 'a constructor key inside an entry',
    request: (ids) => signedJson({ ...hookPayload(ids), entry: [{ ...hookPayload(ids).entry[0], constructor: { prototype: { isAdmin: true } } }] }),
    status: 400,
    message: /^entry\.0\.constructor: "constructor" is not an accepted field name$/,
  },
  {
    name: 'a prototype key inside a message',
    request: (ids) => signedJson(withMessage(ids, (m) => (m.prototype = { isAdmin: true }))),
    status: 400,
    message: /^entry\.0\.changes\.0\.value\.messages\.0\.prototype: "prototype" is not an accepted field name$/,
  },
];

/**
 * Items inside a valid, signed envelope that the REST intake would refuse (inbound-message.ts). The
 * webhook's documented rule for items it cannot use is to skip them and acknowledge the batch
 * (parseWhatsAppWebhook: "items it cannot use ... are skipped, not fatal, so one odd item never makes
 * Meta redeliver the whole batch forever"): so the correct answer is a 200 that starts nothing and
 * stores no transcript line. Not counted among the 4xx classes above.
 */
interface ItemRow {
  name: string;
  payload: (ids: Ids) => Record<string, any>;
}

const hookItemRows: ItemRow[] = [
  // The REST intake refuses each of these with a 400 naming the field; the webhook acknowledges the batch and starts none of them.
  { name: 'a text body with a NUL', payload: (ids) => withMessage(ids, (m) => (m.text.body = `${ids.marker}\u0000`)) },
  { name: 'a text body with a lone surrogate', payload: (ids) => withMessage(ids, (m) => (m.text.body = `${ids.marker}\ud800`)) },
  { name: 'a text body over 4096 characters', payload: (ids) => withMessage(ids, (m) => (m.text.body = `${ids.marker}${'x'.repeat(4096)}`)) },
  // A chat id over the 128 characters of the REST rule and of conversation_messages.chat_id.
  { name: 'a `from` over 128 characters', payload: (ids) => withMessage(ids, (m) => (m.from = `${ids.from}${'1'.repeat(130)}`)) },
  { name: 'a message id with whitespace', payload: (ids) => withMessage(ids, (m) => (m.id = `${ids.id} x`)) },
  // Over the 256 characters of the REST rule and of inbound_events.message_id.
  { name: 'a message id over 256 characters', payload: (ids) => withMessage(ids, (m) => (m.id = `${ids.id}${'x'.repeat(256)}`)) },
  {
    name: 'a profile name over 256 characters',
    payload: (ids) => {
      const payload = hookPayload(ids);
      payload.entry[0].changes[0].value.contacts[0].profile.name = 'N'.repeat(300);
      return payload;
    },
  },
  { name: 'a timestamp in milliseconds', payload: (ids) => withMessage(ids, (m) => (m.timestamp = String(Date.now()))) },
];


describe('bad inputs: every class refused with a 4xx naming the field, nothing stored', () => {
  const h = useApiHarness({ name: 'api-bad-inputs', env: () => ({ WHATSAPP_APP_SECRET: APP_SECRET, WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN }) });

  async function send(path: string, request: Request): Promise<Answer> {
    const contentType = request.contentType === undefined ? 'application/json' : request.contentType;
    const headers: Record<string, string> = { ...(contentType !== null ? { 'content-type': contentType } : {}), ...request.headers };
    const body = request.raw ?? (request.json !== undefined ? JSON.stringify(request.json) : undefined);
    const res = await fetch(`${h.api.baseUrl}${path}`, { method: 'POST', headers, body, signal: AbortSignal.timeout(15_000) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text, the shape assertion below reports it
    }
    return { status: res.status, body: parsed, text };
  }

  /** Whatever the row's ids left behind: its message workflow, transcript lines, inbound events. */
  async function traces(ids: Ids) {
    const view = await fetch(`${h.api.baseUrl}/api/messages/${encodeURIComponent(messageWorkflowId('whatsapp', ids.id))}`);
    const transcript = await h.database.db.getRepository(ConversationMessage).find({
      where: [{ chatId: ids.chatId }, { workflowId: Like(`%${ids.id}%`) }, { text: Like(`%${ids.marker}%`) }],
    });
    const events = await h.database.db.getRepository(InboundEvent).find({ where: [{ messageId: ids.id }, { chatId: ids.chatId }] });
    return { workflow: view.status, transcript: transcript.length, events: events.length };
  }

  async function expectRefused(path: string, row: Row): Promise<void> {
    const ids = freshIds();
    const res = await send(path, row.request(ids));
    expect({ status: res.status, body: res.body }).toEqual({
      status: row.status,
      body: { statusCode: row.status, error: expect.any(String), message: expect.stringMatching(row.message) },
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.text).not.toMatch(/\bstack\b|\n\s+at /);
    expect(await traces(ids)).toEqual({ workflow: 404, transcript: 0, events: 0 });
  }

  it('has at least 40 classes of refused input: 25 on the REST intake, 15 on the webhook', () => {
    expect(restRows.length).toBeGreaterThanOrEqual(25);
    expect(hookRows.length).toBeGreaterThanOrEqual(15);
    expect(restRows.length + hookRows.length).toBeGreaterThanOrEqual(40);
    expect(new Set(restRows.map((r) => r.name)).size).toBe(restRows.length);
    expect(new Set(hookRows.map((r) => r.name)).size).toBe(hookRows.length);
  });

  describe('POST /api/messages', () => {

    it('accepts a valid message (202) and stores it, so the checks below can see a stored message', async () => {
      const ids = freshIds();
      const res = await send('/api/messages', { json: restMessage(ids, { timestamp: Math.floor(Date.now() / 1000) }) });
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ workflowId: messageWorkflowId('whatsapp', ids.id), duplicate: false });
      const stored = await eventually(() => traces(ids), (t) => t.transcript > 0);
      expect(stored).toMatchObject({ workflow: 200, events: 0 });
      expect(stored.transcript).toBeGreaterThan(0);
    });

    it.each(restRows)('refuses $name: $status', async (row) => {
      await expectRefused('/api/messages', row);
    });
  });

  describe('POST /webhooks/whatsapp', () => {
    it('accepts a valid signed delivery (200) and stores its message', async () => {
      const ids = freshIds();
      const res = await send('/webhooks/whatsapp', signedJson(hookPayload(ids)));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ messages: 1, started: 1, duplicates: 0, unsupported: 0, statuses: 0 });
      const stored = await eventually(() => traces(ids), (t) => t.transcript > 0);
      expect(stored).toMatchObject({ workflow: 200 });
      expect(stored.transcript).toBeGreaterThan(0);
    });

    it.each(hookRows)('refuses $name: $status', async (row) => {
      await expectRefused('/webhooks/whatsapp', row);
    });

    async function expectSkipped(row: ItemRow): Promise<void> {
      const ids = freshIds();
      const res = await send('/webhooks/whatsapp', signedJson(row.payload(ids)));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ started: 0, duplicates: 0 });
      expect(await traces(ids)).toMatchObject({ workflow: 404, transcript: 0 });
    }

    it.each(hookItemRows)('acknowledges $name and starts nothing', async (row) => {
      await expectSkipped(row);
    });

    /**
     * Not refusals, and not counted above: inside a valid envelope, items the parser cannot use
     * are skipped and the batch is acknowledged (whatsapp-cloud.ts, parseWhatsAppWebhook), so one
     * odd item never makes Meta redeliver the whole batch forever. Nothing is started for them.
     */
    it.each([
      ['a message without `from`', (ids: Ids) => withMessage(ids, (m) => delete m.from), { messages: 0, unsupported: 0 }],
      ['a message without `id`', (ids: Ids) => withMessage(ids, (m) => delete m.id), { messages: 0, unsupported: 0 }],
      ['a message with an empty `from`', (ids: Ids) => withMessage(ids, (m) => (m.from = '')), { messages: 0, unsupported: 0 }],
      ['a message that is not an object', () => webhookPayload([changeValue({ messages: ['hello' as unknown as Record<string, unknown>] })]), { messages: 0, unsupported: 0 }],
      ['an entry that is not an object', () => ({ object: 'whatsapp_business_account', entry: ['x', 42, null] }), { messages: 0, unsupported: 0 }],
    ])('acknowledges and skips %s', async (_name, payload, summary) => {
      const ids = freshIds();
      const res = await send('/webhooks/whatsapp', signedJson(payload(ids)));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ messages: summary.messages, started: 0, duplicates: 0, unsupported: summary.unsupported, statuses: 0 });
      expect(await traces(ids)).toEqual({ workflow: 404, transcript: 0, events: 0 });
    });

    it('acknowledges a message without `type` as unsupported: recorded, nothing started', async () => {
      const ids = freshIds();
      const res = await send('/webhooks/whatsapp', signedJson(withMessage(ids, (m) => delete m.type)));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ messages: 1, started: 0, duplicates: 0, unsupported: 1, statuses: 0 });
      expect(await traces(ids)).toEqual({ workflow: 404, transcript: 0, events: 1 });
    });

    it('acknowledges a status it does not know (deleted, warning, made up) and records none', async () => {
      const ids = freshIds();
      const payload = webhookPayload([
        changeValue({ statuses: [{ ...statuses.read(ids.id, ids.from), status: 'teleported' }, { ...statuses.read(wamid(), ids.from), status: 'deleted' }] }),
      ]);
      const res = await send('/webhooks/whatsapp', signedJson(payload));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ messages: 0, started: 0, duplicates: 0, unsupported: 0, statuses: 0 });
      expect(await traces(ids)).toEqual({ workflow: 404, transcript: 0, events: 0 });
    });
  });
});
