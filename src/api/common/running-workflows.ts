import type { Client, QueryDefinition } from '@temporalio/client';
import { toHttpError } from './temporal-errors';

/** How long one workflow's query may take (it needs a worker) before it counts as unavailable. */
const QUERY_DEADLINE_MS = 3000;
const QUERY_CONCURRENCY = 8;

export interface RunningStates<S> {
  /** Each queried workflow's state, in visibility's order (newest first); null when no worker answered in time. */
  states: Array<{ workflowId: string; state: S | null }>;
  /** More running workflows exist than were looked at, or the walk stopped once `enough` held. */
  truncated: boolean;
}

/**
 * The state of the running workflows of one type on this task queue, for a list that knows
 * no ids (the campaigns across chats, the callbacks waiting across executions): visibility
 * names them, newest first, at most `scanLimit`, and each is asked `query`, a few at a time,
 * stopping before the next few once `enough` holds for the states read so far.
 */
export async function queryRunningWorkflows<S>(
  client: Client,
  options: { workflowType: string; taskQueue: string; scanLimit: number; query: QueryDefinition<S, []>; enough?: (states: Array<S | null>) => boolean },
): Promise<RunningStates<S>> {
  const queue = options.taskQueue.replace(/'/g, "''");
  const visibility = `WorkflowType = '${options.workflowType}' AND ExecutionStatus = 'Running' AND TaskQueue = '${queue}'`;
  const ids: string[] = [];
  let truncated = false;
  try {
    for await (const wf of client.workflow.list({ query: visibility, pageSize: 100 })) {
      if (ids.length >= options.scanLimit) {
        truncated = true;
        break;
      }
      ids.push(wf.workflowId);
    }
  } catch (err) {
    throw toHttpError(err);
  }
  const states: RunningStates<S>['states'] = [];
  const enough = options.enough ?? (() => false);
  while (states.length < ids.length && !enough(states.map((s) => s.state))) {
    const batch = ids.slice(states.length, states.length + QUERY_CONCURRENCY);
    states.push(...(await Promise.all(batch.map(async (workflowId) => ({ workflowId, state: await stateOf(client, workflowId, options.query) })))));
  }
  return { states, truncated: truncated || states.length < ids.length };
}

async function stateOf<S>(client: Client, workflowId: string, query: QueryDefinition<S, []>): Promise<S | null> {
  try {
    return await client.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => client.workflow.getHandle(workflowId).query(query));
  } catch {
    return null;
  }
}
