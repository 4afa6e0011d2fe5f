import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  /** Header names lower-cased, folded lines joined, encoded words decoded. */
  headers: Record<string, string>;
  messageId: string | undefined;
  subject: string | undefined;
  /** The body with its transfer encoding (quoted-printable, base64) undone. */
  body: string;
  raw: string;
}

/** Answer the next command at `stage` with an SMTP error instead of accepting it. */
export interface SmtpRejection {
  stage: 'mail' | 'rcpt' | 'data';
  code: number;
  message?: string;
}

/**
 * An in-process SMTP server (the `smtp-server` package) on loopback, without TLS or auth,
 * that collects what it receives and can be told to refuse the next message with a 4xx or
 * 5xx reply at MAIL FROM, RCPT TO or the end of DATA.
 */
export class SmtpTestServer {
  readonly messages: ReceivedMail[] = [];
  private readonly rejections: SmtpRejection[] = [];
  private server: SMTPServer | undefined;
  private port = 0;

  /** `smtp://127.0.0.1:<port>`; stable across stop() and start(). */
  get url(): string {
    if (this.port === 0) throw new Error('SmtpTestServer: start() it first');
    return `smtp://127.0.0.1:${this.port}`;
  }

  reject(...rejections: SmtpRejection[]): this {
    this.rejections.push(...rejections);
    return this;
  }

  reset(): void {
    this.messages.length = 0;
    this.rejections.length = 0;
  }

  async start(): Promise<this> {
    if (this.server) return this;
    const server = new SMTPServer({
      secure: false,
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      disableReverseLookup: true,
      logger: false,
      closeTimeout: 200,
      onMailFrom: (_address: SMTPServerAddress, _session: SMTPServerSession, callback: (err?: Error | null) => void) =>
        callback(this.takeRejection('mail')),
      onRcptTo: (_address: SMTPServerAddress, _session: SMTPServerSession, callback: (err?: Error | null) => void) =>
        callback(this.takeRejection('rcpt')),
      onData: (stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null) => void) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const rejection = this.takeRejection('data');
          if (!rejection) this.messages.push(parseMail(Buffer.concat(chunks).toString('utf8'), session));
          callback(rejection);
        });
      },
    });
    server.on('error', () => {
      // A client dropping its connection is reported here; the test sees its own error.
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private takeRejection(stage: SmtpRejection['stage']): Error | null {
    const index = this.rejections.findIndex((r) => r.stage === stage);
    if (index < 0) return null;
    const [rejection] = this.rejections.splice(index, 1);
    const err = new Error(rejection.message ?? (rejection.code >= 500 ? 'Requested action not taken' : 'Try again later')) as Error & {
      responseCode: number;
    };
    err.responseCode = rejection.code;
    return err;
  }
}

function parseMail(raw: string, session: SMTPServerSession): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = split < 0 ? raw : raw.slice(0, split);
  const rawBody = split < 0 ? '' : raw.slice(split + 4);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = decodeWords(line.slice(colon + 1).trim());
  }
  const encoding = headers['content-transfer-encoding']?.toLowerCase();
  const body =
    encoding === 'quoted-printable'
      ? decodeQuotedPrintable(rawBody)
      : encoding === 'base64'
        ? Buffer.from(rawBody.replace(/\s+/g, ''), 'base64').toString('utf8')
        : rawBody;
  const mailFrom = session.envelope.mailFrom;
  return {
    envelope: { from: mailFrom ? mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) },
    headers,
    messageId: headers['message-id'],
    subject: headers.subject,
    body: body.replace(/\r\n$/, ''),
    raw,
  };
}

function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  const unwrapped = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < unwrapped.length; i++) {
    const hex = unwrapped.slice(i + 1, i + 3);
    if (unwrapped[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(unwrapped[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** RFC 2047 `=?UTF-8?Q?…?=` / `=?UTF-8?B?…?=` words, as nodemailer writes non-ASCII subjects. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_all, _charset: string, kind: string, text: string) =>
      kind.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
}
