import type OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { ApplicationFailure } from '@temporalio/common';
import type { CircuitBreaker } from './circuit-breaker';
import { LLM_FAILURE_TYPES } from './failure-types';
import { mapLlmError, outputInvalid } from './llm-errors';

/** What every LLM-backed activity needs: one client, one model, one breaker per provider. */
export interface LlmDeps {
  client: OpenAI;
  model: string;
  breaker: CircuitBreaker;
  /**
   * Sampling temperature; `null` sends none. Left unset, a per-purpose default is used,
   * except for reasoning models (o-series, gpt-5), which reject any but their own.
   */
  temperature?: number | null;
}

type ChatRequest = Omit<ChatCompletionCreateParamsNonStreaming, 'model' | 'stream' | 'temperature'>;

const REASONING_MODEL = /^(o\d|gpt-5)/i;

function temperatureFor(deps: LlmDeps, fallback: number): number | undefined {
  if (deps.temperature === null) return undefined;
  if (deps.temperature !== undefined) return deps.temperature;
  return isReasoningModel(deps.model) ? undefined : fallback;
}

function isReasoningModel(model: string): boolean {
  return REASONING_MODEL.test(model.split('/').pop() ?? model);
}

/**
 * One chat completion through the breaker: the provider's answer once it is usable (a
 * choice, not refused, not cut off, not filtered). Every way it can fail comes out as an
 * `ApplicationFailure` typed for the activity retry policy.
 */
async function completion(
  deps: LlmDeps,
  request: ChatRequest,
  options: { purpose: string; defaultTemperature: number; signal?: AbortSignal },
): Promise<{ choice: ChatCompletion.Choice; usage: ChatCompletion['usage'] }> {
  const { purpose } = options;
  if (!deps.breaker.canRequest()) {
    throw ApplicationFailure.nonRetryable(`${purpose}: LLM provider circuit is open after repeated failures; not calling it`, LLM_FAILURE_TYPES.circuitOpen);
  }
  let answer: ChatCompletion;
  try {
    const temperature = temperatureFor(deps, options.defaultTemperature);
    answer = await deps.client.chat.completions.create(
      { ...request, model: deps.model, ...(temperature === undefined ? {} : { temperature }) },
      options.signal ? { signal: options.signal } : undefined,
    );
  } catch (err) {
    const mapped = mapLlmError(err, purpose);
    if (mapped.providerUnhealthy) deps.breaker.recordFailure();
    else if (mapped.providerAnswered) deps.breaker.recordSuccess();
    throw mapped.failure;
  }
  // The provider answered: whatever the content is worth, it is healthy.
  deps.breaker.recordSuccess();

  const choice = answer.choices?.[0];
  if (!choice) throw outputInvalid(purpose, 'the LLM answer has no choices');
  if (choice.message.refusal) throw outputInvalid(purpose, `the model refused: ${choice.message.refusal.slice(0, 200)}`);
  if (choice.finish_reason === 'length') throw outputInvalid(purpose, 'the LLM answer was cut off at the token limit');
  if (choice.finish_reason === 'content_filter') throw outputInvalid(purpose, 'the LLM answer was withheld by the content filter');
  return { choice, usage: answer.usage };
}

/** One chat completion through the breaker, returning the assistant's text. */
export async function completeChat(
  deps: LlmDeps,
  request: ChatRequest,
  options: { purpose: string; defaultTemperature: number; signal?: AbortSignal },
): Promise<string> {
  const { choice } = await completion(deps, request, options);
  const content = choice.message.content;
  if (typeof content !== 'string') throw outputInvalid(options.purpose, 'the LLM answer has no text content');
  return content;
}

/** What an agent's model answered: text, tool calls, or both, and the tokens it cost. */
export interface ToolingAnswer {
  content: string | null;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  usage: { promptTokens: number; completionTokens: number };
}

/**
 * One chat completion with tools, through the breaker: the assistant's message as the loop
 * needs it. Failures come out typed like `completeChat`'s; an answer cut off at the token
 * limit or with neither text nor a tool call is invalid output (the loop falls back).
 */
export async function completeWithTools(
  deps: LlmDeps,
  request: ChatRequest,
  options: { purpose: string; defaultTemperature: number; maxTokens: number; signal?: AbortSignal },
): Promise<ToolingAnswer> {
  // Reasoning models take max_completion_tokens only; most OpenAI-compatible servers know max_tokens.
  const limit = isReasoningModel(deps.model) ? { max_completion_tokens: options.maxTokens } : { max_tokens: options.maxTokens };
  const { choice, usage } = await completion(deps, { ...request, ...limit }, options);
  const toolCalls = (choice.message.tool_calls ?? [])
    .filter((c): c is Extract<typeof c, { type: 'function' }> => c.type === 'function')
    .map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments ?? '' }));
  const content = typeof choice.message.content === 'string' ? choice.message.content : null;
  if (toolCalls.length === 0 && !content?.trim()) throw outputInvalid(options.purpose, 'the LLM answered with neither text nor a tool call');
  return { content, toolCalls, usage: { promptTokens: usage?.prompt_tokens ?? 0, completionTokens: usage?.completion_tokens ?? 0 } };
}

/**
 * Neutralizes the delimiter tags inside untrusted text, so a customer cannot close the
 * data block early and have the rest read as instructions.
 */
export function fenceUntrusted(tag: string, text: string): string {
  const tags = new RegExp(`<\\s*/?\\s*${tag}\\s*>`, 'gi');
  return `<${tag}>\n${text.replace(tags, `[${tag}]`)}\n</${tag}>`;
}

/** One earlier message of the chat, as the LLM sees it. */
export interface ConversationLine {
  direction: 'in' | 'out';
  text: string;
}

/** Longest earlier message kept in a prompt; the start of a message carries its meaning. */
const MAX_CONTEXT_LINE_CHARS = 600;

/**
 * The chat so far (oldest first) and the question the business has open, fenced as data:
 * what lets a model read "yes, that one" or "the cheaper one" in context. Empty when there
 * is neither.
 */
export function conversationContext(history: ConversationLine[] | undefined, openQuestion: string | undefined): string {
  const parts: string[] = [];
  if (history && history.length > 0) {
    const lines = history.map((l) => `${l.direction === 'in' ? 'customer' : 'business'}: ${l.text.replace(/\s+/g, ' ').slice(0, MAX_CONTEXT_LINE_CHARS)}`);
    parts.push('Earlier in this conversation (oldest first):', fenceUntrusted('conversation', lines.join('\n')));
  }
  if (openQuestion) parts.push('The business asked, and waits for the answer:', fenceUntrusted('open_question', openQuestion));
  return parts.join('\n');
}
