/**
 * `ApplicationFailure` types thrown by the LLM activities: a contract between the activities
 * and the workflows' retry policies. Kept free of imports so that
 * workflow code can name them (retry policies, catch blocks) without pulling the SDK
 * into the workflow bundle.
 */
export const LLM_FAILURE_TYPES = {
  /** The provider refused the request (400/401/403/404/422): retrying cannot help. */
  requestRejected: 'LlmRequestRejected',
  /** The answer was not JSON, broke the schema, was empty, too long or a refusal. */
  outputInvalid: 'LlmOutputInvalid',
  /** The circuit breaker is open: the provider has been failing, no call was made. */
  circuitOpen: 'LlmCircuitOpen',
  /** 5xx, timeout, connection error, or 429 without a usable Retry-After: retry later. */
  unavailable: 'LlmUnavailable',
  /** 429 with Retry-After: retry after the delay the provider asked for. */
  rateLimited: 'LlmRateLimited',
  /** No provider is configured on this worker: rule mode. */
  notConfigured: 'LlmNotConfigured',
} as const;

export type LlmFailureType = (typeof LLM_FAILURE_TYPES)[keyof typeof LLM_FAILURE_TYPES];

/** Failure types for which the workflow should fall back (rules, templates) at once. */
export const LLM_NON_RETRYABLE_FAILURE_TYPES: readonly LlmFailureType[] = [
  LLM_FAILURE_TYPES.requestRejected,
  LLM_FAILURE_TYPES.outputInvalid,
  LLM_FAILURE_TYPES.circuitOpen,
  LLM_FAILURE_TYPES.notConfigured,
];
