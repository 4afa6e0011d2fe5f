import type { DataSource } from 'typeorm';
import type { ActivityDeps } from '../src/activities';
import type { AppConfig } from '../src/config';
import { DEFAULT_OPENING_HOURS } from '../src/domain/business-calendar';
import { getKnowledgeBase } from '../src/knowledge';
import { CircuitBreaker, createLlmReplyWriter, createLlmTriage, createOpenAiClient } from '../src/llm';

/**
 * Builds the activities' dependencies from the config: the database, the knowledge base
 * (loaded once), the business calendar, and the LLM services when a provider is set.
 * One breaker per worker process: a provider that keeps failing is left alone by every
 * activity on this worker until it recovers.
 */
export function activityDepsFromConfig(config: AppConfig, db: DataSource): ActivityDeps {
  const client = createOpenAiClient({ ...config.openai });
  const breaker = new CircuitBreaker({ failureThreshold: 5, cooldownMs: 30_000 });
  return {
    db,
    knowledgeBase: getKnowledgeBase(),
    business: {
      timezone: config.business.timezone,
      openingHours: DEFAULT_OPENING_HOURS,
      handoffTimeoutSeconds: config.business.handoffTimeoutSeconds,
      clarificationWindowSeconds: config.business.clarificationWindowSeconds,
    },
    llm: client
      ? {
          triage: createLlmTriage({ client, model: config.openai.model, breaker }),
          replies: createLlmReplyWriter({ client, model: config.openai.model, breaker }),
        }
      : undefined,
  };
}
