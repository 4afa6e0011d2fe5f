import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { jsonText } from './json-column';

import type { AgentLogAction } from '../../domain/task-lifecycle';

export { AGENT_LOG_ACTIONS, type AgentLogAction } from '../../domain/task-lifecycle';

/** What an agent did for a task; keyed by workflow id and log key so a retry writes it once. */
@Entity({ name: 'agent_logs' })
@Index(['workflowId', 'logKey'], { unique: true })
export class AgentLog {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index()
  @Column({ name: 'task_id', type: 'varchar', length: 36 })
  taskId!: string;

  @Column({ name: 'workflow_id', type: 'varchar', length: 512 })
  workflowId!: string;

  @Column({ name: 'log_key', type: 'varchar', length: 128 })
  logKey!: string;

  @Column({ name: 'agent_name', type: 'varchar', length: 64 })
  agentName!: string;

  @Column({ type: 'varchar', length: 16 })
  action!: AgentLogAction;

  @Column({ type: 'text', transformer: jsonText, nullable: true })
  details!: Record<string, any> | null;

  @Column({ name: 'duration_ms', type: 'integer', nullable: true })
  durationMs!: number | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}
