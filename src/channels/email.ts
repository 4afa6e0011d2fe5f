import { createHash } from 'node:crypto';
import { createTransport } from 'nodemailer';
import { ChannelSendError, type SendResult } from './types';

export interface EmailSenderOptions {
  /** `smtp://user:pass@host:587`, `smtps://…:465`; nodemailer's connection URL. */
  smtpUrl: string;
  /** `Switchboard <support@example.com>` or a bare address. */
  from: string;
  /** Connection, greeting and socket timeouts; defaults to 30 s. */
  timeoutMs?: number;
}

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  /** The same key always gives the same Message-ID, so a resend can be recognized as one. */
  idempotencyKey: string;
  /** The Message-ID being answered, to keep the reply in the customer's thread. */
  inReplyTo?: string;
}

/**
 * `<sb.<32 hex>@<sender's domain>>`: derived only from the idempotency key, so an activity
 * retried after a crash sends the same Message-ID and a receiving server or mailbox can
 * drop the duplicate. The sender's domain keeps it globally unique per RFC 5322.
 */
export function messageIdFor(idempotencyKey: string, from: string): string {
  const hash = createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 32);
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'switchboard.invalid';
  return `<sb.${hash}@${domain.toLowerCase()}>`;
}

/** Nodemailer's connection-level failure codes: the server was never (or no longer) listening. */
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET']);

interface NodemailerError {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
  permanent?: unknown;
  message?: unknown;
}

/** Sends email over SMTP with nodemailer; one connection per message, no pooling to keep state. */
export class EmailSender {
  private readonly transport: ReturnType<typeof createTransport>;
  private readonly from: string;

  constructor(options: EmailSenderOptions) {
    if (!options.smtpUrl) throw new Error('EmailSender: smtpUrl is required');
    if (!options.from) throw new Error('EmailSender: from is required');
    const timeout = options.timeoutMs ?? 30_000;
    this.transport = createTransport({
      url: options.smtpUrl,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
    this.from = options.from;
  }

  async send(message: EmailMessage): Promise<SendResult> {
    const messageId = messageIdFor(message.idempotencyKey, this.from);
    try {
      await this.transport.sendMail({
        from: this.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        messageId,
        ...(message.inReplyTo ? { inReplyTo: message.inReplyTo, references: message.inReplyTo } : {}),
      });
    } catch (err) {
      throw smtpError(err);
    }
    return { providerMessageIds: [messageId] };
  }

  close(): void {
    this.transport.close();
  }
}

/**
 * RFC 5321: a 4yz reply is transient (greylisting, mailbox busy, rate limit), a 5yz reply
 * permanent, except 503 (bad sequence) which a fresh session can get past. Without a
 * reply code, a connection failure is transient and anything else (bad address syntax,
 * authentication, TLS) is configuration that a retry will not fix.
 */
function smtpError(err: unknown): ChannelSendError {
  const e: NodemailerError = typeof err === 'object' && err !== null ? (err as NodemailerError) : {};
  const code = typeof e.code === 'string' ? e.code : undefined;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const detail = typeof e.response === 'string' ? e.response : typeof e.message === 'string' ? e.message : String(err);
  let retryable: boolean;
  if (responseCode !== undefined) retryable = !(responseCode >= 500 && responseCode < 600 && responseCode !== 503);
  else retryable = code !== undefined && TRANSIENT_CODES.has(code);
  const where = typeof e.command === 'string' ? ` at ${e.command}` : '';
  return new ChannelSendError(`SMTP ${responseCode ?? code ?? 'error'}${where}: ${detail}`, {
    retryable,
    ...(responseCode !== undefined ? { status: responseCode } : {}),
    ...(code !== undefined ? { providerCode: code } : {}),
    cause: err,
  });
}
