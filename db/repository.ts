/**
 * The one place that reads and writes programme data. Writes are idempotent upserts by primary
 * key, each call in its own transaction, so an activity retried after a crash writes the same
 * rows again and nothing twice. Reads return plain camelCase records, never entity objects.
 */
import type { DataSource, EntityManager, FindOptionsWhere, ObjectLiteral } from 'typeorm';
import type {
  BodyRef,
  FactsPage,
  ProgrammeRecord,
  ProgrammeProgressRecord,
  ProgrammeStatusRecord,
  SaveRecords,
  TransitionRecord,
} from '../domain/contracts/persistence';
import { newFacts, scalarsOf } from '../domain/facts';
import type { AuditRecord, Finding, RoadmapTask } from '../domain/records';
import type { Certificate } from '../domain/views';
import type { ProgrammeStatus } from '../domain/vocabulary';
import { BodyStore } from './body-store';
import { initialiseFacts, loadFactsPage, writeFacts } from './facts-store';
import { writeRecords } from './record-writer';
import {
  ENTITY,
  type ArtefactRow,
  type AssessmentRow,
  type AuditRow,
  type CertificateRow,
  type DecisionRow,
  type FindingRow,
  type ProgrammeRow,
  type TaskRow,
  type TransitionRow,
} from './entities';
import { DuplicateError, isDuplicateKeyError, ProgrammeNotFoundError } from './errors';
import { failPoint } from '../infra/fail-points';
import {
  fromArtefactRow,
  fromAssessmentRow,
  fromAuditRow,
  fromCertificateRow,
  fromDecisionRow,
  fromFindingRow,
  fromProgrammeRow,
  fromTaskRow,
  fromTransitionRow,
  newProgrammeRow,
  toTransitionRow,
  type ArtefactSummary,
  type StoredArtefact,
  type StoredAssessment,
  type StoredDecision,
  type StoredProgramme,
} from './mappers';
import { sqliteQueueFor, type SerialQueue } from './serial-queue';

export type {
  ArtefactSummary,
  StoredArtefact,
  StoredAssessment,
  StoredDecision,
  StoredProgramme,
} from './mappers';

export interface ProgrammeQuery {
  stage?: string;
  organisation?: string;
  status?: ProgrammeStatus;
  limit: number;
  offset: number;
}

export interface Page<T> {
  items: T[];
  total: number;
}

/** Tables keyed by programme, in the order deleteProgramme clears them. */
const CHILD_ENTITIES = [
  ENTITY.transition,
  ENTITY.assessment,
  ENTITY.task,
  ENTITY.artefact,
  ENTITY.audit,
  ENTITY.finding,
  ENTITY.decision,
  ENTITY.certificate,
] as const;

/** Inserts the row unless its primary key is taken; true when it was inserted. */
async function insertUnlessExists<T extends ObjectLiteral>(
  em: EntityManager,
  entity: string,
  row: T,
): Promise<boolean> {
  try {
    await em.getRepository<T>(entity).insert(row);
    return true;
  } catch (err) {
    // A failed statement does not abort the transaction on SQLite or MySQL, so carrying on is safe.
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
}

/** One queue per DataSource, so repositories sharing a connection also share its queue. */
export class ProgrammeRepository {
  /** SQLite work is serialised (see SerialQueue); MySQL work runs on the pool concurrently. */
  private readonly queue: SerialQueue | null;

  private readonly bodies: BodyStore;

  constructor(private readonly dataSource: DataSource) {
    this.queue = sqliteQueueFor(dataSource);
    this.bodies = new BodyStore(dataSource);
  }

  // ---- writes -------------------------------------------------------------------------------

  /** @throws DuplicateError when a programme with this id exists already */
  insertProgramme(programme: ProgrammeRecord & { createdAt: string }): Promise<void> {
    return this.write(async (em) => {
      const inserted = await insertUnlessExists(
        em,
        ENTITY.programme,
        newProgrammeRow(programme, programme.createdAt),
      );
      if (!inserted) throw new DuplicateError(`programme ${programme.programmeId} already exists`);
    });
  }

  /**
   * Creates the programme row if the API has not, else refreshes its identity fields. The
   * status columns are left alone: only recordTransition moves them.
   */
  saveProgramme(programme: ProgrammeRecord, now: string): Promise<void> {
    return this.write(async (em) => {
      await initialiseFacts(
        em,
        scalarsOf(newFacts(programme.programmeId, programme.organisation, programme.config)),
      );
      if (await insertUnlessExists(em, ENTITY.programme, newProgrammeRow(programme, now))) return;
      await em.getRepository<ProgrammeRow>(ENTITY.programme).update(
        { id: programme.programmeId },
        {
          organisation: programme.organisation,
          name: programme.name,
          workflowId: programme.workflowId,
          config: programme.config,
        },
      );
    });
  }

  /** Rolls back a programme whose workflow failed to start; removes anything recorded for it. */
  deleteProgramme(programmeId: string): Promise<void> {
    return this.write(async (em) => {
      for (const entity of CHILD_ENTITIES) await em.getRepository(entity).delete({ programmeId });
      await em.getRepository<ProgrammeRow>(ENTITY.programme).delete({ id: programmeId });
    });
  }

  /**
   * Appends the transition (a replay of an id already stored is ignored) and overwrites the
   * programme's current status with the snapshot; a certificate in it is upserted as well, so
   * the programme columns and the certificates table never disagree.
   * @throws ProgrammeNotFoundError when the programme row does not exist
   */
  recordTransition(transition: TransitionRecord, status: ProgrammeStatusRecord): Promise<void> {
    return this.write(async (em) => {
      const programmes = em.getRepository<ProgrammeRow>(ENTITY.programme);
      if (!(await programmes.existsBy({ id: status.programmeId }))) {
        throw new ProgrammeNotFoundError(status.programmeId);
      }
      await insertUnlessExists(em, ENTITY.transition, toTransitionRow(transition));
      await programmes.update(
        { id: status.programmeId },
        {
          status: status.status,
          cycle: status.cycle,
          step: status.step,
          stage: status.stage,
          overdue: status.overdue,
          nextDueAt: status.nextDueAt,
          certificateStatus: status.certificate?.status ?? null,
          certificateExpiresOn: status.certificate?.expiresOn ?? null,
          updatedAt: transition.at,
        },
      );
    });
  }

  /** The columns that change within a step; the step itself only moves with a transition. */
  recordProgress(progress: ProgrammeProgressRecord): Promise<void> {
    return this.write(async (em) => {
      await em.getRepository<ProgrammeRow>(ENTITY.programme).update(
        { id: progress.programmeId },
        {
          overdue: progress.overdue,
          nextDueAt: progress.nextDueAt,
          certificateStatus: progress.certificate?.status ?? null,
          certificateExpiresOn: progress.certificate?.expiresOn ?? null,
        },
      );
    });
  }

  /**
   * Writes the records and facts one accepted input (or decision, deadline, timer) changed, in
   * one transaction: all of them are stored, or none.
   */
  saveRecords({ programmeId, cycle, changes, scalars }: SaveRecords): Promise<void> {
    return this.write(async (em) => {
      await writeRecords(em, programmeId, cycle, changes);
      await writeFacts(em, programmeId, changes, scalars);
      // Reliability tests stop a worker here: every row written, nothing committed.
      await failPoint('db.before-commit');
    });
  }

  stageBody(programmeId: string, kind: string, body: object): Promise<BodyRef> {
    return this.bodies.stage(programmeId, kind, body);
  }

  discardBody(ref: BodyRef): Promise<void> {
    return this.bodies.discard(ref);
  }

  /** A page of the facts a stage starts from (db/facts-store.ts). */
  loadFacts(
    programmeId: string,
    stepKey: string | undefined,
    cursor: string | undefined,
  ): Promise<FactsPage> {
    return this.read((em) => loadFactsPage(em, programmeId, stepKey, cursor));
  }

  // ---- reads --------------------------------------------------------------------------------

  getProgramme(programmeId: string): Promise<StoredProgramme | null> {
    return this.read(async (em) => {
      const row = await em.getRepository<ProgrammeRow>(ENTITY.programme).findOneBy({ id: programmeId });
      return row === null ? null : fromProgrammeRow(row);
    });
  }

  /** Newest first; `total` counts every match, not just this page. */
  listProgrammes(query: ProgrammeQuery): Promise<Page<StoredProgramme>> {
    return this.read(async (em) => {
      const where: FindOptionsWhere<ProgrammeRow> = {};
      if (query.stage !== undefined) where.stage = query.stage;
      if (query.organisation !== undefined) where.organisation = query.organisation;
      if (query.status !== undefined) where.status = query.status;
      const programmes = em.getRepository<ProgrammeRow>(ENTITY.programme);
      // TypeORM reads `take: 0` as "no limit"; a zero limit asks for the count alone.
      if (query.limit <= 0) return { items: [], total: await programmes.countBy(where) };
      const [rows, total] = await programmes.findAndCount({
        where,
        order: { createdAt: 'DESC', id: 'ASC' },
        take: query.limit,
        skip: query.offset,
      });
      return { items: rows.map(fromProgrammeRow), total };
    });
  }

  listTransitions(programmeId: string): Promise<TransitionRecord[]> {
    return this.read(async (em) => {
      const rows = await em
        .getRepository<TransitionRow>(ENTITY.transition)
        .find({ where: { programmeId }, order: { at: 'ASC', id: 'ASC' } });
      return rows.map(fromTransitionRow);
    });
  }

  listAssessments(programmeId: string, cycle?: number): Promise<StoredAssessment[]> {
    return this.read(async (em) => {
      const rows = await em.getRepository<AssessmentRow>(ENTITY.assessment).find({
        where: cycle === undefined ? { programmeId } : { programmeId, cycle },
        order: { cycle: 'ASC', requirementId: 'ASC' },
      });
      return rows.map(fromAssessmentRow);
    });
  }

  listTasks(programmeId: string): Promise<RoadmapTask[]> {
    return this.read(async (em) => {
      const rows = await em
        .getRepository<TaskRow>(ENTITY.task)
        .find({ where: { programmeId }, order: { deadline: 'ASC', id: 'ASC' } });
      return rows.map(fromTaskRow);
    });
  }

  getTask(programmeId: string, id: string): Promise<RoadmapTask | null> {
    return this.read(async (em) => {
      const row = await em.getRepository<TaskRow>(ENTITY.task).findOneBy({ programmeId, id });
      return row === null ? null : fromTaskRow(row);
    });
  }

  getFinding(programmeId: string, id: string): Promise<Finding | null> {
    return this.read(async (em) => {
      const row = await em.getRepository<FindingRow>(ENTITY.finding).findOneBy({ programmeId, id });
      return row === null ? null : fromFindingRow(row);
    });
  }

  /** Metadata only (bodies can be large); latest version of each kind/key first. */
  listArtefacts(programmeId: string, kind?: string): Promise<ArtefactSummary[]> {
    return this.read(async (em) => {
      const rows = await em.getRepository<ArtefactRow>(ENTITY.artefact).find({
        select: { kind: true, key: true, version: true, sha256: true, submittedAt: true },
        where: kind === undefined ? { programmeId } : { programmeId, kind },
        order: { kind: 'ASC', key: 'ASC', version: 'DESC' },
      });
      return rows.map(({ kind, key, version, sha256, submittedAt }) => ({
        kind,
        key,
        version,
        sha256,
        submittedAt,
      }));
    });
  }

  /** The given version, or the latest one when `version` is omitted; null when absent. */
  getArtefact(
    programmeId: string,
    kind: string,
    key: string,
    version?: number,
  ): Promise<StoredArtefact | null> {
    return this.read(async (em) => {
      const row = await em.getRepository<ArtefactRow>(ENTITY.artefact).findOne({
        where: version === undefined ? { programmeId, kind, key } : { programmeId, kind, key, version },
        order: { version: 'DESC' },
      });
      return row === null ? null : fromArtefactRow(row);
    });
  }

  listAudits(programmeId: string): Promise<AuditRecord[]> {
    return this.read(async (em) => {
      const rows = await em
        .getRepository<AuditRow>(ENTITY.audit)
        .find({ where: { programmeId }, order: { lastDay: 'ASC', id: 'ASC' } });
      return rows.map(fromAuditRow);
    });
  }

  listFindings(programmeId: string): Promise<Finding[]> {
    return this.read(async (em) => {
      const rows = await em
        .getRepository<FindingRow>(ENTITY.finding)
        .find({ where: { programmeId }, order: { raisedAt: 'ASC', id: 'ASC' } });
      return rows.map(fromFindingRow);
    });
  }

  listDecisions(programmeId: string): Promise<StoredDecision[]> {
    return this.read(async (em) => {
      const rows = await em
        .getRepository<DecisionRow>(ENTITY.decision)
        .find({ where: { programmeId }, order: { decidedAt: 'ASC', id: 'ASC' } });
      return rows.map(fromDecisionRow);
    });
  }

  listCertificates(programmeId: string): Promise<Certificate[]> {
    return this.read(async (em) => {
      const rows = await em
        .getRepository<CertificateRow>(ENTITY.certificate)
        .find({ where: { programmeId }, order: { decisionDate: 'ASC', number: 'ASC' } });
      return rows.map(fromCertificateRow);
    });
  }

  /** Resolves when the database answers; used by /readyz. */
  ping(): Promise<void> {
    return this.read(async (em) => {
      await em.query('SELECT 1');
    });
  }

  // ---- plumbing -----------------------------------------------------------------------------

  private write<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.exclusive(() => this.dataSource.transaction(work));
  }

  private read<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.exclusive(() => work(this.dataSource.manager));
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.queue === null ? task() : this.queue.run(task);
  }
}
