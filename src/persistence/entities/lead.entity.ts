import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { jsonText } from './json-column';

@Entity({ name: 'leads' })
export class Lead {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'chat_id', type: 'varchar', length: 128, nullable: true })
  chatId!: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  email!: string | null;

  @Column({ type: 'integer' })
  score!: number;

  @Column({ type: 'varchar', length: 8 })
  grade!: 'hot' | 'warm' | 'cold';

  /** The BANT breakdown and its signals. */
  @Column({ type: 'text', transformer: jsonText })
  details!: Record<string, any>;

  @Column({ type: 'text' })
  message!: string;

  @Column({ name: 'workflow_id', type: 'varchar', length: 512, unique: true })
  workflowId!: string;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}
