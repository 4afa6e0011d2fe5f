import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A file a customer sent, recorded for processing. */
@Entity({ name: 'documents' })
export class DocumentUpload {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'chat_id', type: 'varchar', length: 128 })
  chatId!: string;

  /** Provider media id, URL or file name: whatever locates the file. */
  @Column({ type: 'text' })
  reference!: string;

  @Column({ name: 'mime_type', type: 'varchar', length: 128, nullable: true })
  mimeType!: string | null;

  @Column({ type: 'varchar', length: 32 })
  kind!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: 'received' | 'processed' | 'failed';

  @Column({ name: 'workflow_id', type: 'varchar', length: 512, unique: true })
  workflowId!: string;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}
