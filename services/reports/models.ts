/**
 * Report content, built from the programme's records: what each report says, before any
 * layout. Pure and deterministic: the same records give the same model, so its hash tells
 * whether a report needs a new version.
 */
import {
  CATALOGUE_VERSION,
  CLAUSES,
  CONTROL_GROUPS,
  CONTROLS,
  REQUIREMENTS,
  findRequirement,
} from '../../domain/catalogue/iso42001';
import { CLAUSE_TITLES } from '../../domain/catalogue/profiles';
import {
  prioritiseGaps,
  resolveGapScoring,
  isTaskOverdue,
  type ResolvedGapScoring,
  type RoadmapEntry,
} from '../../domain/gap-scoring';
import type {
  AssessmentItem,
  AssessmentStatus,
  ImpactAssessmentBody,
  ProgrammeConfig,
  RiskTreatmentPlanBody,
  ScopeBody,
  SoaEntry,
} from '../../domain/schemas';
import type { ApprovalState } from '../../domain/facts';
import type { AuditRecord, Finding, RoadmapTask } from '../../domain/records';
import type { InventoryView } from '../../domain/inventory/view';
import type { ReviewInputs } from '../../domain/kpis/management-review-inputs';
import {
  AuditReportUnavailable,
  internalAuditModel,
  managementReviewModel,
  type EvidenceRef,
  type InternalAuditModel,
  type ManagementReviewModel,
} from './audit-reports';
import type { ReportKind } from '../../domain/report-kinds';
import type { Approval, Header, StoredArtefactLike } from './model-parts';

export type { Approval, Header, StoredArtefactLike } from './model-parts';

export interface ReportSources {
  programme: { programmeId: string; organisation: string; name: string; config: Partial<ProgrammeConfig> };
  /** Every cycle's assessments; the latest cycle's assessment of each requirement counts. */
  assessments: (AssessmentItem & { cycle: number; assessedAt: string })[];
  tasks: RoadmapTask[];
  decisions: ApprovalState[];
  scope?: StoredArtefactLike;
  soa?: StoredArtefactLike;
  riskTreatmentPlan?: StoredArtefactLike;
  impactAssessment?: StoredArtefactLike;
  inventory?: InventoryView;
  /** The programme's current cycle. */
  cycle?: number;
  /** Internal audit report and management review minutes: audits, findings, evidence register. */
  audits?: AuditRecord[];
  findings?: Finding[];
  evidence?: EvidenceRef[];
  managementReview?: StoredArtefactLike;
  auditProgramme?: StoredArtefactLike;
  /** Inputs compiled for the review being reported on (from the records before it). */
  reviewInputs?: ReviewInputs;
  /** Wall-clock time in ms: decides which open tasks are overdue. */
  now: number;
}

export type StatusCounts = Record<AssessmentStatus | 'not_assessed', number>;

export interface GroupScore {
  id: string;
  title: string;
  counts: StatusCounts;
  /** Share met of the applicable requirements (partial counts half), in percent; null if none applies. */
  compliance: number | null;
}

export interface GapModel {
  kind: 'gap-analysis';
  header: Header;
  scoring: ResolvedGapScoring;
  summary: {
    requirements: number;
    assessed: number;
    counts: StatusCounts;
    gaps: number;
    gapsWithoutTask: number;
    compliance: number | null;
    reusedFrom27001: number;
    openTasks: number;
    overdueTasks: number;
  };
  clauses: GroupScore[];
  controlGroups: GroupScore[];
  gaps: RoadmapEntry[];
  roadmap: (RoadmapTask & { requirementTitle: string; overdue: boolean })[];
  assessments: {
    requirementId: string;
    title: string;
    status: AssessmentStatus | 'not_assessed';
    assessor?: string;
    justification?: string;
    evidence: string[];
    reuseFrom27001: boolean;
  }[];
}

export interface SoaRow {
  controlId: string;
  title: string;
  origin: 'Annex A' | 'Own';
  group: string;
  applicable: boolean;
  justification: string;
  implementationStatus: SoaEntry['implementationStatus'];
  owner?: string;
  linkedRiskIds: string[];
  linkedAiSystemIds: string[];
  evidenceRefs: string[];
}

export interface SoaModel {
  kind: 'soa';
  header: Header;
  soa: { version: number; submittedAt: string; sha256: string; submittedBy?: string };
  approval?: Approval;
  summary: {
    annexA: number;
    own: number;
    applicable: number;
    excluded: number;
    byStatus: Record<string, number>;
  };
  groups: {
    id: string;
    title: string;
    counts: Record<SoaEntry['implementationStatus'] | 'excluded', number>;
  }[];
  rows: SoaRow[];
}

export interface RiskRow {
  id: string;
  title: string;
  aiSystemIds: string[];
  likelihood: number;
  severity: number;
  inherent: number;
  treatment: string;
  controls: string[];
  residualLikelihood: number;
  residualSeverity: number;
  residual: number;
  owner?: string;
  riskSources: string[];
}

export interface RiskTreatmentModel {
  kind: 'risk-treatment-plan';
  header: Header;
  plan: { version: number; submittedAt: string; sha256: string };
  /** The sponsor's decision on this version: approval of the plan and acceptance of residual risk. */
  acceptance?: Approval;
  summary: { risks: number; byTreatment: Record<string, number>; highInherent: number; highResidual: number };
  risks: RiskRow[];
}

export interface ImpactAssessmentModel {
  kind: 'impact-assessment';
  header: Header;
  aiSystem: { id: string; name: string; inScope: boolean | null };
  assessment: { version: number; submittedAt: string; sha256: string };
  body: ImpactAssessmentBody;
  riskLevel: number;
}

export interface InventoryModel {
  kind: 'inventory';
  header: Header;
  kpi: InventoryView['kpi'];
  systems: InventoryView['systems'];
}

export type ReportModel =
  | GapModel
  | SoaModel
  | RiskTreatmentModel
  | ImpactAssessmentModel
  | InventoryModel
  | InternalAuditModel
  | ManagementReviewModel;

/** A report cannot be built yet (e.g. no SoA submitted); the API answers 409 with the reason. */
export class ReportUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportUnavailableError';
  }
}

const header = (s: ReportSources): Header => ({
  organisation: s.programme.organisation,
  programme: s.programme.name,
  programmeId: s.programme.programmeId,
  catalogueVersion: CATALOGUE_VERSION,
});

const emptyCounts = (): StatusCounts => ({
  compliant: 0,
  partially_compliant: 0,
  not_compliant: 0,
  not_applicable: 0,
  not_assessed: 0,
});

function compliance(c: StatusCounts): number | null {
  const applicable = c.compliant + c.partially_compliant + c.not_compliant;
  return applicable === 0
    ? null
    : Math.round(((c.compliant + c.partially_compliant / 2) / applicable) * 1000) / 10;
}

/** The latest cycle's assessment of each requirement. */
export function currentAssessments<A extends { requirementId: string; cycle: number; assessedAt: string }>(
  assessments: readonly A[],
): Map<string, A> {
  const latest = new Map<string, A>();
  for (const a of assessments) {
    const seen = latest.get(a.requirementId);
    if (!seen || a.cycle > seen.cycle || (a.cycle === seen.cycle && a.assessedAt > seen.assessedAt))
      latest.set(a.requirementId, a);
  }
  return latest;
}

function groupScore(
  id: string,
  title: string,
  ids: readonly string[],
  statusOf: (id: string) => AssessmentStatus | 'not_assessed',
): GroupScore {
  const counts = emptyCounts();
  for (const r of ids) counts[statusOf(r)]++;
  return { id, title, counts, compliance: compliance(counts) };
}

export function gapModel(s: ReportSources): GapModel {
  const current = currentAssessments(s.assessments);
  const statusOf = (id: string) => current.get(id)?.status ?? 'not_assessed';
  const counts = emptyCounts();
  for (const r of REQUIREMENTS) counts[statusOf(r.id)]++;
  const gaps = prioritiseGaps([...current.values()], s.tasks, s.programme.config.gapScoring, s.now);
  const clauseNumbers = [...new Set(CLAUSES.map((c) => c.clause))];
  const open = s.tasks.filter((t) => t.status === 'open');
  return {
    kind: 'gap-analysis',
    header: header(s),
    scoring: resolveGapScoring(s.programme.config.gapScoring),
    summary: {
      requirements: REQUIREMENTS.length,
      assessed: REQUIREMENTS.length - counts.not_assessed,
      counts,
      gaps: gaps.length,
      gapsWithoutTask: gaps.filter((g) => !g.planned).length,
      compliance: compliance(counts),
      reusedFrom27001: [...current.values()].filter((a) => a.reuseFrom27001).length,
      openTasks: open.length,
      overdueTasks: open.filter((t) => isTaskOverdue(t, s.now)).length,
    },
    clauses: clauseNumbers.map((n) =>
      groupScore(
        String(n),
        CLAUSE_TITLES[n],
        CLAUSES.filter((c) => c.clause === n).map((c) => c.id),
        statusOf,
      ),
    ),
    controlGroups: (Object.entries(CONTROL_GROUPS) as [string, string][]).map(([id, title]) =>
      groupScore(
        id,
        title,
        CONTROLS.filter((c) => c.group === id).map((c) => c.id),
        statusOf,
      ),
    ),
    gaps,
    roadmap: [...s.tasks]
      .sort((a, b) => (a.deadline < b.deadline ? -1 : a.deadline > b.deadline ? 1 : a.id < b.id ? -1 : 1))
      .map((t) => ({
        ...t,
        requirementTitle: findRequirement(t.requirementId)?.title ?? t.requirementId,
        overdue: isTaskOverdue(t, s.now),
      })),
    assessments: REQUIREMENTS.map((r) => {
      const a = current.get(r.id);
      return {
        requirementId: r.id,
        title: r.title,
        status: a?.status ?? 'not_assessed',
        ...(a?.assessor ? { assessor: a.assessor } : {}),
        ...(a?.justification ? { justification: a.justification } : {}),
        evidence: a?.evidence ?? [],
        reuseFrom27001: a?.reuseFrom27001 ?? false,
      };
    }),
  };
}

/** The latest decision on `gate` for exactly this artefact version. */
function decisionFor(s: ReportSources, gate: string, version: number): Approval | undefined {
  const matching = s.decisions
    .filter((d) => d.gate === gate && d.artefactVersion === version)
    .sort((a, b) => (a.decidedAt < b.decidedAt ? -1 : a.decidedAt > b.decidedAt ? 1 : 0));
  const last = matching.at(-1);
  return last
    ? {
        outcome: last.outcome,
        approver: last.approver,
        decidedAt: last.decidedAt,
        ...(last.comment ? { comment: last.comment } : {}),
      }
    : undefined;
}

const sortedUnique = (values: Iterable<string>) => [...new Set(values)].sort();

export function soaModel(s: ReportSources): SoaModel {
  if (!s.soa) throw new ReportUnavailableError('no Statement of Applicability has been submitted yet');
  const body = s.soa.body as { entries: SoaEntry[]; submittedBy?: string };
  const risks = (s.riskTreatmentPlan?.body as RiskTreatmentPlanBody | undefined)?.risks ?? [];
  const current = currentAssessments(s.assessments);
  const annexOrder = new Map(CONTROLS.map((c, i) => [c.id, i]));
  const entries = [...body.entries].sort((a, b) => {
    const x = annexOrder.get(a.controlId) ?? Number.MAX_SAFE_INTEGER;
    const y = annexOrder.get(b.controlId) ?? Number.MAX_SAFE_INTEGER;
    return x - y || (a.controlId < b.controlId ? -1 : 1);
  });
  const rows: SoaRow[] = entries.map((e) => {
    const control = CONTROLS.find((c) => c.id === e.controlId);
    const treating = risks.filter((r) => r.controls.includes(e.controlId));
    const riskIds = sortedUnique([...(e.linkedRiskIds ?? []), ...treating.map((r) => r.id)]);
    const systemIds = sortedUnique([
      ...(e.linkedAiSystemIds ?? []),
      ...risks.filter((r) => riskIds.includes(r.id)).flatMap((r) => r.aiSystemIds),
    ]);
    return {
      controlId: e.controlId,
      title: control?.title ?? e.title ?? e.controlId,
      origin: control ? 'Annex A' : 'Own',
      group: control?.group ?? 'Own',
      applicable: e.applicable,
      justification: e.justification,
      implementationStatus: e.implementationStatus,
      ...(e.owner ? { owner: e.owner } : {}),
      linkedRiskIds: riskIds,
      linkedAiSystemIds: systemIds,
      evidenceRefs: sortedUnique([...(e.evidenceRefs ?? []), ...(current.get(e.controlId)?.evidence ?? [])]),
    };
  });
  const byStatus: Record<string, number> = {};
  for (const r of rows.filter((x) => x.applicable))
    byStatus[r.implementationStatus] = (byStatus[r.implementationStatus] ?? 0) + 1;
  const approval = decisionFor(s, 'soa', s.soa.version);
  return {
    kind: 'soa',
    header: header(s),
    soa: {
      version: s.soa.version,
      submittedAt: s.soa.submittedAt,
      sha256: s.soa.sha256,
      ...(body.submittedBy ? { submittedBy: body.submittedBy } : {}),
    },
    ...(approval ? { approval } : {}),
    summary: {
      annexA: rows.filter((r) => r.origin === 'Annex A').length,
      own: rows.filter((r) => r.origin === 'Own').length,
      applicable: rows.filter((r) => r.applicable).length,
      excluded: rows.filter((r) => !r.applicable).length,
      byStatus,
    },
    groups: [...Object.entries(CONTROL_GROUPS), ['Own', 'Own controls'] as const].map(([id, title]) => {
      const counts = {
        implemented: 0,
        partially_implemented: 0,
        planned: 0,
        not_implemented: 0,
        excluded: 0,
      };
      for (const r of rows.filter((x) => x.group === id))
        counts[r.applicable ? r.implementationStatus : 'excluded']++;
      return { id, title, counts };
    }),
    rows,
  };
}

export function riskTreatmentModel(s: ReportSources): RiskTreatmentModel {
  if (!s.riskTreatmentPlan) throw new ReportUnavailableError('no risk treatment plan has been submitted yet');
  const body = s.riskTreatmentPlan.body as RiskTreatmentPlanBody;
  const risks: RiskRow[] = body.risks.map((r) => ({
    id: r.id,
    title: r.title,
    aiSystemIds: r.aiSystemIds,
    likelihood: r.likelihood,
    severity: r.severity,
    inherent: r.likelihood * r.severity,
    treatment: r.treatment,
    controls: r.controls,
    residualLikelihood: r.residualLikelihood,
    residualSeverity: r.residualSeverity,
    residual: r.residualLikelihood * r.residualSeverity,
    ...(r.owner ? { owner: r.owner } : {}),
    riskSources: r.riskSources ?? [],
  }));
  const byTreatment: Record<string, number> = {};
  for (const r of risks) byTreatment[r.treatment] = (byTreatment[r.treatment] ?? 0) + 1;
  const acceptance = decisionFor(s, 'risk_treatment_plan', s.riskTreatmentPlan.version);
  return {
    kind: 'risk-treatment-plan',
    header: header(s),
    plan: {
      version: s.riskTreatmentPlan.version,
      submittedAt: s.riskTreatmentPlan.submittedAt,
      sha256: s.riskTreatmentPlan.sha256,
    },
    ...(acceptance ? { acceptance } : {}),
    summary: {
      risks: risks.length,
      byTreatment,
      // 15 and above on the 5x5 matrix is the conventional "high" band.
      highInherent: risks.filter((r) => r.inherent >= 15).length,
      highResidual: risks.filter((r) => r.residual >= 15).length,
    },
    risks: [...risks].sort((a, b) => b.inherent - a.inherent || (a.id < b.id ? -1 : 1)),
  };
}

export function impactAssessmentModel(s: ReportSources, aiSystemId: string): ImpactAssessmentModel {
  if (!s.impactAssessment)
    throw new ReportUnavailableError(
      `no impact assessment of AI system ${aiSystemId} has been submitted yet`,
    );
  const body = s.impactAssessment.body as ImpactAssessmentBody;
  const scoped = (s.scope?.body as ScopeBody | undefined)?.aiSystems.find((a) => a.id === aiSystemId);
  const inventoried = s.inventory?.systems.find((a) => a.id === aiSystemId);
  return {
    kind: 'impact-assessment',
    header: header(s),
    aiSystem: {
      id: aiSystemId,
      name: scoped?.name ?? inventoried?.name ?? aiSystemId,
      inScope: scoped?.inScope ?? inventoried?.inScope ?? null,
    },
    assessment: {
      version: s.impactAssessment.version,
      submittedAt: s.impactAssessment.submittedAt,
      sha256: s.impactAssessment.sha256,
    },
    body,
    riskLevel: body.likelihood * body.severity,
  };
}

export function inventoryModel(s: ReportSources): InventoryModel {
  const view = s.inventory ?? {
    systems: [],
    kpi: { registered: 0, discovered: 0, discoveredAndRegistered: 0, unregistered: [], completeness: 1 },
  };
  // Timestamps of the records would make every re-scan a new report version; the content decides.
  const systems = view.systems.map(({ updatedAt: _u, lastScanId: _l, fingerprint: _f, ...rest }) => ({
    ...rest,
    updatedAt: '',
    lastScanId: '',
    fingerprint: '',
  }));
  return { kind: 'inventory', header: header(s), kpi: view.kpi, systems };
}

export function buildModel(kind: ReportKind, key: string, s: ReportSources): ReportModel {
  switch (kind) {
    case 'gap-analysis':
      return gapModel(s);
    case 'soa':
      return soaModel(s);
    case 'risk-treatment-plan':
      return riskTreatmentModel(s);
    case 'impact-assessment':
      return impactAssessmentModel(s, key);
    case 'inventory':
      return inventoryModel(s);
    case 'internal-audit':
    case 'management-review':
      return auditReportModel(kind, key, s);
  }
}

function auditReportModel(
  kind: 'internal-audit' | 'management-review',
  key: string,
  s: ReportSources,
): InternalAuditModel | ManagementReviewModel {
  const sources = {
    header: header(s),
    cycle: s.cycle ?? 1,
    audits: s.audits ?? [],
    findings: s.findings ?? [],
    evidence: s.evidence ?? [],
    ...(s.soa ? { soa: s.soa } : {}),
    ...(s.managementReview ? { managementReview: s.managementReview } : {}),
    ...(s.auditProgramme ? { auditProgramme: s.auditProgramme } : {}),
    ...(s.reviewInputs ? { reviewInputs: s.reviewInputs } : {}),
    now: s.now,
  };
  try {
    if (kind === 'internal-audit') return internalAuditModel(sources, key);
    const signOff = s.managementReview
      ? decisionFor(s, 'management_review', s.managementReview.version)
      : undefined;
    return managementReviewModel({ ...sources, ...(signOff ? { signOff } : {}) });
  } catch (err) {
    if (err instanceof AuditReportUnavailable) throw new ReportUnavailableError(err.message);
    throw err;
  }
}

/** The artefact version a report reports on, for binding approvals. */
export function artefactVersionOf(model: ReportModel): number | undefined {
  switch (model.kind) {
    case 'soa':
      return model.soa.version;
    case 'risk-treatment-plan':
      return model.plan.version;
    case 'impact-assessment':
      return model.assessment.version;
    case 'management-review':
      return model.review.version;
    default:
      return undefined;
  }
}
