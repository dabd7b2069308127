/**
 * The audit trail's table. This class can append and read, and nothing else: no code path
 * updates or deletes an audit event (verification would report it if anything did).
 */
import { EntitySchema, QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import { linkEvent, type AuditDraft, type AuditEvent, type AuditHead } from '../domain/audit-chain';
import type { DatabaseKind } from './database-url';
import { entityColumns } from './entities';
import { isDuplicateKeyError } from './errors';
import { sqliteQueueFor, type SerialQueue } from './serial-queue';

export const AUDIT_ENTITY = 'AuditEvent';

export function buildAuditEntity(kind: DatabaseKind): EntitySchema<AuditEvent> {
  const c = entityColumns(kind);
  return new EntitySchema<AuditEvent>({
    name: AUDIT_ENTITY,
    tableName: 'audit_events',
    columns: {
      chainId: c.id('chain_id', 64),
      seq: c.int('seq', true),
      at: c.timestamp('at'),
      actorId: c.text('actor_id', 320),
      actorRole: c.text('actor_role', 40),
      action: c.text('action', 120),
      subject: c.text('subject', 300, true),
      beforeDigest: c.text('before_digest', 64, true),
      afterDigest: c.text('after_digest', 64, true),
      temporalEvent: c.json('temporal_event', true),
      dedupeKey: c.text('dedupe_key', 255, true),
      prevHash: c.text('prev_hash', 64),
      hash: c.text('hash', 64),
    },
    indices: [{ name: 'UQ_audit_events_dedupe', columns: ['dedupeKey'], unique: true }],
  });
}

/** How often an append retries after another appender took the sequence number it wanted. */
const MAX_ATTEMPTS = 20;

/**
 * The API and the worker are separate processes on one SQLite file in production: a read-then-
 * insert transaction that another process overtook fails with SQLITE_BUSY(_SNAPSHOT) rather than
 * waiting, and is simply tried again on the new head.
 */
function isSqliteBusy(err: unknown): boolean {
  const driverError: unknown = err instanceof QueryFailedError ? err.driverError : err;
  const code =
    typeof driverError === 'object' && driverError !== null
      ? (driverError as { code?: unknown }).code
      : undefined;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

export class AuditRepository {
  private readonly queue: SerialQueue | null;

  constructor(private readonly dataSource: DataSource) {
    this.queue = sqliteQueueFor(dataSource);
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.queue ? this.queue.run(task) : task();
  }

  /**
   * Links the draft to the chain's head and inserts it. A duplicate primary key means another
   * appender got there first: link to the new head and try again. A duplicate dedupe key means
   * this very event was appended before (a retried activity): the stored one is returned.
   */
  async append(draft: AuditDraft): Promise<AuditEvent> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.exclusive(() =>
          this.dataSource.transaction(async (em) => {
            const existing = await this.byDedupeKey(em, draft.dedupeKey);
            if (existing) return existing;
            const event = linkEvent(draft, await this.headIn(em, draft.chainId));
            await em.getRepository<AuditEvent>(AUDIT_ENTITY).insert(event);
            return event;
          }),
        );
      } catch (err) {
        if (!(isDuplicateKeyError(err) || isSqliteBusy(err)) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }

  /** Every event of a chain, in chain order. */
  list(chainId: string): Promise<AuditEvent[]> {
    return this.exclusive(() =>
      this.dataSource.manager
        .getRepository<AuditEvent>(AUDIT_ENTITY)
        .find({ where: { chainId }, order: { seq: 'ASC' } }),
    );
  }

  head(chainId: string): Promise<AuditHead | null> {
    return this.exclusive(() => this.headIn(this.dataSource.manager, chainId));
  }

  /** Every chain id that has events. */
  async chains(): Promise<string[]> {
    const rows = await this.exclusive(() =>
      this.dataSource.manager
        .getRepository<AuditEvent>(AUDIT_ENTITY)
        .createQueryBuilder('e')
        .select('DISTINCT e.chainId', 'chainId')
        .orderBy('chainId', 'ASC')
        .getRawMany<{ chainId: string }>(),
    );
    return rows.map((r) => r.chainId);
  }

  private async headIn(em: EntityManager, chainId: string): Promise<AuditHead | null> {
    const last = await em
      .getRepository<AuditEvent>(AUDIT_ENTITY)
      .findOne({ where: { chainId }, order: { seq: 'DESC' }, select: { seq: true, hash: true } });
    return last ? { seq: Number(last.seq), hash: last.hash } : null;
  }

  private async byDedupeKey(em: EntityManager, dedupeKey: string | null): Promise<AuditEvent | null> {
    if (dedupeKey === null) return null;
    return em.getRepository<AuditEvent>(AUDIT_ENTITY).findOneBy({ dedupeKey });
  }
}
