import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { TaskStatus } from '../../domain/task-lifecycle';
import { jsonText } from './json-column';

/**
 * A task (seed 000): the read side of a workflow. Rows are written by activities keyed by
 * workflow id and step, so a retried or replayed activity never writes a second row.
 */
@Entity({ name: 'tasks' })
@Index(['workflowId', 'step'], { unique: true })
export class Task {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'task_type', type: 'varchar', length: 64 })
  taskType!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: TaskStatus;

  @Column({ type: 'integer' })
  priority!: number;

  @Column({ name: 'chat_id', type: 'varchar', length: 128, nullable: true })
  chatId!: string | null;

  @Column({ name: 'message_id', type: 'varchar', length: 256, nullable: true })
  messageId!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  channel!: string | null;

  @Column({ name: 'assigned_agent', type: 'varchar', length: 64, nullable: true })
  assignedAgent!: string | null;

  @Column({ name: 'input_data', type: 'text', transformer: jsonText, nullable: true })
  inputData!: Record<string, any> | null;

  @Column({ name: 'output_data', type: 'text', transformer: jsonText, nullable: true })
  outputData!: Record<string, any> | null;

  @Column({ type: 'text', transformer: jsonText, nullable: true })
  metadata!: Record<string, any> | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage!: string | null;

  @Column({ name: 'parent_task_id', type: 'varchar', length: 36, nullable: true })
  parentTaskId!: string | null;

  /** The workflow this task is the projection of; with `step`, the idempotency key. */
  @Column({ name: 'workflow_id', type: 'varchar', length: 512 })
  workflowId!: string;

  @Column({ name: 'run_id', type: 'varchar', length: 64, nullable: true })
  runId!: string | null;

  /** `message` for the conversation's task, `agent:<name>` for a supervisor's subtask. */
  @Column({ type: 'varchar', length: 64 })
  step!: string;

  @Column({ name: 'retry_count', type: 'integer', default: 0 })
  retryCount!: number;

  @Column({ name: 'max_retries', type: 'integer', default: 3 })
  maxRetries!: number;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @Column({ name: 'started_at', type: Date, nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'completed_at', type: Date, nullable: true })
  completedAt!: Date | null;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
