/**
 * @module activities/definitions
 * The activities of user-defined workflows (seed 004), which `runDefinition` calls: agent
 * tasks (`agent-tasks.ts`), API calls (`http-step.ts`), and the store of definitions and
 * executions (`stored-definitions.ts`). Every failure that retrying cannot fix is a
 * non-retryable ApplicationFailure whose type (`DEFINITION_FAILURES`) the workflow reports
 * with the step.
 */
import type { DataSource } from 'typeorm';
import type { DefinitionActivities, HttpRequestInput, LoadDefinitionInput, RecordExecutionInput, RunAgentTaskInput } from '../../contracts/run-definition';
import type { KnowledgeSearch } from '../deps';
import { createAgentTasks, runAgentTask } from './agent-tasks';
import { httpRequest } from './http-step';
import { loadDefinition, recordExecution } from './stored-definitions';

export { DEFINITION_FAILURES } from './failures';
export { HTTP_RESPONSE_CAP_BYTES } from './http-step';
export { isHostAllowed } from './web-fetch';
export { pageFacts } from './page-facts';
export type { CompanyFacts, EnrichedLead } from './enrich-lead';

/** How much of a lead's website the research agent reads, and for how long (its tool in LLM mode too). */
export const WEBSITE_CAP_BYTES = 256 * 1024;
export const WEBSITE_TIMEOUT_MS = 5_000;
const HTTP_TIMEOUT_MS = 30_000;

export interface DefinitionActivityDeps {
  db: DataSource;
  knowledgeBase: KnowledgeSearch;
  /** Hosts `http` steps and the research agent may call: exact names (optionally `:port`) or `*.suffix`. */
  httpAllowedHosts: readonly string[];
  /** Tests shrink these to see the cap and the timeout at work. */
  websiteCapBytes?: number;
  websiteTimeoutMs?: number;
  httpTimeoutMs?: number;
}

export function createDefinitionActivities(deps: DefinitionActivityDeps) {
  const tasks = createAgentTasks({
    db: deps.db,
    knowledgeBase: deps.knowledgeBase,
    website: { allowedHosts: deps.httpAllowedHosts, capBytes: deps.websiteCapBytes ?? WEBSITE_CAP_BYTES, timeoutMs: deps.websiteTimeoutMs ?? WEBSITE_TIMEOUT_MS },
  });
  const http = { allowedHosts: deps.httpAllowedHosts, timeoutMs: deps.httpTimeoutMs ?? HTTP_TIMEOUT_MS };
  return {
    runAgentTask: (input: RunAgentTaskInput) => runAgentTask(tasks, input),
    httpRequest: (input: HttpRequestInput) => httpRequest(http, input),
    loadDefinition: (input: LoadDefinitionInput) => loadDefinition(deps.db, input),
    recordExecution: (input: RecordExecutionInput) => recordExecution(deps.db, input),
  } satisfies DefinitionActivities;
}

export type DefinitionActivityFunctions = ReturnType<typeof createDefinitionActivities>;
