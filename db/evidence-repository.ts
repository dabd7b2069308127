/**
 * The evidence register. Rows are only ever inserted: a new upload under an existing key is the
 * next version, and nothing in the code updates or deletes an evidence row.
 */
import { EntitySchema, type DataSource, type EntityManager } from 'typeorm';
import type { DatabaseKind } from './database-url';
import { entityColumns } from './entities';
import { isDuplicateKeyError } from './errors';
import { sqliteQueueFor, type SerialQueue } from './serial-queue';

export interface EvidenceRecord {
  programmeId: string;
  id: string;
  key: string;
  version: number;
  title: string;
  source: 'file' | 'url';
  url: string | null;
  fileName: string | null;
  mediaType: string | null;
  size: number;
  sha256: string;
  owner: string;
  requirementIds: string[];
  aiSystemIds: string[];
  reviewOn: string | null;
  expiresOn: string | null;
  createdAt: string;
}

export const EVIDENCE_ENTITY = 'Evidence';

export function buildEvidenceEntity(kind: DatabaseKind): EntitySchema<EvidenceRecord> {
  const c = entityColumns(kind);
  return new EntitySchema<EvidenceRecord>({
    name: EVIDENCE_ENTITY,
    tableName: 'evidence',
    columns: {
      programmeId: c.id('programme_id', 64),
      id: c.id('id', 64),
      key: c.text('evidence_key', 64),
      version: c.int('version'),
      title: c.text('title', 300),
      source: c.text('source', 10),
      url: c.longText('url', true),
      fileName: c.text('file_name', 255, true),
      mediaType: c.text('media_type', 150, true),
      size: c.int('size'),
      sha256: c.text('sha256', 64),
      owner: c.text('owner', 320),
      requirementIds: c.json('requirement_ids'),
      aiSystemIds: c.json('ai_system_ids'),
      reviewOn: c.timestamp('review_on', true),
      expiresOn: c.timestamp('expires_on', true),
      createdAt: c.timestamp('created_at'),
    },
    indices: [{ name: 'UQ_evidence_key_version', columns: ['programmeId', 'key', 'version'], unique: true }],
  });
}

export type NewEvidence = Omit<EvidenceRecord, 'version'>;

export class EvidenceRepository {
  private readonly queue: SerialQueue | null;

  constructor(private readonly dataSource: DataSource) {
    this.queue = sqliteQueueFor(dataSource);
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.queue ? this.queue.run(task) : task();
  }

  /** Inserts the next version of `key`; retried when a concurrent upload took the same version. */
  async insertNextVersion(evidence: NewEvidence): Promise<EvidenceRecord> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.exclusive(() =>
          this.dataSource.transaction(async (em: EntityManager) => {
            const latest = await em
              .getRepository<EvidenceRecord>(EVIDENCE_ENTITY)
              .createQueryBuilder('e')
              .select('MAX(e.version)', 'version')
              .where('e.programmeId = :p AND e.key = :k', { p: evidence.programmeId, k: evidence.key })
              .getRawOne<{ version: number | string | null }>();
            const row: EvidenceRecord = { ...evidence, version: Number(latest?.version ?? 0) + 1 };
            await em.getRepository<EvidenceRecord>(EVIDENCE_ENTITY).insert(row);
            return row;
          }),
        );
      } catch (err) {
        if (!isDuplicateKeyError(err) || attempt >= 5) throw err;
      }
    }
  }

  list(programmeId: string): Promise<EvidenceRecord[]> {
    return this.exclusive(() =>
      this.dataSource.manager
        .getRepository<EvidenceRecord>(EVIDENCE_ENTITY)
        .find({ where: { programmeId }, order: { key: 'ASC', version: 'DESC' } }),
    );
  }

  get(programmeId: string, id: string): Promise<EvidenceRecord | null> {
    return this.exclusive(() =>
      this.dataSource.manager.getRepository<EvidenceRecord>(EVIDENCE_ENTITY).findOneBy({ programmeId, id }),
    );
  }
}
