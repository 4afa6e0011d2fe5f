import OpenAI from 'openai';

export const DEFAULT_LLM_TIMEOUT_MS = 20_000;

/**
 * Local OpenAI-compatible servers (Ollama, vLLM, LM Studio) ignore the key, but the SDK
 * refuses to build a client without one.
 */
export const PLACEHOLDER_API_KEY = 'not-needed';

export interface OpenAiClientConfig {
  apiKey?: string;
  baseUrl?: string;
  model: string;
  timeoutMs?: number;
}

/**
 * Builds the OpenAI client the LLM activities share, or `undefined` when no provider is
 * configured: that is rule mode, and nothing may touch the network.
 *
 * `maxRetries` is 0 because the activity retry policy owns retries: SDK retries inside an
 * attempt would multiply the attempts, hide failures from the circuit breaker and outlast
 * the activity's start-to-close timeout.
 */
export function createOpenAiClient(config: OpenAiClientConfig): OpenAI | undefined {
  const apiKey = config.apiKey?.trim() || undefined;
  const baseUrl = config.baseUrl?.trim() || undefined;
  if (!apiKey && !baseUrl) return undefined;
  return new OpenAI({
    apiKey: apiKey ?? PLACEHOLDER_API_KEY,
    // null, not undefined: undefined makes the SDK fall back to OPENAI_BASE_URL, and the
    // typed config has already decided where requests go.
    baseURL: baseUrl ?? null,
    maxRetries: 0,
    timeout: config.timeoutMs ?? DEFAULT_LLM_TIMEOUT_MS,
  });
}
