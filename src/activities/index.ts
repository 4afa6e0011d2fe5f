/**
 * @module activities
 * Every side effect the workflows ask for, built by `createActivities(deps)` so tests pass
 * real or local-server dependencies and nothing reads globals. Workflows see these only
 * through `import type` and `proxyActivities`.
 */
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import type { FollowUpPurpose, FollowUpRules } from '../contracts';
import { createAgentModelActivities } from './agent-model';
import { createAlertActivities } from './alerts';
import { createAppointmentAgent } from './agents/appointment-agent';
import { createCatalogAgents } from './agents/catalog-agents';
import { createCustomerAgents } from './agents/customer-agents';
import { humanHandoffAgent } from './agents/human-handoff-agent';
import { createKnowledgeAgents } from './agents/knowledge-agents';
import { createOrderAgents } from './agents/order-agents';
import { triageAgent } from './agents/triage-agent';
import { createConversationActivities } from './conversations';
import { createDefinitionActivities } from './definitions';
import type { LlmAgentModel } from '../llm';
import type { AlertThresholds } from '../domain/alerts';
import type { BusinessSettings, KnowledgeSearch } from './deps';
import { createFollowUpActivities } from './follow-ups';
import { createHandoffActivities } from './handoffs';
import { createLlmActivities, type LlmServices } from './llm';
import { createReminderActivities } from './reminders';
import { createReplyActivities, type OutboundProviders } from './replies';
import { createTaskActivities } from './tasks';
import { createToolActivities } from './tools';
import { createTurnActivities } from './turns';
import { createTurnTriage, triageByRules } from './triage';

export interface ActivityDeps {
  db: DataSource;
  knowledgeBase: KnowledgeSearch;
  business: BusinessSettings;
  /** Absent in rule mode: the LLM activities then fail fast and the workflow uses the rules. */
  llm?: LlmServices;
  /** Absent, or without a provider for a channel: replies are recorded in the ledger only. */
  providers?: OutboundProviders;
  /** Present on workers that start and signal follow-up campaigns. */
  temporal?: { client: Client; taskQueue: string };
  followUps: { rules: FollowUpRules; stepsByPurpose?: Partial<Record<FollowUpPurpose, number[]>>; dailyCap: number };
  /** How a chat appears in workflow ids (its keyed hash when histories are encrypted); the chat id when absent. */
  chatRef?: (chatId: string) => string;
  /** Conversations: how long transcripts are kept (90 days when absent). */
  conversations?: { retentionDays: number };
  /** LLM mode's agents: their model (absent in rule mode: the rule agents answer). */
  agentModel?: LlmAgentModel;
  /** The agents' tools: a refund above this many minor units waits for a person (10000 when absent). */
  agentTools?: { refundApprovalAboveCents: number };
  /** User-defined workflows: the hosts `http` steps and the research agent may call (none when absent). */
  definitions?: { httpAllowedHosts: string[] };
  /** Alerts: the rules' thresholds (the defaults when absent); notifications go to `providers.webhook`. */
  alerts?: AlertThresholds;
}

export function createActivities(deps: ActivityDeps) {
  const replies = createReplyActivities(deps.db, deps.providers);
  const tasks = createTaskActivities(deps.db);
  const conversations = createConversationActivities(deps.db, deps.temporal, deps.conversations?.retentionDays);
  return {
    triageByRules,
    triageAgent,
    humanHandoffAgent,
    appointmentAgent: createAppointmentAgent(deps.db, deps.business),
    ...createKnowledgeAgents(deps.knowledgeBase),
    ...createOrderAgents(deps.db),
    ...createCatalogAgents(deps.db),
    ...createCustomerAgents(deps.db, deps.business),
    ...conversations,
    ...createTurnActivities(tasks, conversations),
    triageTurn: createTurnTriage(deps.business.timezone),
    ...createHandoffActivities(deps.db),
    ...createReminderActivities(deps.db),
    ...replies,
    ...createFollowUpActivities({ db: deps.db, sendReply: replies.sendReply, llm: deps.llm, temporal: deps.temporal, rules: deps.followUps.rules, stepsByPurpose: deps.followUps.stepsByPurpose, dailyCap: deps.followUps.dailyCap, chatRef: deps.chatRef }),
    ...createLlmActivities(deps.llm, deps.db),
    ...tasks,
    ...createToolActivities({ db: deps.db, knowledgeBase: deps.knowledgeBase, business: deps.business, refundApprovalAboveCents: deps.agentTools?.refundApprovalAboveCents, httpAllowedHosts: deps.definitions?.httpAllowedHosts }),
    ...createAgentModelActivities(deps.agentModel, deps.db, deps.business),
    ...createDefinitionActivities({ db: deps.db, knowledgeBase: deps.knowledgeBase, httpAllowedHosts: deps.definitions?.httpAllowedHosts ?? [] }),
    ...createAlertActivities({ db: deps.db, thresholds: deps.alerts, webhook: deps.providers?.webhook }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { BusinessSettings, KnowledgeSearch } from './deps';
export type { LlmServices } from './llm';
export type { OutboundProviders } from './replies';
