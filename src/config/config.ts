import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_TASK_QUEUE } from '../contracts/task-queue';
import { parseApiKeys, type ApiKey } from './api-keys';
import { parseEncryptionKeys } from './encryption-keys';
import { DEFAULT_CONFIDENCE_THRESHOLD } from '../domain/routing';
import type { AlertThresholds } from '../domain/alerts';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** An optional http(s) URL (an identity provider's issuer or key set). */
const httpUrl = optionalString.refine((v) => v === undefined || isHttpUrl(v), 'must be an http(s) URL such as https://login.example.com');

/** "24,48,72": increasing hours after a campaign starts at which its steps are due. */
const stepsHours = z
  .string()
  .transform((v) => v.split(',').map((h) => Number(h.trim())))
  .refine(
    (hours) => hours.length >= 1 && hours.length <= 10 && hours.every((h, i) => Number.isFinite(h) && h > 0 && h <= 24 * 90 && (i === 0 || h > hours[i - 1])),
    'must be increasing hours, e.g. "24,48,72"',
  );

/**
 * The worker's workflow cache. Measured by `npm run soak` (2408 messages, 602 campaigns and
 * ~250 conversations open): the worker's RSS levels off with the cache, at ~3.2 GB with ~470
 * workflows cached, ~5.9 MB each above a ~0.4 GB base (the workflow thread's heap holds more
 * than the live state `npm run bench` counts). 200 keeps a worker near 1.6 GB; the SDK's own
 * default grows with the heap limit (~2300 on a 4 GB heap). An evicted workflow is replayed
 * from its (short) history when it next wakes, so a small cache costs CPU, not correctness.
 */
export const DEFAULT_WORKER_MAX_CACHED_WORKFLOWS = 200;

/** Environment variables (README, "Configuration"), validated once at start. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  /** Express's `trust proxy`: hop count or address list; unset trusts no proxy. */
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : /^\d+$/.test(v.trim()) ? Number(v.trim()) : v.trim())),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().default('data'),
  TEMPORAL_ADDRESS: z.string().min(1).default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default(DEFAULT_TASK_QUEUE),
  TEMPORAL_CLI_PATH: optionalString,
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_TLS: z.enum(['true', 'false']).optional(),
  TEMPORAL_TLS_CERT_PATH: optionalString,
  TEMPORAL_TLS_KEY_PATH: optionalString,
  TEMPORAL_TLS_CA_PATH: optionalString,
  TEMPORAL_TLS_SERVER_NAME: optionalString,
  DATABASE_URL: optionalString,
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalString,
  OPENAI_MODEL: z.string().default('gpt-4o-mini'),
  TRIAGE_CONFIDENCE_THRESHOLD: z.coerce.number().min(0).max(1).default(DEFAULT_CONFIDENCE_THRESHOLD),
  BUSINESS_TIMEZONE: z
    .string()
    .default('UTC')
    .refine((tz) => isTimeZone(tz), 'must be an IANA time zone such as Asia/Hong_Kong'),
  HANDOFF_TIMEOUT_SECONDS: z.coerce.number().int().min(60).max(30 * 24 * 3600).default(24 * 3600),
  CLARIFICATION_WINDOW_SECONDS: z.coerce.number().int().min(0).max(30 * 24 * 3600).default(24 * 3600),
  LLM_TIMEOUT_MS: z.coerce.number().int().min(1000).max(120_000).default(20_000),
  LLM_AGENT_MAX_STEPS: z.coerce.number().int().min(1).max(20).default(6),
  LLM_TURN_TOKEN_BUDGET: z.coerce.number().int().min(500).max(200_000).default(12_000),
  LLM_APPROVAL_REFUND_ABOVE: z.coerce.number().int().min(0).default(10_000),
  WHATSAPP_APP_SECRET: optionalString,
  WHATSAPP_VERIFY_TOKEN: optionalString,
  WHATSAPP_ACCESS_TOKEN: optionalString,
  WHATSAPP_PHONE_NUMBER_ID: optionalString,
  WHATSAPP_API_BASE_URL: z.string().url().default('https://graph.facebook.com'),
  WHATSAPP_API_VERSION: z.string().regex(/^v\d+\.\d+$/, 'must look like v21.0').default('v21.0'),
  WHATSAPP_TEMPLATE_NAME: z.string().min(1).default('switchboard_follow_up'),
  WHATSAPP_TEMPLATE_LANGUAGE: z.string().min(2).default('en'),
  TWILIO_ACCOUNT_SID: optionalString,
  TWILIO_AUTH_TOKEN: optionalString,
  TWILIO_WHATSAPP_FROM: optionalString,
  TWILIO_API_BASE_URL: optionalString,
  TWILIO_TEMPLATE_CONTENT_SID: optionalString,
  PUBLIC_BASE_URL: optionalString,
  SMTP_URL: optionalString,
  MAIL_FROM: z.string().default('Switchboard <no-reply@localhost>'),
  OUTBOUND_WEBHOOK_URL: optionalString,
  OUTBOUND_WEBHOOK_SECRET: optionalString,
  SEND_CONFIRM_WINDOW_SECONDS: z.coerce.number().int().min(0).max(3600).default(120),
  FOLLOW_UP_STEPS_HOURS: stepsHours.default([24, 48, 72]),
  FOLLOW_UP_STEPS_HOURS_QUOTE: stepsHours.optional(),
  FOLLOW_UP_STEPS_HOURS_BOOKING_UNCONFIRMED: stepsHours.optional(),
  FOLLOW_UP_STEPS_HOURS_CART: stepsHours.optional(),
  FOLLOW_UP_STEPS_HOURS_CAMPAIGN: stepsHours.optional(),
  FOLLOW_UP_QUIET_HOURS: z
    .string()
    .default('21:00-09:00')
    .refine((v) => v === 'off' || /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/.test(v), 'must look like "21:00-09:00" or be "off"'),
  FOLLOW_UP_DAILY_CAP: z.coerce.number().int().min(1).max(20).default(2),
  /** Follow-up stats: a customer reply this long after a step (and before the next) counts as answering it. */
  FOLLOW_UP_REPLY_WINDOW_HOURS: z.coerce.number().int().min(1).max(720).default(72),
  API_KEYS: optionalString,
  PAYLOAD_ENCRYPTION_KEYS: optionalString,
  CODEC_CORS_ORIGINS: z.string().default('http://localhost:8233,http://127.0.0.1:8233'),
  CODEC_OIDC_ISSUER: httpUrl,
  CODEC_OIDC_JWKS_URL: httpUrl,
  CODEC_OIDC_AUDIENCE: optionalString,
  CODEC_OIDC_ALLOWED: optionalString,
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  RATE_LIMIT_CHAT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
  RATE_LIMIT_WEBHOOK_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(6000),
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  TEMPORAL_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9465),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalString,
  OTEL_SERVICE_NAME: z.string().min(1).default('switchboard'),
  WORKFLOW_HTTP_ALLOWED_HOSTS: z.string().default(''),
  WORKFLOW_SYNC_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(300).default(30),
  TASK_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  CONVERSATION_CONTEXT_TURNS: z.coerce.number().int().min(0).max(50).default(8),
  CONVERSATION_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  CONVERSATION_QUESTION_TTL_SECONDS: z.coerce.number().int().min(60).max(30 * 24 * 3600).default(24 * 3600),
  CONVERSATION_IDLE_SECONDS: z.coerce.number().int().min(10).max(30 * 24 * 3600).default(60),
  HANDOFF_QUIET_SECONDS: z.coerce.number().int().min(10).max(30 * 24 * 3600).default(30 * 60),
  /**
   * Workflows the worker keeps in memory between tasks (open conversations, waiting campaigns);
   * beyond it the least recently used is evicted and replayed from history when it next runs.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(10).max(100_000).default(DEFAULT_WORKER_MAX_CACHED_WORKFLOWS),
  /** The live feed (`GET /api/events`): how long events are kept for clients resuming with Last-Event-ID. */
  EVENTS_RETENTION_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(30),
  /** How often the API reads new events while a client follows the feed. */
  EVENTS_POLL_MS: z.coerce.number().int().min(20).max(60_000).default(250),
  TASK_CLEANUP_CRON: z
    .string()
    .default('0 3 * * *')
    .refine((c) => c.trim().split(/\s+/).length === 5, 'must be a 5-field cron expression such as "0 3 * * *"'),
  /** Alerts (docs/alerts.md): how often they are evaluated, and the thresholds of their rules. */
  ALERTS_EVERY_SECONDS: z.coerce.number().int().min(1).max(24 * 3600).default(60),
  HANDOFF_RESPONSE_SECONDS: z.coerce.number().int().min(1).max(30 * 24 * 3600).default(900),
  ALERT_WINDOW_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(15),
  ALERT_FAILURE_RATE: z.coerce.number().gt(0).max(1).default(0.25),
  ALERT_MIN_SAMPLES: z.coerce.number().int().min(1).max(1_000_000).default(5),
  ALERT_TASK_STUCK_MINUTES: z.coerce.number().int().min(1).max(30 * 24 * 60).default(30),
  ALERT_FOLLOW_UP_FAILURES: z.coerce.number().int().min(1).max(1_000_000).default(3),
  /** The Temporal Web UI people open from the console's workflow links. */
  TEMPORAL_UI_URL: z
    .string()
    .trim()
    .default('http://localhost:8233')
    .refine((v) => isHttpUrl(v), 'must be an http(s) URL such as http://localhost:8233')
    .transform((v) => v.replace(/\/+$/, '')),
  /** Where the built console is (console/dist of the repository when unset). */
  CONSOLE_DIST_DIR: optionalString,
});

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export type Env = z.infer<typeof envSchema>;

export interface AppConfig {
  env: Env['NODE_ENV'];
  port: number;
  host: string;
  /** Proxies in front of the API whose X-Forwarded-For is believed (rate limits per client address). */
  trustProxy?: number | string;
  logLevel: Env['LOG_LEVEL'];
  dataDir: string;
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    cliPath?: string;
    /** Temporal Cloud API key (sent as a bearer token; implies TLS). */
    apiKey?: string;
    /** TLS to the frontend: off for a local dev server, on for Cloud (mTLS with cert and key). */
    tls?: { certPath?: string; keyPath?: string; caPath?: string; serverName?: string };
  };
  databaseUrl?: string;
  openai: { apiKey?: string; baseUrl?: string; model: string; timeoutMs: number };
  /**
   * LLM mode's agents: model calls per agent and tokens per turn before the rule agent
   * answers instead, and the refund (minor units) above which a person approves first.
   */
  agentLoop: { maxSteps: number; tokenBudget: number; refundApprovalAboveCents: number };
  triage: { confidenceThreshold: number };
  business: { timezone: string; handoffTimeoutSeconds: number; clarificationWindowSeconds: number };
  tasks: { retentionDays: number; cleanupCron: string };
  worker: {
    /** Workflows kept in the worker's memory between tasks (Temporal's `maxCachedWorkflows`). */
    maxCachedWorkflows: number;
  };
  conversations: {
    /** Earlier messages of the chat the LLM sees when it triages or words a reply. */
    contextTurns: number;
    /** Transcripts older than this are removed by the nightly clean-up. */
    retentionDays: number;
    /** How long an agent's question waits for its answer before the next message is triaged alone. */
    questionTtlSeconds: number;
    /** An idle conversation workflow with nothing open closes after this long. */
    idleSeconds: number;
    /** A chat a person answered goes back to the agents after this long without a message either way. */
    handoffQuietSeconds: number;
  };
  channels: ChannelsConfig;
  /** Parsed `API_KEYS`; empty means the API is open (refused in production). */
  apiKeys: ApiKey[];
  /** Raw `PAYLOAD_ENCRYPTION_KEYS` (`keyId:base64`, first encrypts); unset: payloads are stored in the clear. */
  payloadEncryptionKeys?: string;
  /** Origins (the Temporal Web UI) allowed to call `/codec` from a browser. */
  codecCorsOrigins: string[];
  /** The Web UI's identity provider, whose access tokens `/codec` accepts besides API keys; unset: keys only. */
  codecOidc?: CodecOidcConfig;
  rateLimits: { perKeyPerMinute: number; perChatPerMinute: number; webhookPerMinute: number };
  observability: {
    /** Port of the worker's own `/metrics` (0: off). */
    workerMetricsPort: number;
    /** Port of the Temporal SDK runtime's Prometheus exporter in the worker (0: off). */
    temporalMetricsPort: number;
    otlpEndpoint?: string;
    serviceName: string;
  };
  definitions: {
    /** Hosts `http` steps and the research agent may call (exact names or `*.example.com`). */
    httpAllowedHosts: string[];
    /** How long `execute` with `async_execution: false` waits before answering 202 instead. */
    syncTimeoutSeconds: number;
  };
  /** The live feed (`GET /api/events`): retention for resuming clients, and the poll interval while any follows it. */
  events: { retentionMinutes: number; pollMs: number };
  /** The operator console at /console. */
  console: {
    /** Base URL of the Temporal Web UI, without a trailing slash. */
    temporalUiUrl: string;
    /** The console's build output; unset: console/dist of the repository. */
    distDir?: string;
  };
  followUps: {
    stepsHours: number[];
    /** Per-purpose steps (FOLLOW_UP_STEPS_HOURS_<PURPOSE>), overriding `stepsHours`. */
    stepsByPurpose: Partial<Record<'quote' | 'booking_unconfirmed' | 'cart' | 'campaign', number[]>>;
    quietHours?: { start: string; end: string };
    dailyCap: number;
    /** Follow-up stats: how long after a step a customer's message still counts as its answer (the next step closes it sooner). */
    replyWindowHours: number;
  };
  /** Alerts: evaluated every `everySeconds` on a Temporal Schedule, with these thresholds (docs/alerts.md). */
  alerts: AlertThresholds & { everySeconds: number };
}

/** One `CODEC_OIDC_ALLOWED` alternative: a claim (dotted path for nested ones) and a value, `*` matching any run of characters. */
export interface ClaimCondition {
  claim: string;
  pattern: string;
}

export interface CodecOidcConfig {
  /** Compared exactly with the token's `iss`. */
  issuer: string;
  /** Unset: the `jwks_uri` of `<issuer>/.well-known/openid-configuration`. */
  jwksUrl?: string;
  /** Checked against the token's `aud` when set. */
  audience?: string;
  /** Any one must hold; empty: every valid token from the issuer is allowed. */
  allowed: ClaimCondition[];
}

export interface ChannelsConfig {
  whatsapp: {
    appSecret?: string;
    verifyToken?: string;
    accessToken?: string;
    phoneNumberId?: string;
    apiBaseUrl: string;
    apiVersion: string;
    templateName: string;
    templateLanguage: string;
  };
  twilio: { accountSid?: string; authToken?: string; whatsappFrom?: string; apiBaseUrl?: string; templateContentSid?: string };
  /** The public URL providers call us at; Twilio signs the full URL, so it must match. */
  publicBaseUrl?: string;
  smtp: { url?: string; from: string };
  outboundWebhook: { url?: string; secret?: string };
  /** How long a send whose answer was lost waits for the provider's status before it is sent again. */
  sendConfirmWindowSeconds: number;
}

/** True when an LLM provider is configured (a key, or a compatible server's base URL). */
export function llmEnabled(config: AppConfig): boolean {
  return Boolean(config.openai.apiKey || config.openai.baseUrl);
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads the optional JSON file (`SWITCHBOARD_CONFIG`, or `switchboard.config.json` in the
 * working directory) and overlays the environment on it: env wins, so a deployment can
 * override any file value without editing it.
 */
function readConfigFile(env: NodeJS.ProcessEnv): Record<string, string> {
  const file = env.SWITCHBOARD_CONFIG ?? path.resolve('switchboard.config.json');
  if (!existsSync(file)) {
    if (env.SWITCHBOARD_CONFIG) throw new ConfigError(`SWITCHBOARD_CONFIG: no file at ${file}`);
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`${file}: must hold an object of VARIABLE: value pairs`);
  }
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const merged = { ...readConfigFile(env), ...definedOnly(env) };
  const result = envSchema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const e = result.data;
  let apiKeys: ApiKey[];
  try {
    apiKeys = parseApiKeys(e.API_KEYS);
  } catch (err) {
    throw new ConfigError(`invalid configuration: ${(err as Error).message}`);
  }
  try {
    // Parsed again where the codec is built; here so a bad key stops every process at start.
    parseEncryptionKeys(e.PAYLOAD_ENCRYPTION_KEYS);
  } catch (err) {
    throw new ConfigError(`invalid configuration: ${(err as Error).message}`);
  }
  if (apiKeys.length === 0 && e.NODE_ENV === 'production') {
    throw new ConfigError('invalid configuration: API_KEYS must be set when NODE_ENV=production (the API would be open to anyone)');
  }
  return {
    apiKeys,
    payloadEncryptionKeys: e.PAYLOAD_ENCRYPTION_KEYS,
    codecCorsOrigins: csv(e.CODEC_CORS_ORIGINS),
    codecOidc: codecOidc(e),
    rateLimits: {
      perKeyPerMinute: e.RATE_LIMIT_PER_MINUTE,
      perChatPerMinute: e.RATE_LIMIT_CHAT_PER_MINUTE,
      webhookPerMinute: e.RATE_LIMIT_WEBHOOK_PER_MINUTE,
    },
    observability: {
      workerMetricsPort: e.WORKER_METRICS_PORT,
      temporalMetricsPort: e.TEMPORAL_METRICS_PORT,
      otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
      serviceName: e.OTEL_SERVICE_NAME,
    },
    definitions: {
      httpAllowedHosts: csv(e.WORKFLOW_HTTP_ALLOWED_HOSTS).map((h) => h.toLowerCase()),
      syncTimeoutSeconds: e.WORKFLOW_SYNC_TIMEOUT_SECONDS,
    },
    console: { temporalUiUrl: e.TEMPORAL_UI_URL, distDir: e.CONSOLE_DIST_DIR },
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    dataDir: e.DATA_DIR,
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      cliPath: e.TEMPORAL_CLI_PATH,
      apiKey: e.TEMPORAL_API_KEY,
      tls: temporalTls(e),
    },
    databaseUrl: e.DATABASE_URL,
    openai: { apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL, model: e.OPENAI_MODEL, timeoutMs: e.LLM_TIMEOUT_MS },
    agentLoop: { maxSteps: e.LLM_AGENT_MAX_STEPS, tokenBudget: e.LLM_TURN_TOKEN_BUDGET, refundApprovalAboveCents: e.LLM_APPROVAL_REFUND_ABOVE },
    triage: { confidenceThreshold: e.TRIAGE_CONFIDENCE_THRESHOLD },
    business: {
      timezone: e.BUSINESS_TIMEZONE,
      handoffTimeoutSeconds: e.HANDOFF_TIMEOUT_SECONDS,
      clarificationWindowSeconds: e.CLARIFICATION_WINDOW_SECONDS,
    },
    tasks: { retentionDays: e.TASK_RETENTION_DAYS, cleanupCron: e.TASK_CLEANUP_CRON },
    worker: { maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS },
    conversations: {
      contextTurns: e.CONVERSATION_CONTEXT_TURNS,
      retentionDays: e.CONVERSATION_RETENTION_DAYS,
      questionTtlSeconds: e.CONVERSATION_QUESTION_TTL_SECONDS,
      idleSeconds: e.CONVERSATION_IDLE_SECONDS,
      handoffQuietSeconds: e.HANDOFF_QUIET_SECONDS,
    },
    events: { retentionMinutes: e.EVENTS_RETENTION_MINUTES, pollMs: e.EVENTS_POLL_MS },
    followUps: {
      stepsHours: e.FOLLOW_UP_STEPS_HOURS,
      stepsByPurpose: Object.fromEntries(
        (
          [
            ['quote', e.FOLLOW_UP_STEPS_HOURS_QUOTE],
            ['booking_unconfirmed', e.FOLLOW_UP_STEPS_HOURS_BOOKING_UNCONFIRMED],
            ['cart', e.FOLLOW_UP_STEPS_HOURS_CART],
            ['campaign', e.FOLLOW_UP_STEPS_HOURS_CAMPAIGN],
          ] as const
        ).filter(([, steps]) => steps !== undefined),
      ),
      quietHours: e.FOLLOW_UP_QUIET_HOURS === 'off' ? undefined : { start: e.FOLLOW_UP_QUIET_HOURS.slice(0, 5), end: e.FOLLOW_UP_QUIET_HOURS.slice(6) },
      dailyCap: e.FOLLOW_UP_DAILY_CAP,
      replyWindowHours: e.FOLLOW_UP_REPLY_WINDOW_HOURS,
    },
    alerts: {
      everySeconds: e.ALERTS_EVERY_SECONDS,
      handoffResponseSeconds: e.HANDOFF_RESPONSE_SECONDS,
      windowMinutes: e.ALERT_WINDOW_MINUTES,
      failureRate: e.ALERT_FAILURE_RATE,
      minSamples: e.ALERT_MIN_SAMPLES,
      taskStuckMinutes: e.ALERT_TASK_STUCK_MINUTES,
      followUpFailures: e.ALERT_FOLLOW_UP_FAILURES,
    },
    channels: {
      whatsapp: {
        appSecret: e.WHATSAPP_APP_SECRET,
        verifyToken: e.WHATSAPP_VERIFY_TOKEN,
        accessToken: e.WHATSAPP_ACCESS_TOKEN,
        phoneNumberId: e.WHATSAPP_PHONE_NUMBER_ID,
        apiBaseUrl: e.WHATSAPP_API_BASE_URL,
        apiVersion: e.WHATSAPP_API_VERSION,
        templateName: e.WHATSAPP_TEMPLATE_NAME,
        templateLanguage: e.WHATSAPP_TEMPLATE_LANGUAGE,
      },
      twilio: {
        accountSid: e.TWILIO_ACCOUNT_SID,
        authToken: e.TWILIO_AUTH_TOKEN,
        whatsappFrom: e.TWILIO_WHATSAPP_FROM,
        apiBaseUrl: e.TWILIO_API_BASE_URL,
        templateContentSid: e.TWILIO_TEMPLATE_CONTENT_SID,
      },
      publicBaseUrl: e.PUBLIC_BASE_URL,
      smtp: { url: e.SMTP_URL, from: e.MAIL_FROM },
      outboundWebhook: { url: e.OUTBOUND_WEBHOOK_URL, secret: e.OUTBOUND_WEBHOOK_SECRET },
      sendConfirmWindowSeconds: e.SEND_CONFIRM_WINDOW_SECONDS,
    },
  };
}

function temporalTls(e: Env): AppConfig['temporal']['tls'] {
  if ((e.TEMPORAL_TLS_CERT_PATH === undefined) !== (e.TEMPORAL_TLS_KEY_PATH === undefined)) {
    throw new ConfigError('invalid configuration: TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together (mTLS needs both)');
  }
  for (const [name, file] of [
    ['TEMPORAL_TLS_CERT_PATH', e.TEMPORAL_TLS_CERT_PATH],
    ['TEMPORAL_TLS_KEY_PATH', e.TEMPORAL_TLS_KEY_PATH],
    ['TEMPORAL_TLS_CA_PATH', e.TEMPORAL_TLS_CA_PATH],
  ] as const) {
    if (file !== undefined && !existsSync(file)) throw new ConfigError(`invalid configuration: ${name}: no file at ${file}`);
  }
  const wanted = e.TEMPORAL_TLS === 'true' || (e.TEMPORAL_TLS !== 'false' && (e.TEMPORAL_API_KEY !== undefined || e.TEMPORAL_TLS_CERT_PATH !== undefined));
  if (!wanted) return undefined;
  return { certPath: e.TEMPORAL_TLS_CERT_PATH, keyPath: e.TEMPORAL_TLS_KEY_PATH, caPath: e.TEMPORAL_TLS_CA_PATH, serverName: e.TEMPORAL_TLS_SERVER_NAME };
}

function codecOidc(e: Env): CodecOidcConfig | undefined {
  if (e.CODEC_OIDC_ISSUER === undefined) {
    const orphan = (['CODEC_OIDC_JWKS_URL', 'CODEC_OIDC_AUDIENCE', 'CODEC_OIDC_ALLOWED'] as const).find((name) => e[name] !== undefined);
    if (orphan) throw new ConfigError(`invalid configuration: ${orphan} needs CODEC_OIDC_ISSUER (the identity provider whose tokens /codec accepts)`);
    return undefined;
  }
  return { issuer: e.CODEC_OIDC_ISSUER, jwksUrl: e.CODEC_OIDC_JWKS_URL, audience: e.CODEC_OIDC_AUDIENCE, allowed: parseClaimConditions(e.CODEC_OIDC_ALLOWED) };
}

/** `CODEC_OIDC_ALLOWED`: comma-separated `claim=value` alternatives, naming the entry that is wrong. */
export function parseClaimConditions(value: string | undefined): ClaimCondition[] {
  if (value === undefined) return [];
  return value.split(',').map((entry, i) => {
    const match = /^\s*([A-Za-z0-9_:/.-]+)\s*=\s*(\S(?:.*\S)?)\s*$/.exec(entry);
    if (!match || match[1].startsWith('.') || match[1].endsWith('.')) {
      throw new ConfigError(
        `invalid configuration: CODEC_OIDC_ALLOWED entry ${i + 1}: must be claim=value (e.g. groups=temporal-decoders or email=*@example.com), got "${entry.trim()}"`,
      );
    }
    return { claim: match[1], pattern: match[2] };
  });
}

function csv(value: string): string[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
