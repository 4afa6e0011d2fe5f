import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { ScriptedHttpServer, sendJson, type RecordedHttpRequest, type ScriptedError } from './scripted-http-server';

const MESSAGES_PATH = /^\/(v\d+\.\d+)\/([^/]+)\/messages$/;

/**
 * A local stand-in for Meta's Graph API, speaking the WhatsApp Cloud API's
 * `POST /{version}/{phone-number-id}/messages` as documented: bearer auth, the send
 * response `{messaging_product, contacts:[{input, wa_id}], messages:[{id}]}`, and errors
 * as `{error:{message, type:'OAuthException', code, error_subcode, fbtrace_id}}`.
 * It refuses what Meta refuses (a wrong token, a text over 4096 characters), so the
 * client's own limits are checked against the provider's.
 */
export class GraphApiServer extends ScriptedHttpServer {
  readonly accessToken: string;
  readonly phoneNumberId: string;
  private counter = 0;

  constructor(options: { accessToken?: string; phoneNumberId?: string } = {}) {
    super();
    this.accessToken = options.accessToken ?? 'EAAtest-access-token';
    this.phoneNumberId = options.phoneNumberId ?? '106540352242922';
  }

  /** The settings that send the project's WhatsApp replies here. */
  whatsappEnv(): Record<string, string> {
    return { WHATSAPP_ACCESS_TOKEN: this.accessToken, WHATSAPP_PHONE_NUMBER_ID: this.phoneNumberId, WHATSAPP_API_BASE_URL: this.url };
  }

  /** The bodies of successful-looking message sends, in order. */
  get sentMessages(): any[] {
    return this.requests.filter((r) => MESSAGES_PATH.test(r.path)).map((r) => r.body);
  }

  protected answer(request: RecordedHttpRequest, res: ServerResponse): void {
    const match = MESSAGES_PATH.exec(request.path);
    if (request.method !== 'POST' || !match) {
      this.answerError(res, 400, { code: 2500, message: `Unknown path components: ${request.path}`, type: 'OAuthException' }, {});
      return;
    }
    if (request.headers.authorization !== `Bearer ${this.accessToken}`) {
      this.answerError(res, 401, { code: 190, message: 'Invalid OAuth access token - Cannot parse access token' }, {});
      return;
    }
    if (match[2] !== this.phoneNumberId) {
      this.answerError(
        res,
        400,
        {
          code: 100,
          error_subcode: 33,
          type: 'GraphMethodException',
          message: `Unsupported post request. Object with ID '${match[2]}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
        },
        {},
      );
      return;
    }
    const body = request.body as Record<string, any> | undefined;
    const invalid = validateSend(body);
    if (invalid) {
      this.answerError(res, 400, { code: 100, message: invalid }, {});
      return;
    }
    this.counter += 1;
    const to = String(body!.to);
    const message: Record<string, string> = { id: `wamid.${Buffer.from(`${to}-${this.counter}-${randomBytes(8).toString('hex')}`).toString('base64')}` };
    if (body!.type === 'template') message.message_status = 'accepted';
    sendJson(res, 200, { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to }], messages: [message] });
  }

  protected answerError(res: ServerResponse, status: number, error: ScriptedError, headers: Record<string, string>): void {
    const payload: Record<string, unknown> = {
      message: error.message ?? `(#${error.code ?? 1}) An unknown error occurred`,
      type: error.type ?? 'OAuthException',
      code: error.code ?? (status >= 500 ? 1 : 100),
      fbtrace_id: `A${randomBytes(10).toString('base64url')}`,
    };
    if (error.error_subcode !== undefined) payload.error_subcode = error.error_subcode;
    if (error.details !== undefined) payload.error_data = { messaging_product: 'whatsapp', details: error.details };
    const auth: Record<string, string> = status === 401 ? { 'www-authenticate': 'OAuth "Facebook Platform" "invalid_token"' } : {};
    sendJson(res, status, { error: payload }, { ...auth, ...headers });
  }
}

/** Meta's checks on a send, with its wording. */
function validateSend(body: Record<string, any> | undefined): string | undefined {
  if (!body || typeof body !== 'object') return '(#100) The parameter messaging_product is required.';
  if (body.messaging_product !== 'whatsapp') return '(#100) The parameter messaging_product is required.';
  if (typeof body.to !== 'string' || body.to === '') return '(#100) The parameter to is required.';
  if (body.type === 'text') {
    const text = body.text?.body;
    if (typeof text !== 'string' || text === '') return "(#100) The parameter text['body'] is required.";
    if (text.length > 4096) return "(#100) Param text['body'] must be at most 4096 characters long.";
    return undefined;
  }
  if (body.type === 'template') {
    if (typeof body.template?.name !== 'string') return "(#100) The parameter template['name'] is required.";
    if (typeof body.template?.language?.code !== 'string') return "(#100) The parameter template['language']['code'] is required.";
    return undefined;
  }
  return `(#100) Param type must be one of {AUDIO, CONTACTS, DOCUMENT, IMAGE, INTERACTIVE, LOCATION, REACTION, STICKER, TEMPLATE, TEXT, VIDEO} - got "${String(body.type)}".`;
}

/** A Graph API stand-in started before the file's tests (call it before the rig that reads its settings) and stopped after them. */
export function useGraphApiServer(): GraphApiServer {
  const graph = new GraphApiServer();
  beforeAll(() => graph.start());
  afterAll(() => graph.stop());
  return graph;
}
