import type { AgentLog } from '../../persistence/entities/agent-log.entity';
import type { Task } from '../../persistence/entities/task.entity';

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

/** A task in the seed's snake_case shape, with `workflow_id` beside its id (README, "Send a message, read its result"). */
export function taskView(t: Task) {
  return {
    id: t.id,
    workflow_id: t.workflowId,
    run_id: t.runId,
    task_type: t.taskType,
    status: t.status,
    priority: t.priority,
    chat_id: t.chatId,
    message_id: t.messageId,
    channel: t.channel,
    assigned_agent: t.assignedAgent,
    input_data: t.inputData,
    output_data: t.outputData,
    metadata: t.metadata,
    error_message: t.errorMessage,
    parent_task_id: t.parentTaskId,
    retry_count: t.retryCount,
    max_retries: t.maxRetries,
    created_at: iso(t.createdAt),
    started_at: iso(t.startedAt),
    completed_at: iso(t.completedAt),
    updated_at: iso(t.updatedAt),
  };
}

export function agentLogView(l: AgentLog) {
  return {
    id: l.id,
    task_id: l.taskId,
    workflow_id: l.workflowId,
    agent_name: l.agentName,
    action: l.action,
    details: l.details,
    duration_ms: l.durationMs,
    created_at: iso(l.createdAt),
  };
}
