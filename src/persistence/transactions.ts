import { EntityManager, type DataSource } from 'typeorm';

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

/**
 * Where data functions read and write: the data source (each statement on its own), or the
 * manager of an open transaction (the tool ledger runs an effect inside one).
 */
export type Db = DataSource | EntityManager;

/**
 * Runs `work` so that a statement failing inside it (a unique violation the caller expects
 * and answers) leaves an open transaction usable: inside a transaction it runs under a
 * savepoint, because PostgreSQL refuses every later statement of a transaction once one
 * failed; outside one it simply runs.
 */
export function withSavepoint<T>(db: Db, work: (db: Db) => Promise<T>): Promise<T> {
  if (db instanceof EntityManager && db.queryRunner?.isTransactionActive) return db.transaction((inner) => work(inner));
  return work(db);
}
