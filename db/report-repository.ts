/**
 * Generated reports: one row per (programme, kind, key, version, format) holding the rendered
 * bytes and their SHA-256. Rows are only inserted, a version's formats all in one transaction,
 * so a version is complete or absent and never changes once stored.
 */
import { EntitySchema, type DataSource, type EntityManager, type EntitySchemaColumnOptions } from 'typeorm';
import type {
  ReportFileSummary,
  ReportFormat,
  ReportKind,
  ReportVersionSummary,
} from '../domain/report-kinds';
import type { DatabaseKind } from './database-url';
import { entityColumns } from './entities';
import { DuplicateError, isDuplicateKeyError } from './errors';
import { sqliteQueueFor, type SerialQueue } from './serial-queue';

interface ReportRow {
  programmeId: string;
  kind: ReportKind;
  key: string;
  version: number;
  format: ReportFormat;
  contentType: string;
  sha256: string;
  byteSize: number;
  content: Buffer;
  sourceSha256: string;
  modelSha256: string;
  meta: { artefactVersion?: number };
  generatedAt: string;
}

export const REPORT_ENTITY = 'Report';

export function buildReportEntity(kind: DatabaseKind): EntitySchema<ReportRow> {
  const c = entityColumns(kind);
  const blob: EntitySchemaColumnOptions = { name: 'content', type: kind === 'mysql' ? 'longblob' : 'blob' };
  return new EntitySchema<ReportRow>({
    name: REPORT_ENTITY,
    tableName: 'reports',
    columns: {
      programmeId: c.id('programme_id', 64),
      kind: c.id('kind', 40),
      key: c.id('report_key', 128),
      version: c.int('version', true),
      format: c.id('format', 10),
      contentType: c.text('content_type', 100),
      sha256: c.text('sha256', 64),
      byteSize: c.int('byte_size'),
      content: blob,
      sourceSha256: c.text('source_sha256', 64),
      modelSha256: c.text('model_sha256', 64),
      meta: c.json('meta'),
      generatedAt: c.timestamp('generated_at'),
    },
    indices: [{ name: 'IDX_reports_sha256', columns: ['programmeId', 'sha256'] }],
  });
}

export interface NewReportVersion {
  programmeId: string;
  kind: ReportKind;
  key: string;
  version: number;
  sourceSha256: string;
  generatedAt: string;
  artefactVersion?: number;
  files: { format: ReportFormat; contentType: string; content: Buffer; sha256: string }[];
}

export interface ReportFile extends ReportFileSummary {
  content: Buffer;
  version: ReportVersionSummary;
}

const WITHOUT_CONTENT = {
  programmeId: true,
  kind: true,
  key: true,
  version: true,
  format: true,
  contentType: true,
  sha256: true,
  byteSize: true,
  sourceSha256: true,
  modelSha256: true,
  meta: true,
  generatedAt: true,
} as const;

/** Groups rows of one or more versions into summaries, newest version first per report. */
function summarise(rows: readonly Omit<ReportRow, 'content'>[]): ReportVersionSummary[] {
  const byVersion = new Map<string, Omit<ReportRow, 'content'>[]>();
  for (const row of rows) {
    const id = JSON.stringify([row.kind, row.key, row.version]);
    byVersion.set(id, [...(byVersion.get(id) ?? []), row]);
  }
  const order: ReportFormat[] = ['pdf', 'xlsx', 'csv', 'json'];
  return [...byVersion.values()]
    .map((files) => {
      const first = files[0];
      return {
        programmeId: first.programmeId,
        kind: first.kind,
        key: first.key,
        version: first.version,
        sha256: first.modelSha256,
        sourceSha256: first.sourceSha256,
        generatedAt: first.generatedAt,
        ...(first.meta.artefactVersion === undefined ? {} : { artefactVersion: first.meta.artefactVersion }),
        created: true,
        files: [...files]
          .sort((a, b) => order.indexOf(a.format) - order.indexOf(b.format))
          .map((f) => ({
            format: f.format,
            contentType: f.contentType,
            sha256: f.sha256,
            bytes: f.byteSize,
          })),
      };
    })
    .sort((a, b) =>
      a.kind !== b.kind
        ? a.kind < b.kind
          ? -1
          : 1
        : a.key !== b.key
          ? a.key < b.key
            ? -1
            : 1
          : b.version - a.version,
    );
}

export class ReportRepository {
  private readonly queue: SerialQueue | null;

  constructor(private readonly dataSource: DataSource) {
    this.queue = sqliteQueueFor(dataSource);
  }

  /** The newest version of one report, or null when none was generated. */
  latest(programmeId: string, kind: ReportKind, key: string): Promise<ReportVersionSummary | null> {
    return this.read(async (em) => {
      const repo = em.getRepository<ReportRow>(REPORT_ENTITY);
      const newest = await repo.findOne({
        select: { version: true },
        where: { programmeId, kind, key },
        order: { version: 'DESC' },
      });
      if (!newest) return null;
      const rows = await repo.find({
        select: WITHOUT_CONTENT,
        where: { programmeId, kind, key, version: newest.version },
      });
      return summarise(rows)[0] ?? null;
    });
  }

  /** @throws DuplicateError when another generation stored this version first */
  insertVersion(v: NewReportVersion): Promise<void> {
    const modelSha256 = v.files.find((f) => f.format === 'json')?.sha256 ?? v.files[0].sha256;
    return this.write(async (em) => {
      const rows: ReportRow[] = v.files.map((f) => ({
        programmeId: v.programmeId,
        kind: v.kind,
        key: v.key,
        version: v.version,
        format: f.format,
        contentType: f.contentType,
        sha256: f.sha256,
        byteSize: f.content.length,
        content: f.content,
        sourceSha256: v.sourceSha256,
        modelSha256,
        meta: v.artefactVersion === undefined ? {} : { artefactVersion: v.artefactVersion },
        generatedAt: v.generatedAt,
      }));
      try {
        await em.getRepository<ReportRow>(REPORT_ENTITY).insert(rows);
      } catch (err) {
        if (isDuplicateKeyError(err))
          throw new DuplicateError(`${v.kind} report version ${v.version} already exists`);
        throw err;
      }
    });
  }

  /** Every stored version of every report of the programme, without content. */
  list(programmeId: string, kind?: ReportKind): Promise<ReportVersionSummary[]> {
    return this.read(async (em) => {
      const rows = await em.getRepository<ReportRow>(REPORT_ENTITY).find({
        select: WITHOUT_CONTENT,
        where: kind === undefined ? { programmeId } : { programmeId, kind },
      });
      return summarise(rows);
    });
  }

  /** One rendered file: the given version, or the newest. */
  getFile(
    programmeId: string,
    kind: ReportKind,
    key: string,
    format: ReportFormat,
    version?: number,
  ): Promise<ReportFile | null> {
    return this.read(async (em) => {
      const repo = em.getRepository<ReportRow>(REPORT_ENTITY);
      const wanted =
        version ??
        (
          await repo.findOne({
            select: { version: true },
            where: { programmeId, kind, key },
            order: { version: 'DESC' },
          })
        )?.version;
      if (wanted === undefined) return null;
      const file = await repo.findOneBy({ programmeId, kind, key, version: wanted, format });
      if (!file) return null;
      const siblings = await repo.find({
        select: WITHOUT_CONTENT,
        where: { programmeId, kind, key, version: wanted },
      });
      return {
        format: file.format,
        contentType: file.contentType,
        sha256: file.sha256,
        bytes: file.byteSize,
        content: Buffer.from(file.content),
        version: summarise(siblings)[0],
      };
    });
  }

  /** The report version whose JSON (or any rendered file) has this SHA-256: how an approval finds what it bound. */
  findBySha256(programmeId: string, sha256: string): Promise<ReportVersionSummary | null> {
    return this.read(async (em) => {
      const repo = em.getRepository<ReportRow>(REPORT_ENTITY);
      const hit = await repo.findOne({
        select: WITHOUT_CONTENT,
        where: [
          { programmeId, sha256 },
          { programmeId, modelSha256: sha256 },
        ],
      });
      if (!hit) return null;
      const rows = await repo.find({
        select: WITHOUT_CONTENT,
        where: { programmeId, kind: hit.kind, key: hit.key, version: hit.version },
      });
      return summarise(rows)[0] ?? null;
    });
  }

  private write<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.exclusive(() => this.dataSource.transaction(work));
  }

  private read<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.exclusive(() => work(this.dataSource.manager));
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.queue ? this.queue.run(task) : task();
  }
}
