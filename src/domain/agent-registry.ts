import type { Intent } from './intents';

/** Names of the specialist agents; `route.agent` in the API carries one of these. */
export const AGENT_NAMES = ['triage', 'appointment', 'inquiry', 'human_handoff'] as const;

export type AgentName = (typeof AGENT_NAMES)[number];

export interface AgentDefinition {
  name: AgentName;
  /** Intents this agent handles; routing picks the agent whose list holds the intent. */
  intents: readonly Intent[];
  description: string;
  /** Name of the activity that runs the agent; one activity type per agent, so the Web UI shows who acted. */
  activity: string;
}

/**
 * The agent registry. Pure data, shared by the workflow (routing), the worker (activity
 * registration) and the API (`GET /api/agents`).
 */
export const AGENTS: readonly AgentDefinition[] = [
  {
    name: 'triage',
    intents: ['greeting'],
    description: 'Greetings, thanks and small talk',
    activity: 'triageAgent',
  },
  {
    name: 'appointment',
    intents: ['appointment_booking', 'appointment_reschedule', 'appointment_cancel'],
    description: 'Books, reschedules and cancels appointments',
    activity: 'appointmentAgent',
  },
  {
    name: 'inquiry',
    intents: ['inquiry'],
    description: 'Opening hours, location, prices, policies and FAQ',
    activity: 'inquiryAgent',
  },
  {
    name: 'human_handoff',
    intents: ['human_handoff', 'unknown'],
    description: 'Hands the conversation to a person when asked for or when nothing else fits',
    activity: 'humanHandoffAgent',
  },
];

const BY_NAME = new Map(AGENTS.map((a) => [a.name, a]));

export function getAgent(name: AgentName): AgentDefinition {
  const agent = BY_NAME.get(name);
  if (!agent) throw new Error(`unknown agent ${name}`);
  return agent;
}

/** The agent that handles an intent; intents without a specialist go to a person. */
export function agentForIntent(intent: Intent): AgentDefinition {
  return AGENTS.find((a) => a.intents.includes(intent)) ?? getAgent('human_handoff');
}
