import type { DataSource } from 'typeorm';
import { AgentLog } from '../entities/agent-log.entity';
import { HOUR_MS, ratio, rawNumber, rounded } from './sql-time';

export interface AgentPerformance {
  agent: string;
  /** Tasks (and subtasks) the agent has any log entry for in the range. */
  tasks_handled: number;
  completed: number;
  failed: number;
  /** `failed / tasks_handled`, 0..1; 0 when it handled none. */
  failure_rate: number;
  /** Average of the agent's own timed work (its activity; the orchestrator's triage); null when none was timed. */
  avg_processing_seconds: number | null;
}

export interface AgentStats {
  from: string;
  to: string;
  agents: AgentPerformance[];
}

/**
 * Agent performance as seed 000 asks of `agent_logs`: which agents are most active, their
 * average processing time, their failure rate. Tasks are counted once per agent however
 * many entries they have. The processing time averages the entries that time the agent's
 * own work (`completed:<agent>` after its activity, the orchestrator's `triaged`), not the
 * `replied` entry, which times the whole message (a handoff's wait for a person included).
 */
export async function agentPerformance(db: DataSource, options: { hours: number; now: Date }): Promise<AgentStats> {
  const to = options.now;
  const from = new Date(to.getTime() - options.hours * HOUR_MS);
  const rows = await db
    .createQueryBuilder()
    .from(AgentLog, 'al')
    .select('al.agent_name', 'agent')
    .addSelect('COUNT(DISTINCT al.task_id)', 'handled')
    .addSelect("COUNT(DISTINCT CASE WHEN al.action = 'completed' THEN al.task_id END)", 'completed')
    .addSelect("COUNT(DISTINCT CASE WHEN al.action = 'failed' THEN al.task_id END)", 'failed')
    .addSelect("AVG(CASE WHEN al.action IN ('processed', 'completed') AND al.log_key <> 'replied' THEN al.duration_ms END)", 'avgMs')
    .where('al.created_at >= :from AND al.created_at <= :to', { from, to })
    .groupBy('al.agent_name')
    .getRawMany<{ agent: string; handled: unknown; completed: unknown; failed: unknown; avgMs: unknown }>();
  const agents = rows.map((row): AgentPerformance => {
    const handled = rawNumber(row.handled);
    const failed = rawNumber(row.failed);
    return {
      agent: row.agent,
      tasks_handled: handled,
      completed: rawNumber(row.completed),
      failed,
      failure_rate: ratio(failed, handled),
      avg_processing_seconds: row.avgMs === null || row.avgMs === undefined ? null : rounded(rawNumber(row.avgMs) / 1000, 3),
    };
  });
  agents.sort((a, b) => b.tasks_handled - a.tasks_handled || a.agent.localeCompare(b.agent));
  return { from: from.toISOString(), to: to.toISOString(), agents };
}
