/**
 * Operational counts for dashboards (the API's /metrics): programmes by stage, lapsed
 * certificates, open nonconformities, and approvals waiting on a decision. Read-only queries
 * over the domain tables; nothing here is on a request path that changes data.
 */
import { In, type DataSource, type EntityManager } from 'typeorm';
import { addDuration } from '../domain/durations';
import { STEPS, type ApprovalDef } from '../domain/process-model';
import type { ArtefactKind } from '../domain/vocabulary';
import { ENTITY, type ArtefactRow, type DecisionRow, type ProgrammeRow } from './entities';
import { sqliteQueueFor } from './serial-queue';

export interface OpsSnapshot {
  programmes: { stage: string; status: string; count: number }[];
  /** Active programmes whose certificate has lapsed (the AimsOverdue search attribute). */
  overdueProgrammes: number;
  openNonconformities: { grade: string; status: string; count: number }[];
  /** Approval gates of the current step whose submitted artefact version has no decision yet. */
  pendingApprovals: number;
  /** Of those, the ones waiting longer than `approvalOverdueAfter`. */
  overdueApprovals: number;
}

export interface OpsStatsOptions {
  /** ISO 8601 duration after which a pending approval counts as overdue. */
  approvalOverdueAfter: string;
  now?: () => number;
}

/**
 * Where each approvable artefact is stored. The roadmap is not stored as an artefact (it is the
 * set of assessments and tasks), so its approval is not counted here.
 */
const STORED_AS: Partial<Record<ArtefactKind, { kind: string; key: string }>> = {
  scope: { kind: 'scope', key: '' },
  aiPolicy: { kind: 'policy', key: 'ai-policy' },
  riskTreatmentPlan: { kind: 'riskTreatmentPlan', key: '' },
  soa: { kind: 'soa', key: '' },
  managementReview: { kind: 'managementReview', key: '' },
  certificationBody: { kind: 'certificationBody', key: '' },
};

const APPROVALS_BY_STEP = new Map<string, readonly ApprovalDef[]>(
  STEPS.filter((s) => s.approvals.length > 0).map((s) => [s.id, s.approvals]),
);

/** Keeps IN lists well below every driver's parameter limit. */
const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

export class OpsStats {
  private readonly now: () => number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: OpsStatsOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** On SQLite the reads wait their turn in the DataSource's queue, like every repository's. */
  snapshot(): Promise<OpsSnapshot> {
    const queue = sqliteQueueFor(this.dataSource);
    return queue ? queue.run(() => this.read()) : this.read();
  }

  private async read(): Promise<OpsSnapshot> {
    const em = this.dataSource.manager;
    const programmes = await em
      .getRepository<ProgrammeRow>(ENTITY.programme)
      .createQueryBuilder('p')
      .select('p.stage', 'stage')
      .addSelect('p.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .groupBy('p.stage')
      .addGroupBy('p.status')
      .getRawMany<{ stage: string | null; status: string; count: string | number }>();
    const overdueProgrammes = await em
      .getRepository<ProgrammeRow>(ENTITY.programme)
      .countBy({ status: 'ACTIVE', overdue: true });
    const findings = await em
      .getRepository(ENTITY.finding)
      .createQueryBuilder('f')
      .select('f.grade', 'grade')
      .addSelect('f.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .where('f.grade IN (:...grades)', { grades: ['minor_nc', 'major_nc'] })
      .andWhere('f.status IN (:...open)', { open: ['open', 'action_planned'] })
      .groupBy('f.grade')
      .addGroupBy('f.status')
      .getRawMany<{ grade: string; status: string; count: string | number }>();
    const approvals = await this.approvals(em);
    return {
      programmes: programmes.map((r) => ({
        stage: r.stage ?? 'NONE',
        status: r.status,
        count: Number(r.count),
      })),
      overdueProgrammes,
      openNonconformities: findings.map((r) => ({
        grade: r.grade,
        status: r.status,
        count: Number(r.count),
      })),
      ...approvals,
    };
  }

  private async approvals(
    em: EntityManager,
  ): Promise<{ pendingApprovals: number; overdueApprovals: number }> {
    const active = await em.getRepository<ProgrammeRow>(ENTITY.programme).find({
      select: { id: true, cycle: true, step: true },
      where: { status: 'ACTIVE', step: In([...APPROVALS_BY_STEP.keys()]) },
    });
    let pendingApprovals = 0;
    let overdueApprovals = 0;
    const now = this.now();
    for (const group of chunks(active)) {
      const ids = group.map((p) => p.id);
      const artefacts = await em.getRepository<ArtefactRow>(ENTITY.artefact).find({
        select: { programmeId: true, kind: true, key: true, version: true, submittedAt: true },
        where: { programmeId: In(ids) },
      });
      const decisions = await em.getRepository<DecisionRow>(ENTITY.decision).find({
        select: { programmeId: true, gate: true, artefactVersion: true, stepKey: true },
        where: { programmeId: In(ids) },
      });
      const latest = new Map<string, Pick<ArtefactRow, 'version' | 'submittedAt'>>();
      for (const a of artefacts) {
        const id = `${a.programmeId}|${a.kind}|${a.key}`;
        const seen = latest.get(id);
        if (!seen || a.version > seen.version) latest.set(id, a);
      }
      // Step keys are c<cycle>.<STEP>.<visit>: a decision on any visit of the step in this cycle counts.
      const decided = new Set(
        decisions.map(
          (d) => `${d.programmeId}|${d.gate}|${d.artefactVersion}|${d.stepKey.replace(/\.\d+$/, '')}`,
        ),
      );
      for (const p of group) {
        for (const def of APPROVALS_BY_STEP.get(p.step ?? '') ?? []) {
          const stored = STORED_AS[def.artefact];
          const artefact = stored && latest.get(`${p.id}|${stored.kind}|${stored.key}`);
          if (!artefact) continue;
          if (decided.has(`${p.id}|${def.gate}|${artefact.version}|c${p.cycle}.${p.step}`)) continue;
          pendingApprovals++;
          const submitted = Date.parse(artefact.submittedAt);
          if (addDuration(submitted, this.options.approvalOverdueAfter) <= now) overdueApprovals++;
        }
      }
    }
    return { pendingApprovals, overdueApprovals };
  }
}
