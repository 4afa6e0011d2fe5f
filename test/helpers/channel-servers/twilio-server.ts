import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { ScriptedHttpServer, sendJson, type RecordedHttpRequest, type ScriptedError } from './scripted-http-server';

const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;

/**
 * A local stand-in for Twilio's REST API, speaking `POST /2010-04-01/Accounts/{Sid}/Messages.json`
 * as documented: form-encoded parameters, HTTP basic auth with the account sid and auth
 * token, a 201 with the Message resource (`sid: 'SM…'`, `status: 'queued'`), and errors
 * as `{code, message, more_info, status}`. It refuses what Twilio refuses (bad auth, a
 * missing To or Body, a body over 1600 characters).
 */
export class TwilioServer extends ScriptedHttpServer {
  readonly accountSid: string;
  readonly authToken: string;

  constructor(options: { accountSid?: string; authToken?: string } = {}) {
    super();
    this.accountSid = options.accountSid ?? `AC${'0123456789abcdef'.repeat(2)}`;
    this.authToken = options.authToken ?? 'test-auth-token-0123456789abcdef';
  }

  /** The form parameters of every Messages.json POST, in order. */
  get sentMessages(): Record<string, string>[] {
    return this.requests.filter((r) => MESSAGES_PATH.test(r.path)).map((r) => r.body as Record<string, string>);
  }

  protected answer(request: RecordedHttpRequest, res: ServerResponse): void {
    const match = MESSAGES_PATH.exec(request.path);
    if (request.method !== 'POST' || !match) {
      this.answerError(res, 404, { code: 20404, message: `The requested resource ${request.path} was not found` }, {});
      return;
    }
    const expected = `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64')}`;
    if (request.headers.authorization !== expected || match[1] !== this.accountSid) {
      this.answerError(res, 401, { code: 20003, message: 'Authenticate' }, {});
      return;
    }
    const params = (request.body ?? {}) as Record<string, string>;
    const invalid = validateCreate(params);
    if (invalid) {
      this.answerError(res, 400, invalid, {});
      return;
    }
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const now = new Date().toUTCString().replace('GMT', '+0000');
    const base = `/2010-04-01/Accounts/${this.accountSid}/Messages/${sid}`;
    sendJson(res, 201, {
      account_sid: this.accountSid,
      api_version: '2010-04-01',
      body: params.Body ?? '',
      date_created: now,
      date_sent: null,
      date_updated: now,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: params.From,
      messaging_service_sid: null,
      num_media: '0',
      num_segments: '1',
      price: null,
      price_unit: null,
      sid,
      status: 'queued',
      subresource_uris: { media: `${base}/Media.json`, feedback: `${base}/Feedback.json` },
      to: params.To,
      uri: `${base}.json`,
    });
  }

  protected answerError(res: ServerResponse, status: number, error: ScriptedError, headers: Record<string, string>): void {
    const code = error.code ?? (status >= 500 ? 20500 : 21211);
    sendJson(
      res,
      status,
      { code, message: error.message ?? (status >= 500 ? 'Internal Server Error' : 'Bad request'), more_info: `https://www.twilio.com/docs/errors/${code}`, status },
      headers,
    );
  }
}

/** Twilio's checks on a message create, with its codes and wording. */
function validateCreate(params: Record<string, string>): ScriptedError | undefined {
  if (!params.To) return { code: 21604, message: "A 'To' phone number is required." };
  if (!params.From && !params.MessagingServiceSid) return { code: 21603, message: "A 'From' phone number is required." };
  if (!params.Body && !params.ContentSid && !params.MediaUrl) return { code: 21602, message: 'Message body is required.' };
  if (params.Body && params.Body.length > 1600) return { code: 21617, message: 'The concatenated message body exceeds the 1600 character limit.' };
  if (!/^whatsapp:\+\d{6,15}$/.test(params.To)) return { code: 21211, message: `Invalid 'To' Phone Number: ${params.To}` };
  return undefined;
}
