import type { DataSource, EntityManager } from 'typeorm';

const queues = new WeakMap<DataSource, Promise<unknown>>();

/**
 * `db.transaction(work)`, safe under concurrency on every driver. SQLite gives a process
 * one connection, and a second BEGIN while a transaction is open fails ("cannot start a
 * transaction within a transaction"), so on SQLite transactions take turns; PostgreSQL
 * takes a pooled connection per transaction and runs them side by side.
 */
export function inTransaction<T>(db: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  if (db.options.type !== 'better-sqlite3') return db.transaction(work);
  const previous = queues.get(db) ?? Promise.resolve();
  const next = previous.then(() => db.transaction(work));
  queues.set(db, next.catch(() => undefined));
  return next;
}
