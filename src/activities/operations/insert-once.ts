import type { EntityTarget, ObjectLiteral } from 'typeorm';
import { withSavepoint, type Db } from '../../persistence/transactions';
import { isUniqueViolation } from '../../persistence/unique-violation';

/** Inserts a row keyed by workflow id, or returns the row an earlier attempt (or a racing one) wrote. */
export async function insertOnce<T extends ObjectLiteral & { workflowId: string }>(db: Db, entity: EntityTarget<T>, row: T): Promise<T> {
  const repo = db.getRepository(entity);
  const existing = await repo.findOneBy({ workflowId: row.workflowId } as never);
  if (existing) return existing;
  try {
    await withSavepoint(db, (d) => d.getRepository(entity).insert(row as never));
    return row;
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return repo.findOneByOrFail({ workflowId: row.workflowId } as never);
  }
}
