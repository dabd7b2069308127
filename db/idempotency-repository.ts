/**
 * Idempotency records of API writes (api/idempotency.ts): one row per caller and key, claimed
 * before the handler runs and completed with the response it gave, so that a retry replays it.
 * The primary key is a hash of caller and key, which bounds its length on both databases.
 */
import { createHash } from 'node:crypto';
import { EntitySchema, LessThan, type DataSource } from 'typeorm';
import type { DatabaseKind } from './database-url';
import { entityColumns } from './entities';
import { isDuplicateKeyError } from './errors';
import { sqliteQueueFor, type SerialQueue } from './serial-queue';

/** The reply a handler gave, enough to send it again: status, body, Location, ETag, media type. */
export interface StoredResponse {
  status: number;
  location?: string;
  /** JSON body; absent for a raw reply. */
  json?: unknown;
  raw?: { contentType: string; base64: string; headers?: Record<string, string> };
}

export interface IdempotencyRecord {
  method: string;
  path: string;
  fingerprint: string;
  state: 'in-progress' | 'done';
  status?: number;
  response?: StoredResponse;
  createdAt: string;
}

export interface IdempotencyClaim {
  caller: string;
  key: string;
  method: string;
  path: string;
  fingerprint: string;
  now: Date;
  /** Records created before this are expired: the key is free again. */
  expiredBefore: Date;
  /** In-progress records untouched since this were abandoned by a crashed process. */
  abandonedBefore: Date;
}

export interface IdempotencyStore {
  /** Records the claim and returns undefined, or returns the live record that holds the key. */
  claim(claim: IdempotencyClaim): Promise<IdempotencyRecord | undefined>;
  complete(caller: string, key: string, status: number, response: StoredResponse): Promise<void>;
  /** Frees a key whose request failed, so a retry runs again. */
  release(caller: string, key: string): Promise<void>;
  purge(before: Date): Promise<number>;
}

interface IdempotencyRow {
  id: string;
  caller: string;
  idempotencyKey: string;
  method: string;
  path: string;
  fingerprint: string;
  state: 'in-progress' | 'done';
  status: number | null;
  /** StoredResponse as JSON text, kept opaque so the stored bytes are exactly what is replayed. */
  response: string | null;
  createdAt: string;
  updatedAt: string;
}

const ENTITY = 'IdempotencyRecord';

export function buildIdempotencyEntity(kind: DatabaseKind): EntitySchema<IdempotencyRow> {
  const c = entityColumns(kind);
  return new EntitySchema<IdempotencyRow>({
    name: ENTITY,
    tableName: 'idempotency_records',
    columns: {
      id: c.id('id', 64),
      caller: c.text('caller', 200),
      idempotencyKey: c.text('idempotency_key', 200),
      method: c.text('method', 10),
      path: c.longText('path'),
      fingerprint: c.text('fingerprint', 64),
      state: c.text('state', 20),
      status: { name: 'status', type: 'int', nullable: true },
      response: { name: 'response', type: kind === 'mysql' ? 'longtext' : 'text', nullable: true },
      createdAt: c.timestamp('created_at'),
      updatedAt: c.timestamp('updated_at'),
    },
    indices: [{ name: 'IDX_idempotency_records_created', columns: ['createdAt'] }],
  });
}

export function idempotencyRowId(caller: string, key: string): string {
  return createHash('sha256').update(`${caller}\n${key}`, 'utf8').digest('hex');
}

function isStoredResponse(value: unknown): value is StoredResponse {
  return typeof value === 'object' && value !== null && 'status' in value && typeof value.status === 'number';
}

function parseResponse(text: string | null): StoredResponse | undefined {
  if (text === null) return undefined;
  const value: unknown = JSON.parse(text);
  return isStoredResponse(value) ? value : undefined;
}

function toRecord(row: IdempotencyRow): IdempotencyRecord {
  return {
    method: row.method,
    path: row.path,
    fingerprint: row.fingerprint,
    state: row.state,
    status: row.status ?? undefined,
    response: parseResponse(row.response),
    createdAt: row.createdAt,
  };
}

export class IdempotencyRepository implements IdempotencyStore {
  private readonly queue: SerialQueue | null;

  constructor(private readonly dataSource: DataSource) {
    this.queue = sqliteQueueFor(dataSource);
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.queue ? this.queue.run(task) : task();
  }

  private get repo() {
    return this.dataSource.manager.getRepository<IdempotencyRow>(ENTITY);
  }

  async claim(claim: IdempotencyClaim): Promise<IdempotencyRecord | undefined> {
    const id = idempotencyRowId(claim.caller, claim.key);
    const now = claim.now.toISOString();
    const row: IdempotencyRow = {
      id,
      caller: claim.caller,
      idempotencyKey: claim.key,
      method: claim.method,
      path: claim.path,
      fingerprint: claim.fingerprint,
      state: 'in-progress',
      status: null,
      response: null,
      createdAt: now,
      updatedAt: now,
    };
    // Two attempts: the second follows the removal of an expired or abandoned record.
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.exclusive(() => this.repo.insert(row));
        return undefined;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
      const existing = await this.exclusive(() => this.repo.findOneBy({ id }));
      if (!existing) continue;
      const stale =
        existing.createdAt < claim.expiredBefore.toISOString() ||
        (existing.state === 'in-progress' && existing.updatedAt < claim.abandonedBefore.toISOString());
      if (!stale) return toRecord(existing);
      // Conditional on the timestamp we saw, so a concurrent claimant's fresh row survives.
      await this.exclusive(() => this.repo.delete({ id, updatedAt: existing.updatedAt }));
    }
    const current = await this.exclusive(() => this.repo.findOneBy({ id }));
    if (current) return toRecord(current);
    throw new Error('could not claim an idempotency key');
  }

  async complete(caller: string, key: string, status: number, response: StoredResponse): Promise<void> {
    await this.exclusive(() =>
      this.repo.update(
        { id: idempotencyRowId(caller, key), state: 'in-progress' },
        { state: 'done', status, response: JSON.stringify(response), updatedAt: new Date().toISOString() },
      ),
    );
  }

  async release(caller: string, key: string): Promise<void> {
    await this.exclusive(() => this.repo.delete({ id: idempotencyRowId(caller, key), state: 'in-progress' }));
  }

  async purge(before: Date): Promise<number> {
    const result = await this.exclusive(() =>
      this.repo.delete({ createdAt: LessThan(before.toISOString()) }),
    );
    return result.affected ?? 0;
  }
}
