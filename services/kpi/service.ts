/**
 * Loads a programme's records, computes its KPIs and readiness, and stores snapshots. Used by
 * the scheduled activity and by the API's on-demand snapshot alike, so both mean the same.
 */
import { REQUIREMENTS } from '../../domain/catalogue/iso42001';
import type { EvidenceRepository } from '../../db/evidence-repository';
import type { InventoryRepository } from '../../db/inventory-repository';
import type { KpiRepository, KpiSnapshot } from '../../db/kpi-repository';
import type {
  ArtefactSummary,
  ProgrammeRepository,
  StoredDecision,
  StoredProgramme,
} from '../../db/repository';
import { approvalPolicy } from '../../domain/approvals';
import { artefactLocation } from '../../domain/artefacts';
import { addDuration } from '../../domain/durations';
import { STEPS } from '../../domain/process-model';
import type { ManagementReviewBody, ScopeBody, SoaEntry } from '../../domain/schemas';
import { buildInventoryView } from '../../domain/inventory/view';
import { evidenceCoverage } from '../evidence/coverage';
import { computeKpis, type Kpis } from '../../domain/kpis/compute';
import { compileReviewInputs, type ReviewInputs } from '../../domain/kpis/management-review-inputs';
import { readiness, type Readiness, type ReadinessFacts } from '../../domain/kpis/readiness';
import type { AuditRecord, Finding } from '../../domain/records';

export interface KpiReport {
  programmeId: string;
  cycle: number;
  status: string;
  kpis: Kpis;
  readiness: Readiness;
}

/**
 * Approvals of the current step awaiting a decision past the programme's approval expiry
 * (`approvalExpiry`, counted from the submission of the artefact version awaiting it).
 */
export function overdueApprovals(
  programme: Pick<StoredProgramme, 'status' | 'step' | 'cycle' | 'config'>,
  artefacts: readonly ArtefactSummary[],
  decisions: readonly Pick<StoredDecision, 'gate' | 'artefactVersion' | 'stepKey'>[],
  now: number,
): number {
  if (programme.status !== 'ACTIVE' || !programme.step) return 0;
  const step = STEPS.find((st) => st.id === programme.step);
  const expiry = approvalPolicy(programme.config).expiry;
  const stepPrefix = `c${programme.cycle}.${programme.step}.`;
  let overdue = 0;
  for (const def of step?.approvals ?? []) {
    const where = artefactLocation(def.artefact);
    if (!where) continue;
    const latest = artefacts
      .filter((a) => a.kind === where.kind && a.key === where.key)
      .sort((a, b) => b.version - a.version)[0];
    if (!latest) continue;
    const decided = decisions.some(
      (d) => d.gate === def.gate && d.artefactVersion === latest.version && d.stepKey.startsWith(stepPrefix),
    );
    if (!decided && addDuration(Date.parse(latest.submittedAt), expiry) <= now) overdue++;
  }
  return overdue;
}

/** Stage 1 areas of concern (its observations) and whether a stage 2 has been held since. */
export function stage1Facts(
  audits: readonly Pick<AuditRecord, 'audit'>[],
  findings: readonly Pick<Finding, 'audit' | 'grade' | 'requirementId' | 'description'>[],
): Pick<ReadinessFacts, 'stage1Concerns' | 'stage2Held'> {
  return {
    stage1Concerns: findings
      .filter((f) => f.audit === 'stage1' && f.grade !== 'conformity')
      .map((f) => ({ requirementId: f.requirementId, description: f.description })),
    stage2Held: audits.some((a) => a.audit === 'stage2'),
  };
}

export class KpiService {
  constructor(
    private readonly programmes: ProgrammeRepository,
    private readonly evidence: EvidenceRepository,
    private readonly snapshots: KpiRepository,
    /** The AI inventory; without it inventory completeness is unknown (null). */
    private readonly inventory?: InventoryRepository,
  ) {}

  /** @returns null when the programme does not exist */
  async compute(programmeId: string, now: number): Promise<KpiReport | null> {
    const p = this.programmes;
    const programme = await p.getProgramme(programmeId);
    if (!programme) return null;
    const [scope, soa, impact, tasks, findings, audits, assessments, decisions, policies, evidence, systems] =
      await Promise.all([
        p.getArtefact(programmeId, 'scope', ''),
        p.getArtefact(programmeId, 'soa', ''),
        p.listArtefacts(programmeId, 'impactAssessment'),
        p.listTasks(programmeId),
        p.listFindings(programmeId),
        p.listAudits(programmeId),
        p.listAssessments(programmeId),
        p.listDecisions(programmeId),
        p.listArtefacts(programmeId),
        this.evidence.list(programmeId),
        this.inventory ? this.inventory.listSystems(programmeId) : Promise.resolve(undefined),
      ]);
    const impactAssessedSystemIds = [...new Set(impact.map((a) => a.key))];
    const soaEntries = soa ? (soa.body as { entries: SoaEntry[] }).entries : undefined;
    const latestVersion = (kind: string, key = '') =>
      Math.max(0, ...policies.filter((a) => a.kind === kind && a.key === key).map((a) => a.version));
    // An approval counts only for the artefact version that is current now.
    const approved = (gate: string, kind: string, key = '') =>
      decisions.some(
        (d) => d.gate === gate && d.outcome === 'approved' && d.artefactVersion === latestVersion(kind, key),
      );
    const kpis = computeKpis({
      now,
      cycle: programme.cycle,
      scope: scope?.body as ScopeBody | undefined,
      soa: soaEntries,
      impactAssessedSystemIds,
      tasks,
      findings,
      audits,
      evidenceCoverage: evidenceCoverage(soaEntries, evidence, now).ratio,
      ...(systems
        ? { inventory: buildInventoryView(systems, scope?.body as ScopeBody | undefined).systems }
        : {}),
      overdueApprovals: overdueApprovals(programme, policies, decisions, now),
    });
    return {
      programmeId,
      cycle: programme.cycle,
      status: programme.status,
      kpis,
      readiness: readiness({
        now,
        kpis,
        allRequirementsAssessed:
          new Set(assessments.map((a) => a.requirementId)).size === REQUIREMENTS.length,
        aiPolicyApproved: approved('ai_policy', 'policy', 'ai-policy'),
        soaApproved: approved('soa', 'soa'),
        riskTreatmentApproved: approved('risk_treatment_plan', 'riskTreatmentPlan'),
        internalAuditHeld: audits.some((a) => a.audit === 'internal'),
        managementReviewSignedOff: approved('management_review', 'managementReview'),
        tasks,
        ...stage1Facts(audits, findings),
      }),
    };
  }

  async snapshot(
    programmeId: string,
    id: string,
    trigger: KpiSnapshot['trigger'],
    now: number,
  ): Promise<KpiSnapshot | null> {
    const report = await this.compute(programmeId, now);
    if (!report) return null;
    return this.snapshots.save({
      programmeId,
      id,
      cycle: report.cycle,
      trigger,
      takenAt: new Date(now).toISOString(),
      kpis: report.kpis,
      readiness: report.readiness,
    });
  }

  list(programmeId: string): Promise<KpiSnapshot[]> {
    return this.snapshots.list(programmeId);
  }

  /** Every version of one artefact kind, oldest first, with bodies. */
  private async versions<T>(programmeId: string, kind: string) {
    const summaries = (await this.programmes.listArtefacts(programmeId, kind)).sort(
      (a, b) => a.version - b.version,
    );
    const full = await Promise.all(
      summaries.map((a) => this.programmes.getArtefact(programmeId, kind, a.key, a.version)),
    );
    return full
      .filter((a) => a !== null)
      .map((a) => ({ version: a.version, submittedAt: a.submittedAt, body: a.body as T }));
  }

  /** @returns null when the programme does not exist */
  async reviewInputs(programmeId: string, now: number): Promise<ReviewInputs | null> {
    if (!(await this.programmes.getProgramme(programmeId))) return null;
    const [scopes, reviews, tasks, audits, findings, kpiSnapshots] = await Promise.all([
      this.versions<ScopeBody>(programmeId, 'scope'),
      this.versions<ManagementReviewBody>(programmeId, 'managementReview'),
      this.programmes.listTasks(programmeId),
      this.programmes.listAudits(programmeId),
      this.programmes.listFindings(programmeId),
      this.snapshots.list(programmeId),
    ]);
    return compileReviewInputs({ now, scopes, reviews, tasks, audits, findings, kpiSnapshots });
  }
}
