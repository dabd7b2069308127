import type { DataSource } from 'typeorm';

/**
 * Runs async tasks one at a time, in call order.
 *
 * TypeORM's better-sqlite3 driver shares ONE query runner across the DataSource, so two
 * concurrent `transaction()` calls would silently nest (the second becomes a savepoint of the
 * first) and a rollback in one would undo the other's writes. The repository funnels every
 * SQLite operation through this queue; MySQL uses a connection pool and does not need it.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    // The next task waits for this one whatever its outcome; its error reaches only its caller.
    this.tail = result.catch(() => undefined);
    return result;
  }
}

const queues = new WeakMap<DataSource, SerialQueue>();

/** The one queue of a SQLite DataSource, shared by every repository on it; null for MySQL. */
export function sqliteQueueFor(dataSource: DataSource): SerialQueue | null {
  if (dataSource.options.type !== 'better-sqlite3') return null;
  let queue = queues.get(dataSource);
  if (!queue) queues.set(dataSource, (queue = new SerialQueue()));
  return queue;
}
