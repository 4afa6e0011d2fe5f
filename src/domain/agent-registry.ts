import type { Intent } from './intents';

/** Names of the specialist agents; `route.agent` in the API carries one of these. */
export const AGENT_NAMES = [
  'triage',
  'appointment',
  'inquiry',
  'quote',
  'order',
  'returns',
  'recommendation',
  'troubleshooting',
  'personalization',
  'lead',
  'document',
  'reminder',
  'human_handoff',
  'sales',
  'research',
] as const;

export type AgentName = (typeof AGENT_NAMES)[number];

export interface AgentDefinition {
  name: AgentName;
  /** Intents this agent handles; routing picks the agent whose list holds the intent. */
  intents: readonly Intent[];
  description: string;
  /** What the agent can do, for `GET /api/agents` and for user-defined workflow steps. */
  capabilities: readonly string[];
  /** The activity that runs the agent: one activity type per agent, so the Web UI shows who acted. */
  activity: string;
  /** Tasks a user-defined workflow's `agent_task` step may ask of this agent (`runAgentTask`). */
  tasks?: readonly string[];
  /**
   * The tools the agent acts through in LLM mode (`callTool`, snake_case names). An agent with
   * tools runs the model → tool calls → model loop when an LLM is configured; one without keeps
   * its rule activity in either mode.
   */
  tools?: readonly string[];
}

/**
 * The agent registry. Pure data, shared by the workflow (routing), the worker (activity
 * registration) and the API (`GET /api/agents`).
 */
export const AGENTS: readonly AgentDefinition[] = [
  {
    name: 'triage',
    intents: ['greeting'],
    description: 'Greetings, thanks and small talk; asks a clarifying question when a message is unclear',
    capabilities: ['greet', 'thank', 'clarify'],
    activity: 'triageAgent',
  },
  {
    name: 'appointment',
    intents: ['appointment_booking', 'appointment_reschedule', 'appointment_cancel'],
    description: 'Books, reschedules and cancels appointments against the calendar of free slots',
    capabilities: ['book', 'reschedule', 'cancel', 'offer_slots'],
    activity: 'appointmentAgent',
    tools: ['find_free_slots', 'book_slot', 'get_my_booking', 'move_booking', 'cancel_booking'],
  },
  {
    name: 'inquiry',
    intents: ['inquiry'],
    description: 'Opening hours, location, prices, policies and FAQ, answered from the knowledge base with its source',
    capabilities: ['answer_from_knowledge_base', 'cite_article'],
    activity: 'inquiryAgent',
    tools: ['search_articles'],
    tasks: ['answer_question'],
  },
  {
    name: 'quote',
    intents: ['quote_request'],
    description: 'Prices a list of products with volume discounts and records the quote',
    capabilities: ['quote', 'volume_discount', 'start_follow_up'],
    activity: 'quoteAgent',
    tools: ['search_products', 'price_quote', 'accept_quote'],
  },
  {
    name: 'order',
    intents: ['order_status'],
    description: "Order status and tracking, from the chat's own orders",
    capabilities: ['order_status', 'tracking'],
    activity: 'orderAgent',
    tools: ['list_my_orders', 'lookup_order'],
  },
  {
    name: 'returns',
    intents: ['return_request'],
    description: 'Returns, exchanges and refunds within the return window; opens an RMA',
    capabilities: ['check_eligibility', 'open_return', 'exchange'],
    activity: 'returnsAgent',
    tools: ['list_my_orders', 'lookup_order', 'start_return', 'cancel_order'],
  },
  {
    name: 'recommendation',
    intents: ['product_recommendation'],
    description: "Product suggestions from the catalog and the customer's purchase history",
    capabilities: ['recommend', 'use_purchase_history', 'respect_budget'],
    activity: 'recommendationAgent',
    tools: ['search_products', 'list_my_purchases', 'reserve_product'],
  },
  {
    name: 'troubleshooting',
    intents: ['troubleshooting'],
    description: 'Step-by-step fixes from the troubleshooting guides in the knowledge base',
    capabilities: ['answer_from_knowledge_base', 'cite_article'],
    activity: 'troubleshootingAgent',
    tools: ['search_articles'],
  },
  {
    name: 'personalization',
    intents: ['profile_update'],
    description: 'Profile updates, contact preferences, opt-outs and data deletion requests',
    capabilities: ['update_profile', 'opt_out', 'data_deletion_request'],
    activity: 'personalizationAgent',
    tools: ['read_profile', 'update_profile'],
  },
  {
    name: 'lead',
    intents: ['lead'],
    description: 'Qualifies sales interest by budget, authority, need and timeline, and stores the lead',
    capabilities: ['qualify_lead', 'score_bant'],
    activity: 'leadAgent',
    tools: ['score_lead', 'enrich_lead', 'fetch_leads'],
    tasks: ['score_lead'],
  },
  {
    name: 'document',
    intents: ['document'],
    description: 'Records a file the customer sent for processing',
    capabilities: ['record_document'],
    activity: 'documentAgent',
  },
  {
    name: 'reminder',
    intents: ['reminder'],
    description: 'Schedules a reminder on a durable timer and sends it when due',
    capabilities: ['schedule_reminder'],
    activity: 'reminderAgent',
  },
  {
    name: 'human_handoff',
    intents: ['human_handoff', 'unknown'],
    description: 'Hands the conversation to a person and waits for their answer',
    capabilities: ['handoff', 'wait_for_operator'],
    activity: 'humanHandoffAgent',
  },
  {
    name: 'sales',
    intents: [],
    description: 'Qualifies a lead handed in by a user-defined workflow (BANT score, grade, signals)',
    capabilities: ['qualify_lead', 'score_bant'],
    activity: 'runAgentTask',
    tasks: ['qualify_lead'],
  },
  {
    name: 'research',
    intents: [],
    description: "Enriches a lead with company facts from its website (allow-listed hosts) or the company directory",
    capabilities: ['enrich_lead', 'company_lookup'],
    activity: 'runAgentTask',
    tasks: ['enrich_lead'],
  },
];

const BY_NAME = new Map(AGENTS.map((a) => [a.name, a]));

export function getAgent(name: AgentName): AgentDefinition {
  const agent = BY_NAME.get(name);
  if (!agent) throw new Error(`unknown agent ${name}`);
  return agent;
}

/** The tasks an agent offers to user-defined workflows; undefined for an unknown agent type. */
export function agentTasks(agentType: string): readonly string[] | undefined {
  const agent = BY_NAME.get(agentType as AgentName);
  return agent ? (agent.tasks ?? []) : undefined;
}

/** The tools an agent acts through in LLM mode; empty for an agent that keeps its rule activity. */
export function agentTools(name: AgentName): readonly string[] {
  return BY_NAME.get(name)?.tools ?? [];
}

/** The agent that handles an intent; intents without a specialist go to a person. */
export function agentForIntent(intent: Intent): AgentDefinition {
  return AGENTS.find((a) => a.intents.includes(intent)) ?? getAgent('human_handoff');
}
