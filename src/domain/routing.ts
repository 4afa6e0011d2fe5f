import { agentForIntent, type AgentName } from './agent-registry';
import type { Intent } from './intents';
import type { TriageResult } from './keyword-triage';

/** `answer`: the message answers the question an agent asked; it goes back to that agent. */
export type RouteReason = 'matched' | 'low_confidence' | 'flagged' | 'requested' | 'clarify' | 'answer';

export interface RouteDecision {
  /** The agent that owns the conversation's answer (the primary intent's agent). */
  agent: AgentName;
  /** Every agent to run, primary first; more than one for a multi-intent message. */
  agents: AgentName[];
  /** The intent each agent is asked to handle, in the order of `agents`. */
  intents: Intent[];
  reason: RouteReason;
}

export interface RoutingOptions {
  /** Under this confidence the message goes to a person instead of a specialist. */
  confidenceThreshold: number;
}

export const DEFAULT_CONFIDENCE_THRESHOLD = 0.6;

/**
 * Picks the agents for a triaged message. Flagged text (gibberish, injection attempts) and
 * anything under the confidence threshold go to the human-handoff agent, never to a
 * confident specialist.
 */
export function routeMessage(triage: TriageResult, options: RoutingOptions): RouteDecision {
  if (triage.flags.length > 0) {
    return { agent: 'human_handoff', agents: ['human_handoff'], intents: ['unknown'], reason: 'flagged' };
  }
  if (triage.intent === 'human_handoff') {
    return { agent: 'human_handoff', agents: ['human_handoff'], intents: ['human_handoff'], reason: 'requested' };
  }
  if (triage.intent === 'unknown' || triage.confidence < options.confidenceThreshold) {
    return { agent: 'human_handoff', agents: ['human_handoff'], intents: [triage.intent], reason: 'low_confidence' };
  }
  const agents: AgentName[] = [];
  const intents: Intent[] = [];
  for (const intent of triage.intents) {
    const agent = agentForIntent(intent).name;
    if (!agents.includes(agent)) {
      agents.push(agent);
      intents.push(intent);
    }
  }
  return { agent: agents[0], agents, intents, reason: 'matched' };
}

/** True when routing found no specialist it trusts: the chat gets one question, then a person. */
export function needsClarification(route: RouteDecision): boolean {
  return route.reason === 'low_confidence' || route.reason === 'flagged';
}

/** The route for the one clarifying question a chat gets before it is handed to a person. */
export function clarificationRoute(): RouteDecision {
  return { agent: 'triage', agents: ['triage'], intents: ['unknown'], reason: 'clarify' };
}

/** The route of a message that answers the open question: back to the agent that asked. */
export function answerRoute(question: { agent: AgentName; intent: Intent }): RouteDecision {
  return { agent: question.agent, agents: [question.agent], intents: [question.intent], reason: 'answer' };
}
