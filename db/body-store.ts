/**
 * Bodies of inputs on their way to a workflow. The API stores an input's body here and sends
 * the stage only a reference (id and SHA-256); the persistence activity reads it back when the
 * stage accepts the input and writes it into the records. A body the stage rejected is removed
 * by the API; one whose request died half-way is removed once it is a day old.
 */
import { randomUUID } from 'node:crypto';
import { EntitySchema, LessThan, type DataSource, type EntityManager } from 'typeorm';
import type { BodyPath, BodyRef } from '../domain/contracts/persistence';
import { fingerprint } from '../domain/fingerprint';
import type { DatabaseKind } from './database-url';
import { entityColumns } from './entities';
import { sqliteQueueFor, type SerialQueue } from './serial-queue';

export const BODY_ENTITY = 'InputBody';

interface BodyRow {
  id: string;
  programmeId: string;
  kind: string;
  sha256: string;
  body: object;
  receivedAt: string;
}

export function buildBodyEntity(kind: DatabaseKind): EntitySchema<BodyRow> {
  const c = entityColumns(kind);
  return new EntitySchema<BodyRow>({
    name: BODY_ENTITY,
    tableName: 'input_bodies',
    columns: {
      id: c.id('id', 64),
      programmeId: c.text('programme_id', 64),
      kind: c.text('kind', 40),
      sha256: c.text('sha256', 64),
      body: c.json('body'),
      receivedAt: c.timestamp('received_at'),
    },
    // Abandoned bodies are swept by age.
    indices: [{ name: 'IDX_input_bodies_received', columns: ['receivedAt'] }],
  });
}

/** How long a body nobody accepted or rejected is kept (a request that died half-way). */
const ABANDONED_AFTER_MS = 24 * 3600_000;

export class BodyMissingError extends Error {
  constructor(ref: BodyRef) {
    super(`the stored body ${ref.id} is missing or does not match its digest ${ref.sha256}`);
    this.name = 'BodyMissingError';
  }
}

/** The value at `path` inside a body. */
export function valueAt(body: unknown, path: readonly (string | number)[] = []): unknown {
  let value = body;
  for (const step of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[step];
  }
  return value;
}

export class BodyStore {
  private readonly queue: SerialQueue | null;
  private lastSweep = 0;

  constructor(private readonly dataSource: DataSource) {
    this.queue = sqliteQueueFor(dataSource);
  }

  /** Stores a body; the reference is what the workflow gets. */
  async stage(programmeId: string, kind: string, body: object, now = Date.now()): Promise<BodyRef> {
    const ref: BodyRef = { id: randomUUID(), sha256: fingerprint(body) };
    await this.exclusive(async () => {
      const repo = this.dataSource.getRepository<BodyRow>(BODY_ENTITY);
      await repo.insert({ ...ref, programmeId, kind, body, receivedAt: new Date(now).toISOString() });
      if (now - this.lastSweep > ABANDONED_AFTER_MS / 24) {
        this.lastSweep = now;
        await repo.delete({ receivedAt: LessThan(new Date(now - ABANDONED_AFTER_MS).toISOString()) });
      }
    });
    return ref;
  }

  /** The body was rejected, or its records are written: it is no longer needed. */
  async discard(ref: BodyRef): Promise<void> {
    await this.exclusive(() => this.dataSource.getRepository<BodyRow>(BODY_ENTITY).delete({ id: ref.id }));
  }

  read(ref: BodyRef): Promise<unknown> {
    return this.exclusive(() => readBody(this.dataSource.manager, ref));
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.queue === null ? task() : this.queue.run(task);
  }
}

/** A stored body, checked against its digest. @throws BodyMissingError */
export async function readBody(em: EntityManager, ref: BodyRef): Promise<unknown> {
  const row = await em.getRepository<BodyRow>(BODY_ENTITY).findOneBy({ id: ref.id });
  if (!row || row.sha256 !== ref.sha256) throw new BodyMissingError(ref);
  return row.body;
}

/** Reads each body the paths name once. */
export async function bodiesFor(
  em: EntityManager,
  paths: readonly BodyPath[],
): Promise<Map<string, unknown>> {
  const bodies = new Map<string, unknown>();
  for (const p of paths) if (!bodies.has(p.id)) bodies.set(p.id, await readBody(em, p));
  return bodies;
}
