/**
 * The AI inventory: scans and imports (one row each, with progress and outcome), the findings
 * of each scan, what each source currently observes, and the merged AI systems. Every write is
 * an idempotent upsert or guarded by the scan's status, so an activity retried after a crash
 * writes the same rows again and applies an outcome once.
 */
import { EntitySchema, In, type DataSource, type EntityManager } from 'typeorm';
import type { ScopeBody } from '../domain/schemas';
import { classifyChange, comparePaths, mergeObservations } from '../domain/inventory/systems';
import type {
  AiSystemObservation,
  AiSystemRecord,
  DiscoveredSystem,
  InventoryDiff,
  ScanFinding,
  ScanOutcome,
  SkippedEntry,
} from '../domain/inventory/types';
import type { DatabaseKind } from './database-url';
import { ENTITY, entityColumns, type ArtefactRow } from './entities';
import { DuplicateError, isDuplicateKeyError } from './errors';
import { sqliteQueueFor, type SerialQueue } from './serial-queue';

export type { ScanOutcome } from '../domain/inventory/types';

export type ScanKind = 'scan' | 'import';
export type ScanStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface ScanRecord {
  programmeId: string;
  id: string;
  kind: ScanKind;
  /** The scanned path, or the import's register name. */
  source: string;
  sourceKey: string;
  inScope: boolean;
  status: ScanStatus;
  filesSeen: number;
  filesScanned: number;
  findings: number;
  result: ScanOutcome | null;
  error: string | null;
  requestedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
}

interface FindingRow {
  programmeId: string;
  scanId: string;
  id: string;
  category: string;
  signature: string;
  body: ScanFinding;
}

interface ObservationRow {
  programmeId: string;
  sourceKey: string;
  systemId: string;
  scanId: string;
  body: AiSystemObservation;
}

interface SystemRow {
  programmeId: string;
  id: string;
  status: AiSystemRecord['status'];
  fingerprint: string;
  body: AiSystemRecord;
  updatedAt: string;
}

export const INVENTORY_ENTITY = {
  scan: 'InventoryScan',
  finding: 'InventoryFinding',
  observation: 'InventoryObservation',
  system: 'AiSystem',
} as const;

export function buildInventoryEntities(kind: DatabaseKind): EntitySchema[] {
  const c = entityColumns(kind);
  return [
    new EntitySchema<ScanRecord>({
      name: INVENTORY_ENTITY.scan,
      tableName: 'inventory_scans',
      columns: {
        programmeId: c.id('programme_id', 64),
        id: c.id('id', 64),
        kind: c.text('kind', 10),
        source: c.longText('source'),
        sourceKey: c.text('source_key', 100),
        inScope: c.bool('in_scope'),
        status: c.text('status', 20),
        filesSeen: c.int('files_seen'),
        filesScanned: c.int('files_scanned'),
        findings: c.int('findings'),
        result: c.json('result', true),
        error: c.longText('error', true),
        requestedAt: c.timestamp('requested_at'),
        startedAt: c.timestamp('started_at', true),
        finishedAt: c.timestamp('finished_at', true),
        updatedAt: c.timestamp('updated_at'),
      },
    }),
    new EntitySchema<FindingRow>({
      name: INVENTORY_ENTITY.finding,
      tableName: 'inventory_findings',
      columns: {
        programmeId: c.id('programme_id', 64),
        scanId: c.id('scan_id', 64),
        id: c.id('id', 40),
        category: c.text('category', 40),
        signature: c.text('signature', 300),
        body: c.json('body'),
      },
    }),
    new EntitySchema<ObservationRow>({
      name: INVENTORY_ENTITY.observation,
      tableName: 'inventory_observations',
      columns: {
        programmeId: c.id('programme_id', 64),
        sourceKey: c.id('source_key', 100),
        systemId: c.id('system_id', 64),
        scanId: c.text('scan_id', 64),
        body: c.json('body'),
      },
      indices: [{ name: 'IDX_inventory_observations_system', columns: ['programmeId', 'systemId'] }],
    }),
    new EntitySchema<SystemRow>({
      name: INVENTORY_ENTITY.system,
      tableName: 'ai_systems',
      columns: {
        programmeId: c.id('programme_id', 64),
        id: c.id('id', 64),
        status: c.text('status', 10),
        fingerprint: c.text('fingerprint', 64),
        body: c.json('body'),
        updatedAt: c.timestamp('updated_at'),
      },
    }),
  ];
}

export type NewScan = Pick<
  ScanRecord,
  'programmeId' | 'id' | 'kind' | 'source' | 'sourceKey' | 'inScope' | 'requestedAt'
>;

export interface ScanProgress {
  filesSeen: number;
  filesScanned: number;
  findings: number;
}

/** Rows per statement, under every driver's parameter limit. */
const BATCH = 100;

export class InventoryRepository {
  private readonly queue: SerialQueue | null;

  constructor(private readonly dataSource: DataSource) {
    this.queue = sqliteQueueFor(dataSource);
  }

  // ---- scans ------------------------------------------------------------------------------

  /** @throws DuplicateError when the scan id is taken */
  insertScan(scan: NewScan): Promise<void> {
    return this.write(async (em) => {
      const row: ScanRecord = {
        ...scan,
        status: 'queued',
        filesSeen: 0,
        filesScanned: 0,
        findings: 0,
        result: null,
        error: null,
        startedAt: null,
        finishedAt: null,
        updatedAt: scan.requestedAt,
      };
      try {
        await em.getRepository<ScanRecord>(INVENTORY_ENTITY.scan).insert(row);
      } catch (err) {
        if (isDuplicateKeyError(err)) throw new DuplicateError(`scan ${scan.id} already exists`);
        throw err;
      }
    });
  }

  /** Rolls back a scan whose workflow did not start. */
  deleteScan(programmeId: string, scanId: string): Promise<void> {
    return this.write(async (em) => {
      await em.getRepository(INVENTORY_ENTITY.finding).delete({ programmeId, scanId });
      await em.getRepository(INVENTORY_ENTITY.scan).delete({ programmeId, id: scanId });
    });
  }

  /** Moves a queued scan to running; a retry of a running scan keeps its first start time. */
  markRunning(programmeId: string, scanId: string, at: string): Promise<void> {
    return this.write(async (em) => {
      await em
        .getRepository<ScanRecord>(INVENTORY_ENTITY.scan)
        .update(
          { programmeId, id: scanId, status: 'queued' },
          { status: 'running', startedAt: at, updatedAt: at },
        );
    });
  }

  /** Progress of a running scan; the activity calls it at each checkpoint. */
  updateProgress(programmeId: string, scanId: string, progress: ScanProgress, at: string): Promise<void> {
    return this.write(async (em) => {
      await em
        .getRepository<ScanRecord>(INVENTORY_ENTITY.scan)
        .update({ programmeId, id: scanId, status: 'running' }, { ...progress, updatedAt: at });
    });
  }

  /** Upserts by finding id, so a batch processed again after a crash is stored once. */
  saveFindings(programmeId: string, scanId: string, findings: readonly ScanFinding[]): Promise<void> {
    return this.write(async (em) => {
      const rows: FindingRow[] = findings.map((f) => ({
        programmeId,
        scanId,
        id: f.id,
        category: f.category,
        signature: f.signature,
        body: f,
      }));
      for (let i = 0; i < rows.length; i += BATCH) {
        await em
          .getRepository<FindingRow>(INVENTORY_ENTITY.finding)
          .upsert(rows.slice(i, i + BATCH), { conflictPaths: ['programmeId', 'scanId', 'id'] });
      }
    });
  }

  /** Findings of one scan in listing order (path, then line, then cell). */
  listFindings(programmeId: string, scanId: string): Promise<ScanFinding[]> {
    return this.read(async (em) => {
      const rows = await em
        .getRepository<FindingRow>(INVENTORY_ENTITY.finding)
        .find({ where: { programmeId, scanId } });
      return rows
        .map((r) => r.body)
        .sort(
          (a, b) =>
            comparePaths(a.path, b.path) ||
            (a.cell ?? -1) - (b.cell ?? -1) ||
            (a.line ?? 0) - (b.line ?? 0) ||
            (a.category < b.category ? -1 : a.category > b.category ? 1 : 0) ||
            (a.signature < b.signature ? -1 : a.signature > b.signature ? 1 : 0),
        );
    });
  }

  failScan(programmeId: string, scanId: string, error: string, at: string): Promise<void> {
    return this.write(async (em) => {
      // A completed scan stays completed: a late failure report must not undo its outcome.
      await em
        .getRepository<ScanRecord>(INVENTORY_ENTITY.scan)
        .update(
          { programmeId, id: scanId, status: In(['queued', 'running']) },
          { status: 'failed', error: error.slice(0, 4000), finishedAt: at, updatedAt: at },
        );
    });
  }

  getScan(programmeId: string, scanId: string): Promise<ScanRecord | null> {
    return this.read((em) =>
      em.getRepository<ScanRecord>(INVENTORY_ENTITY.scan).findOneBy({ programmeId, id: scanId }),
    );
  }

  listScans(programmeId: string): Promise<ScanRecord[]> {
    return this.read((em) =>
      em
        .getRepository<ScanRecord>(INVENTORY_ENTITY.scan)
        .find({ where: { programmeId }, order: { requestedAt: 'DESC', id: 'ASC' } }),
    );
  }

  // ---- systems ----------------------------------------------------------------------------

  listSystems(programmeId: string): Promise<AiSystemRecord[]> {
    return this.read(async (em) => {
      const rows = await em
        .getRepository<SystemRow>(INVENTORY_ENTITY.system)
        .find({ where: { programmeId }, order: { id: 'ASC' } });
      return rows.map((r) => r.body);
    });
  }

  /**
   * Replaces what one source observes with `observations`, re-merges every system it touched,
   * and completes the scan with the resulting diff, all in one transaction. A scan already
   * completed returns its stored outcome instead, so a retried activity applies nothing twice.
   */
  applyObservations(input: {
    programmeId: string;
    scanId: string;
    observations: readonly AiSystemObservation[];
    progress: ScanProgress;
    skipped: SkippedEntry[];
    attempts?: number;
    resumedFrom?: string;
    at: string;
  }): Promise<ScanOutcome> {
    const { programmeId, scanId, at } = input;
    return this.write(async (em) => {
      const scans = em.getRepository<ScanRecord>(INVENTORY_ENTITY.scan);
      const scan = await scans.findOneBy({ programmeId, id: scanId });
      if (!scan) throw new Error(`scan ${scanId} of programme ${programmeId} is not recorded`);
      if (scan.status === 'completed' && scan.result) return scan.result;

      const observationsRepo = em.getRepository<ObservationRow>(INVENTORY_ENTITY.observation);
      const previous = await observationsRepo.findBy({ programmeId, sourceKey: scan.sourceKey });
      await observationsRepo.delete({ programmeId, sourceKey: scan.sourceKey });
      const fresh: ObservationRow[] = input.observations.map((o) => ({
        programmeId,
        sourceKey: scan.sourceKey,
        systemId: o.id,
        scanId,
        body: o,
      }));
      for (let i = 0; i < fresh.length; i += BATCH) await observationsRepo.insert(fresh.slice(i, i + BATCH));

      const touched = [
        ...new Set([...previous.map((p) => p.systemId), ...fresh.map((f) => f.systemId)]),
      ].sort();
      const scope = await latestScope(em, programmeId);
      const systems = em.getRepository<SystemRow>(INVENTORY_ENTITY.system);
      const diff: InventoryDiff = { new: [], changed: [], gone: [], unchanged: 0 };
      const newInScope: DiscoveredSystem[] = [];
      for (const systemId of touched) {
        const stored = await systems.findOneBy({ programmeId, id: systemId });
        const all = await observationsRepo.findBy({ programmeId, systemId });
        const merged =
          all.length === 0
            ? undefined
            : mergeObservations(
                all.map((o) => ({ sourceKey: o.sourceKey, observation: o.body })),
                {
                  firstSeenAt: stored?.status === 'active' ? stored.body.firstSeenAt : at,
                  updatedAt: at,
                  lastScanId: scanId,
                },
              );
        const change = classifyChange(stored ?? undefined, merged);
        if (change === undefined) continue;
        if (change === 'unchanged') {
          diff.unchanged++;
          continue;
        }
        diff[change].push(systemId);
        if (merged) {
          await systems.save({
            programmeId,
            id: systemId,
            status: 'active',
            fingerprint: merged.fingerprint,
            body: merged,
            updatedAt: at,
          });
          // A system the scope lists already needs its impact assessment (the implementation
          // gate asks for it); only systems new to the programme need a task to be planned.
          const listed = scope?.aiSystems.some((s) => s.id === merged.id) ?? false;
          if (change === 'new' && !listed && inScope(merged, scope))
            newInScope.push({ id: merged.id, name: merged.name, owner: merged.owner });
        } else if (stored) {
          const gone: AiSystemRecord = {
            ...stored.body,
            status: 'gone',
            sources: [],
            updatedAt: at,
            lastScanId: scanId,
          };
          await systems.save({ ...stored, status: 'gone', body: gone, updatedAt: at });
        }
      }

      const outcome: ScanOutcome = {
        diff,
        newInScope,
        skipped: input.skipped.slice(0, 1000),
        ...(input.attempts === undefined ? {} : { attempts: input.attempts }),
        ...(input.resumedFrom === undefined ? {} : { resumedFrom: input.resumedFrom }),
      };
      await scans.update(
        { programmeId, id: scanId },
        {
          ...input.progress,
          status: 'completed',
          result: outcome,
          finishedAt: at,
          updatedAt: at,
          startedAt: scan.startedAt ?? at,
        },
      );
      return outcome;
    });
  }

  /** The latest submitted scope, whose AI systems count as registered. */
  latestScope(programmeId: string): Promise<ScopeBody | undefined> {
    return this.read((em) => latestScope(em, programmeId));
  }

  // ---- plumbing -----------------------------------------------------------------------------

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

async function latestScope(em: EntityManager, programmeId: string): Promise<ScopeBody | undefined> {
  const row = await em
    .getRepository<ArtefactRow>(ENTITY.artefact)
    .findOne({ where: { programmeId, kind: 'scope', key: '' }, order: { version: 'DESC' } });
  return row ? (row.body as ScopeBody) : undefined;
}

/** The scope decides for the systems it lists; otherwise the source said (default: in scope). */
export function inScope(
  system: Pick<AiSystemRecord, 'id' | 'inScope'>,
  scope: ScopeBody | undefined,
): boolean {
  const listed = scope?.aiSystems.find((s) => s.id === system.id);
  return listed ? listed.inScope : (system.inScope ?? true);
}
