import { CancelledFailure, type Context as ActivityContext } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptorsFactory, Next } from '@temporalio/worker';
import { AGENTS } from '../domain/agent-registry';
import { activityDuration, agentDuration, agentRuns } from './metrics';

/** Activity type → agent name, from the registry (one activity type per agent). */
const AGENT_BY_ACTIVITY = new Map<string, string>(AGENTS.map((a) => [a.activity, a.name]));

function outcomeOf(err: unknown): 'failed' | 'cancelled' {
  return err instanceof CancelledFailure ? 'cancelled' : 'failed';
}

/**
 * Times every activity attempt the worker runs (local ones included), labelled by activity
 * type and outcome; an agent's activity also counts as an agent run. One place for all of
 * them, so a new activity or agent is measured without touching its code.
 */
export class ActivityMetricsInterceptor implements ActivityInboundCallsInterceptor {
  constructor(private readonly ctx: ActivityContext) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const activity = this.ctx.info.activityType;
    const agent = AGENT_BY_ACTIVITY.get(activity);
    const started = process.hrtime.bigint();
    const observe = (outcome: string) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      activityDuration.observe({ activity, outcome }, seconds);
      if (agent) {
        agentRuns.inc({ agent, outcome });
        agentDuration.observe({ agent, outcome }, seconds);
      }
    };
    try {
      const result = await next(input);
      observe('completed');
      return result;
    } catch (err) {
      observe(outcomeOf(err));
      throw err;
    }
  }
}

export const activityMetricsInterceptors: ActivityInterceptorsFactory = (ctx) => ({ inbound: new ActivityMetricsInterceptor(ctx) });
