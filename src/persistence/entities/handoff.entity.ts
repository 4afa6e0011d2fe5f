import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** `open`: waiting for a person; `answered`: a person replied and holds the chat; `closed`: handed back to the agents. */
export type HandoffStatus = 'open' | 'answered' | 'closed' | 'timed_out' | 'cancelled';

/** A conversation waiting for a person; the read side of `GET /api/handoffs`. */
@Entity({ name: 'handoffs' })
export class Handoff {
  @PrimaryColumn({ name: 'workflow_id', type: 'varchar', length: 512 })
  workflowId!: string;

  @Column({ name: 'chat_id', type: 'varchar', length: 128 })
  chatId!: string;

  @Column({ type: 'varchar', length: 32 })
  channel!: string;

  /** Why a person is needed: the routing reason, or `approval` for a tool call waiting for a decision. */
  @Column({ type: 'varchar', length: 32 })
  reason!: string;

  /** An approval's request: the tool call's summary and why it needs a person. */
  @Column({ type: 'text', nullable: true })
  request!: string | null;

  @Column({ type: 'varchar', length: 32 })
  intent!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: HandoffStatus;

  @Column({ type: 'varchar', length: 128, nullable: true })
  operator!: string | null;

  @Column({ type: 'text', nullable: true })
  answer!: string | null;

  @Column({ name: 'due_at', type: Date })
  dueAt!: Date;

  @CreateDateColumn({ name: 'opened_at' })
  openedAt!: Date;

  @Column({ name: 'closed_at', type: Date, nullable: true })
  closedAt!: Date | null;
}
