import { ConflictException, Inject, Injectable } from '@nestjs/common';
import { Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { handoffReplyUpdate, type ReplyRecord } from '../../contracts';
import { Handoff, type HandoffStatus } from '../../persistence/entities/handoff.entity';
import { toHttpError } from '../common/temporal-errors';

@Injectable()
export class HandoffsService {
  constructor(
    @Inject(Client) private readonly client: Client,
    @Inject(DataSource) private readonly db: DataSource,
  ) {}

  list(status: HandoffStatus, limit: number): Promise<Handoff[]> {
    return this.db.getRepository(Handoff).find({ where: { status }, order: { openedAt: 'ASC' }, take: limit });
  }

  /**
   * Delivers a person's answer to the waiting workflow through an update, and returns once
   * it was sent and recorded. A conversation that is not waiting answers 409.
   */
  async reply(workflowId: string, text: string, operator: string): Promise<ReplyRecord> {
    const handle = this.client.workflow.getHandle(workflowId);
    try {
      return await handle.executeUpdate(handoffReplyUpdate, { args: [{ text, operator }] });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        throw new ConflictException(`workflowId: ${err.cause?.message ?? 'the conversation is not waiting for a person'}`);
      }
      if (err instanceof WorkflowNotFoundError) {
        // The server answers an update to a finished workflow as "not found"; tell a
        // finished conversation (409) apart from one that never existed (404).
        const exists = await handle.describe().then(() => true, () => false);
        if (exists) throw new ConflictException('workflowId: the conversation has already finished');
      }
      throw toHttpError(err, workflowId);
    }
  }
}
