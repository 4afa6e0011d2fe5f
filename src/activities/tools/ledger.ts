import type { DataSource, EntityManager } from 'typeorm';
import type { ToolCallOutcome } from '../../contracts';
import { ToolCallRecord } from '../../persistence/entities/tool-call.entity';
import { inTransaction } from '../../persistence/transactions';
import { isUniqueViolation } from '../../persistence/unique-violation';

/**
 * Effects happen once. An effect runs inside a transaction that first claims its key in
 * `tool_calls` and finally stores its outcome there:
 * - a retried or replayed call finds the row and returns the stored outcome, acting not at all;
 * - two attempts racing with one key: on PostgreSQL the second's claim waits on the first's
 *   uncommitted row, then fails as a unique violation, and the second returns what the first
 *   stored; on SQLite transactions take turns, so the second finds the row;
 * - an attempt that throws (the database went away) rolls back its effect with its claim, and
 *   the activity's retry starts clean.
 */

export type LedgerEntry = Pick<ToolCallRecord, 'key' | 'workflowId' | 'callId' | 'chatId' | 'agent' | 'tool' | 'arguments'>;

export async function storedOutcome(db: DataSource, key: string): Promise<ToolCallOutcome | undefined> {
  const row = await db.getRepository(ToolCallRecord).findOneBy({ key });
  return (row?.outcome as ToolCallOutcome | null) ?? undefined;
}

/** Runs `act` once for `entry.key`: the outcome of the attempt that acted, for every attempt. */
export async function runOnce(db: DataSource, entry: LedgerEntry, act: (manager: EntityManager) => Promise<ToolCallOutcome>): Promise<ToolCallOutcome> {
  const earlier = await storedOutcome(db, entry.key);
  if (earlier) return earlier;
  try {
    return await inTransaction(db, async (manager) => {
      const row = await manager.findOneBy(ToolCallRecord, { key: entry.key });
      if (row?.outcome) return row.outcome as unknown as ToolCallOutcome;
      await manager.insert(ToolCallRecord, { ...entry, outcome: null });
      const outcome = await act(manager);
      await manager.update(ToolCallRecord, { key: entry.key }, { outcome: outcome as unknown as Record<string, any> });
      return outcome;
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    // Another attempt with this key claimed it first and has committed: its outcome is the call's.
    const stored = await storedOutcome(db, entry.key);
    if (stored) return stored;
    throw err;
  }
}
