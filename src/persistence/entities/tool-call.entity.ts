import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { jsonText } from './json-column';

/**
 * The ledger of tool calls that changed something (LLM mode): one row per
 * `${workflowId}:${callId}`, written in the same transaction as the effect. A retried or
 * replayed call finds its row and returns the stored outcome instead of acting again.
 */
@Entity({ name: 'tool_calls' })
export class ToolCallRecord {
  /** `${workflowId}:${callId}`: the model's call within the message workflow that ran the loop. */
  @PrimaryColumn({ type: 'varchar', length: 640 })
  key!: string;

  @Index()
  @Column({ name: 'workflow_id', type: 'varchar', length: 512 })
  workflowId!: string;

  @Column({ name: 'call_id', type: 'varchar', length: 128 })
  callId!: string;

  @Index()
  @Column({ name: 'chat_id', type: 'varchar', length: 128 })
  chatId!: string;

  @Column({ type: 'varchar', length: 32 })
  agent!: string;

  @Column({ type: 'varchar', length: 64 })
  tool!: string;

  /** The arguments as the tool's schema parsed them. */
  @Column({ type: 'text', transformer: jsonText })
  arguments!: Record<string, any>;

  /** The `ToolCallOutcome` the call came to; null only inside the transaction that is acting. */
  @Column({ type: 'text', transformer: jsonText, nullable: true })
  outcome!: Record<string, any> | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}
