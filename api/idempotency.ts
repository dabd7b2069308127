/**
 * Idempotency-Key for every API write, after the IETF draft "The Idempotency-Key HTTP Header
 * Field": the first request with a key runs and its response is recorded; a retry of the same
 * request (same caller, key, method, path, query, body and files) gets that response again with
 * `Idempotent-Replayed: true` and runs nothing. The same key on a different request is a 422,
 * and a retry while the first is still running a 409. Failed requests free their key: a 5xx may
 * succeed when retried, and a 4xx changed nothing (validation runs before any of this).
 *
 * Stage inputs also hand the key to Temporal as the Update id, which still protects a retry
 * that races the record (e.g. after the record was lost or expired).
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { canonicalJson } from '../db/canonical-json';
import type {
  IdempotencyClaim,
  IdempotencyRecord,
  IdempotencyStore,
  StoredResponse,
} from '../db/idempotency-repository';
import { guarded } from './dependency-errors';
import { HttpProblem } from './problem';
import type { Reply, RouteMeta, UploadedFile } from './route';

export type { IdempotencyStore, StoredResponse } from '../db/idempotency-repository';

export const REPLAYED_HEADER = 'Idempotent-Replayed';
export const DEFAULT_IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/** An in-progress record this old belongs to a request whose process died; its key is free again. */
const ABANDONED_AFTER_MS = 10 * 60 * 1000;
const PURGE_EVERY_MS = 10 * 60 * 1000;

/**
 * Writes take the header unless they opt out; the approval-link form opts out by its access,
 * because its signed token is single-use already.
 */
export function acceptsIdempotencyKey(route: Pick<RouteMeta, 'method' | 'access' | 'idempotent'>): boolean {
  return route.idempotent ?? (route.method !== 'get' && route.access !== 'approval-link');
}

export interface RequestIdentity {
  method: string;
  /** The path as requested, without the query. */
  path: string;
  query: unknown;
  body: unknown;
  files: readonly UploadedFile[];
}

/** SHA-256 of the request in canonical form; files count by their bytes, names and types. */
export function requestFingerprint(request: RequestIdentity): string {
  const files = request.files.map((f) => ({
    field: f.field,
    name: f.originalName,
    type: f.mediaType,
    sha256: createHash('sha256').update(f.buffer).digest('hex'),
  }));
  const text = canonicalJson({
    method: request.method.toUpperCase(),
    path: request.path,
    query: request.query ?? null,
    body: request.body ?? null,
    files,
  });
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function toStored(reply: Reply): StoredResponse {
  return {
    status: reply.status,
    ...(reply.location ? { location: reply.location } : {}),
    ...(reply.raw
      ? {
          raw: {
            contentType: reply.raw.contentType,
            base64: Buffer.from(reply.raw.data).toString('base64'),
            ...(reply.raw.headers ? { headers: reply.raw.headers } : {}),
          },
        }
      : { json: reply.body }),
  };
}

function fromStored(stored: StoredResponse): Reply {
  return {
    status: stored.status,
    body: stored.json,
    ...(stored.location ? { location: stored.location } : {}),
    ...(stored.raw
      ? {
          raw: {
            contentType: stored.raw.contentType,
            data: Buffer.from(stored.raw.base64, 'base64'),
            headers: stored.raw.headers,
          },
        }
      : {}),
  };
}

export interface IdempotencyOptions {
  store: IdempotencyStore;
  /** How long a key is remembered (default 24 hours). */
  ttlSeconds?: number;
  now?: () => number;
}

export interface KeyedRequest extends RequestIdentity {
  key: string;
  caller: string;
}

export interface IdempotentOutcome {
  reply: Reply;
  replayed: boolean;
}

export class Idempotency {
  private readonly store: IdempotencyStore;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private lastPurge = 0;

  constructor(options: IdempotencyOptions) {
    // Its failures are the database's: a 503 the client may retry, like every other store call.
    this.store = guarded(options.store, 'database');
    this.ttlMs = (options.ttlSeconds ?? DEFAULT_IDEMPOTENCY_TTL_SECONDS) * 1000;
    this.now = options.now ?? Date.now;
  }

  /** Runs `execute` once per key; answers a retry from the record. */
  async run(request: KeyedRequest, log: Logger, execute: () => Promise<Reply>): Promise<IdempotentOutcome> {
    const now = this.now();
    this.purgeNowAndThen(now, log);
    const claim: IdempotencyClaim = {
      caller: request.caller,
      key: request.key,
      method: request.method.toUpperCase(),
      path: request.path,
      fingerprint: requestFingerprint(request),
      now: new Date(now),
      expiredBefore: new Date(now - this.ttlMs),
      abandonedBefore: new Date(now - ABANDONED_AFTER_MS),
    };
    const existing = await this.store.claim(claim);
    if (existing) return { reply: replay(existing, claim), replayed: true };

    let reply: Reply;
    try {
      reply = await execute();
    } catch (err) {
      await this.store.release(request.caller, request.key).catch((cleanup: unknown) => {
        log.error({ err: cleanup }, 'could not free the Idempotency-Key of a failed request');
      });
      throw err;
    }
    if (reply.status >= 500) {
      await this.store.release(request.caller, request.key);
      return { reply, replayed: false };
    }
    try {
      await this.store.complete(request.caller, request.key, reply.status, toStored(reply));
    } catch (err) {
      // The write happened: its answer matters more than the record, which expires as abandoned.
      log.error({ err }, 'could not record the response of an Idempotency-Key');
    }
    return { reply, replayed: false };
  }

  private purgeNowAndThen(now: number, log: Logger): void {
    if (now - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = now;
    this.store.purge(new Date(now - this.ttlMs)).catch((err: unknown) => {
      log.warn({ err }, 'could not purge expired idempotency records');
    });
  }
}

function replay(record: IdempotencyRecord, claim: IdempotencyClaim): Reply {
  if (
    record.method !== claim.method ||
    record.path !== claim.path ||
    record.fingerprint !== claim.fingerprint
  ) {
    const first = `${record.method} ${record.path}`;
    throw new HttpProblem(
      'idempotency-key-reused',
      `This Idempotency-Key was used at ${record.createdAt} for a different request (${first}); use a new key for a new request.`,
    );
  }
  if (record.state !== 'done' || !record.response) {
    throw new HttpProblem(
      'idempotency-key-in-use',
      'The first request with this Idempotency-Key is still being processed; retry later.',
      { headers: { 'Retry-After': '1' } },
    );
  }
  return fromStored(record.response);
}

/** For apps without a database (unit tests): the same semantics, for the life of the process. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly records = new Map<string, IdempotencyRecord & { updatedAt: string }>();

  private static id(caller: string, key: string): string {
    return `${caller}\n${key}`;
  }

  claim(claim: IdempotencyClaim): Promise<IdempotencyRecord | undefined> {
    const id = MemoryIdempotencyStore.id(claim.caller, claim.key);
    const existing = this.records.get(id);
    const stale =
      existing &&
      (existing.createdAt < claim.expiredBefore.toISOString() ||
        (existing.state === 'in-progress' && existing.updatedAt < claim.abandonedBefore.toISOString()));
    if (existing && !stale) return Promise.resolve(existing);
    const now = claim.now.toISOString();
    this.records.set(id, {
      method: claim.method,
      path: claim.path,
      fingerprint: claim.fingerprint,
      state: 'in-progress',
      createdAt: now,
      updatedAt: now,
    });
    return Promise.resolve(undefined);
  }

  complete(caller: string, key: string, status: number, response: StoredResponse): Promise<void> {
    const record = this.records.get(MemoryIdempotencyStore.id(caller, key));
    if (record?.state === 'in-progress') {
      Object.assign(record, { state: 'done', status, response, updatedAt: new Date().toISOString() });
    }
    return Promise.resolve();
  }

  release(caller: string, key: string): Promise<void> {
    const id = MemoryIdempotencyStore.id(caller, key);
    if (this.records.get(id)?.state === 'in-progress') this.records.delete(id);
    return Promise.resolve();
  }

  purge(before: Date): Promise<number> {
    let purged = 0;
    for (const [id, record] of this.records) {
      if (record.createdAt < before.toISOString()) {
        this.records.delete(id);
        purged++;
      }
    }
    return Promise.resolve(purged);
  }
}
