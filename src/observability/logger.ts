import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import pino, { type Logger } from 'pino';

/**
 * Fields that may carry customer data. They are replaced in every log line, so logs can
 * be shipped to shared tooling without leaking message text or phone numbers: free text is
 * replaced outright, contact fields (phone numbers, chat ids, e-mail addresses) are masked
 * down to what still tells two customers apart (`*******2717@c.us`, `a***@example.com`).
 */
export const TEXT_FIELDS = ['body', 'text', 'reply', 'answer', 'customerText', 'draft', 'senderName', 'caption'];
export const CONTACT_FIELDS = ['from', 'to', 'phone', 'chatId', 'wa_id', 'recipient'];

export const REDACTED_PATHS = [
  ...TEXT_FIELDS,
  ...TEXT_FIELDS.map((f) => `*.${f}`),
  ...CONTACT_FIELDS,
  ...CONTACT_FIELDS.map((f) => `*.${f}`),
  'input.body',
  'input.text',
  // An activity's task token completes the activity for whoever holds it.
  'taskToken',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
];

const CONTACT = new Set(CONTACT_FIELDS);
const WHATSAPP_ID = /(\+?)(\d{5,15})(@(?:c\.us|s\.whatsapp\.net))?/g;
const EMAIL = /^([^@\s])[^@\s]*@([^@\s]+\.[^@\s]+)$/;

/** `85260552717@c.us` → `*******2717@c.us`; `ana@example.com` → `a***@example.com`. */
export function maskContact(value: unknown): string {
  if (typeof value !== 'string') return '[redacted]';
  const email = EMAIL.exec(value);
  if (email && !/@(c\.us|s\.whatsapp\.net)$/.test(value)) return `${email[1]}***@${email[2]}`;
  return value.replace(/\d(?=\d{4})/g, '*');
}

/** Phone numbers written into a message string (`+85260552717`, `85260552717@c.us`). */
export function scrubPhoneNumbers(message: string): string {
  return message.replace(WHATSAPP_ID, (match, plus: string, digits: string, suffix?: string) =>
    plus || suffix ? `${plus}${digits.replace(/\d(?=\d{4})/g, '*')}${suffix ?? ''}` : match,
  );
}

function censor(value: unknown, path: string[]): unknown {
  return CONTACT.has(path[path.length - 1] ?? '') ? maskContact(value) : '[redacted]';
}

export function createLogger(level: string, name: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    redact: { paths: REDACTED_PATHS, censor },
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    hooks: {
      logMethod(args, method) {
        // The message string itself: `log.info(obj, msg)` or `log.info(msg)`.
        const i = typeof args[0] === 'string' ? 0 : 1;
        if (typeof args[i] === 'string') (args as unknown[])[i] = scrubPhoneNumbers(args[i] as string);
        return method.apply(this, args);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * The SDK's metadata as pino fields. Workflow lines carry `workflowId`, `runId` and
 * `workflowType`; activity lines `workflowId`, `workflowRunId`, `activityType` and
 * `activityId`: the activity's run id is also written as `runId`, so one query finds
 * every line of a run. Trace ids (`trace_id`, `span_id`) come from the OpenTelemetry
 * interceptors when a span is active.
 */
export function correlationFields(meta: LogMetadata | undefined): Record<string, unknown> {
  if (!meta) return {};
  const fields: Record<string, unknown> = { ...meta };
  if (fields.runId === undefined && typeof fields.workflowRunId === 'string') fields.runId = fields.workflowRunId;
  return fields;
}

/**
 * Routes the Temporal SDK's logs (worker, workflow and activity loggers, which attach
 * workflowId, runId and activity names as metadata) into pino as structured JSON.
 */
export class PinoTemporalLogger implements TemporalLogger {
  constructor(private readonly logger: Logger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    this.logger[LEVELS[level] ?? 'info'](correlationFields(meta), message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}
