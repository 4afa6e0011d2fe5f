import type { Activities } from '../activities';
import type { AgentInput, AgentOutcome, TaskLogEntry } from '../contracts';
import { getAgent, type AgentName } from '../domain/agent-registry';

type AgentActivity = (input: AgentInput) => Promise<AgentOutcome>;

/** How a workflow reaches its activities: a proxy (`remote`, `acts`) or a chooser (`localFirst`). */
export type ActivitySource = Partial<Record<keyof Activities, unknown>> | ((name: keyof Activities) => unknown);

/** What the agent did, and the agent log entry that says so. */
export interface AgentCallResult {
  outcome: AgentOutcome;
  /** `completed` with the agent's facts and how long it took; the caller projects it when its phase writes. */
  done: TaskLogEntry;
}

/**
 * Lets one agent act on a message, through its registered activity, and words the log entry
 * of its work. Shared by every workflow that delegates to an agent (a message's turn, a task
 * created through the API, the runs from before conversations), so an agent is called and
 * recorded the same way wherever it is asked. Only the activity call is a command: where the
 * caller records the entry, and how, stays the caller's (its histories fix the order).
 */
export async function callAgent(via: ActivitySource, agentName: AgentName, input: AgentInput, logKey = `completed:${agentName}`): Promise<AgentCallResult> {
  const name = getAgent(agentName).activity as keyof Activities;
  const activity = (typeof via === 'function' ? via(name) : via[name]) as AgentActivity;
  const started = Date.now();
  const outcome = await activity(input);
  return { outcome, done: { key: logKey, agent: agentName, action: 'completed', durationMs: Date.now() - started, details: outcome.facts } };
}
