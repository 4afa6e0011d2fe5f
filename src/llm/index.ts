/**
 * @module llm
 * The LLM provider layer: an OpenAI (or OpenAI-compatible) client built from config, a
 * circuit breaker per provider, triage by structured output and reply rewriting. Every
 * failure leaves as an `ApplicationFailure` typed for the activity retry policy (see
 * `failure-types`). Activities only: workflow code may import `./failure-types` alone.
 */
export * from './chat-completion';
export * from './circuit-breaker';
export * from './failure-types';
export * from './llm-errors';
export * from './llm-triage';
export * from './openai-client';
export * from './reply-writer';
export * from './triage-schema';
export * from './agent-model';
