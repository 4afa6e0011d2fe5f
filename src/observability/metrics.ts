import { Counter, Histogram, Registry } from 'prom-client';

/**
 * Prometheus series, in two registries because the API and the worker are separate
 * processes in production: each serves the series it records itself. The API serves its
 * registry at `GET /metrics`; the worker on its own port (WORKER_METRICS_PORT). In a test
 * process both exist side by side, and each is still read where it really lives.
 *
 * Counters and histograms are process-wide (one per process, like the process itself);
 * gauges that depend on a database or a Temporal client are built per API instance
 * (src/api/metrics) and merged in at scrape time.
 */
export const METRIC_PREFIX = 'switchboard_';

/** Seconds: from a local rule (a millisecond) to a slow LLM call or provider send. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

// ---------------------------------------------------------------------------------------
// API process

export const apiRegistry = new Registry();

export const httpRequestDuration = new Histogram({
  name: `${METRIC_PREFIX}http_request_duration_seconds`,
  help: 'HTTP requests served by the API, by method, route template and status code',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [apiRegistry],
});

export const messagesReceived = new Counter({
  name: `${METRIC_PREFIX}messages_received_total`,
  help: 'Inbound messages accepted (REST API and provider webhooks), by channel; duplicate="true" for a redelivery that started nothing',
  labelNames: ['channel', 'duplicate'] as const,
  registers: [apiRegistry],
});

// ---------------------------------------------------------------------------------------
// Worker process

export const workerRegistry = new Registry();

export const activityDuration = new Histogram({
  name: `${METRIC_PREFIX}activity_duration_seconds`,
  help: 'Every activity attempt run by the worker, by activity type and outcome (completed, failed, cancelled)',
  labelNames: ['activity', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [workerRegistry],
});

export const triageTotal = new Counter({
  name: `${METRIC_PREFIX}triage_total`,
  help: 'Triage results by method (rules, llm) and intent; a message the rules were unsure of and the LLM then triaged counts once under each',
  labelNames: ['method', 'intent'] as const,
  registers: [workerRegistry],
});

export const agentRuns = new Counter({
  name: `${METRIC_PREFIX}agent_runs_total`,
  help: 'Specialist agent activity attempts, by agent and outcome (completed, failed, cancelled)',
  labelNames: ['agent', 'outcome'] as const,
  registers: [workerRegistry],
});

export const agentDuration = new Histogram({
  name: `${METRIC_PREFIX}agent_duration_seconds`,
  help: 'How long one agent activity attempt took, by agent and outcome',
  labelNames: ['agent', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [workerRegistry],
});

export const llmCalls = new Counter({
  name: `${METRIC_PREFIX}llm_calls_total`,
  help: 'Calls to the LLM provider by kind (triage, reply) and outcome (ok, or the failure type)',
  labelNames: ['kind', 'outcome'] as const,
  registers: [workerRegistry],
});

export const llmLatency = new Histogram({
  name: `${METRIC_PREFIX}llm_latency_seconds`,
  help: 'Latency of calls to the LLM provider, by kind and outcome',
  labelNames: ['kind', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [workerRegistry],
});

/** LLM mode: tokens the agents' models used, per agent (`supervisor` included) and kind (prompt, completion). */
export const llmTokens = new Counter({
  name: `${METRIC_PREFIX}llm_tokens_total`,
  help: "Tokens used by the agents' model calls in LLM mode, by agent and kind (prompt, completion)",
  labelNames: ['agent', 'kind'] as const,
  registers: [workerRegistry],
});

/** LLM mode: tokens one turn's model calls used together, against the turn's budget. */
export const llmTurnTokens = new Histogram({
  name: `${METRIC_PREFIX}llm_turn_tokens`,
  help: 'Tokens (prompt + completion) all model calls of one turn used, in LLM mode',
  buckets: [500, 1000, 2000, 4000, 8000, 12000, 20000, 40000],
  registers: [workerRegistry],
});

/** LLM mode: tool calls by tool and outcome (done, invalid, failed, needs_approval, refused). */
export const toolCallsTotal = new Counter({
  name: `${METRIC_PREFIX}tool_calls_total`,
  help: "Tool calls the agents' models made in LLM mode, by tool and outcome",
  labelNames: ['tool', 'outcome'] as const,
  registers: [workerRegistry],
});

export const llmUngrounded = new Counter({
  name: `${METRIC_PREFIX}llm_ungrounded_total`,
  help: 'Texts a model wrote that claimed a booking, reference, price, date, time or order status no tool returned, by purpose (reply, follow_up); the template text was sent instead',
  labelNames: ['purpose'] as const,
  registers: [workerRegistry],
});

export const sendsTotal = new Counter({
  name: `${METRIC_PREFIX}sends_total`,
  help: 'Reply send attempts by channel and result (sent, recorded_only, already_sent, rejected, failed, awaiting_status)',
  labelNames: ['channel', 'result'] as const,
  registers: [workerRegistry],
});

export type SendResultLabel = 'sent' | 'recorded_only' | 'already_sent' | 'rejected' | 'failed' | 'awaiting_status';

/** The outcome label of a failure: its `ApplicationFailure` type when it has one, else `error`. */
export function failureLabel(err: unknown): string {
  const type = (err as { type?: unknown })?.type;
  return typeof type === 'string' && type.length > 0 && type.length <= 64 ? type : 'error';
}

/** Times `fn` into the LLM call counter and latency histogram (kind: triage, reply). */
export async function timeLlmCall<T>(kind: string, fn: () => Promise<T>): Promise<T> {
  const end = llmLatency.startTimer({ kind });
  try {
    const result = await fn();
    llmCalls.inc({ kind, outcome: 'ok' });
    end({ outcome: 'ok' });
    return result;
  } catch (err) {
    const outcome = failureLabel(err);
    llmCalls.inc({ kind, outcome });
    end({ outcome });
    throw err;
  }
}
