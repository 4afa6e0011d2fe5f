import { In, LessThan, type DataSource } from 'typeorm';
import { AgentLog } from './entities/agent-log.entity';
import { Task } from './entities/task.entity';
import { inTransaction } from './transactions';

/** Rows deleted per transaction, so a large backlog never holds a long lock. */
const BATCH = 500;

/**
 * Deletes finished tasks (completed, failed, cancelled) created before `cutoff`, with
 * their subtasks and agent logs. Pending and running tasks are never touched.
 */
export async function deleteFinishedTasks(db: DataSource, cutoff: Date): Promise<{ deleted: number }> {
  let deleted = 0;
  for (;;) {
    const batch = await db.getRepository(Task).find({
      where: { status: In(['completed', 'failed', 'cancelled']), createdAt: LessThan(cutoff) },
      select: { id: true },
      order: { createdAt: 'ASC' },
      take: BATCH,
    });
    if (batch.length === 0) return { deleted };
    const ids = batch.map((t) => t.id);
    await inTransaction(db, async (manager) => {
      await manager.getRepository(AgentLog).delete({ taskId: In(ids) });
      await manager.getRepository(Task).update({ parentTaskId: In(ids) }, { parentTaskId: null });
      await manager.getRepository(Task).delete({ id: In(ids) });
    });
    deleted += ids.length;
  }
}
