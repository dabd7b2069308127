/**
 * What every report model is built from: the programme's records as the generator gathers them
 * (generator.ts), and the pieces the models of several kinds share. Pure: no I/O.
 */
import { CATALOGUE_VERSION } from '../../domain/catalogue/iso42001';
import type { AssessmentItem, ProgrammeConfig } from '../../domain/schemas';
import type { ApprovalState } from '../../domain/facts';
import type { AuditRecord, Finding, RoadmapTask } from '../../domain/records';
import type { InventoryView } from '../../domain/inventory/view';
import type { ReviewInputs } from '../../domain/kpis/management-review-inputs';
import type { EvidenceRef } from './audit-reports';
import type { Approval, Header, StoredArtefactLike } from './model-parts';

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

/** A report cannot be built yet (e.g. no SoA submitted); the API answers 409 with the reason. */
export class ReportUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportUnavailableError';
  }
}

export const reportHeader = (s: ReportSources): Header => ({
  organisation: s.programme.organisation,
  programme: s.programme.name,
  programmeId: s.programme.programmeId,
  catalogueVersion: CATALOGUE_VERSION,
});

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

/** The latest decision on `gate` for exactly this artefact version. */
export function decisionFor(s: ReportSources, gate: string, version: number): Approval | undefined {
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
        ...(last.channel === 'on-behalf' && {
          onBehalf: { recordedBy: last.recordedBy ?? 'unknown key', evidence: last.onBehalfEvidence ?? '' },
        }),
      }
    : undefined;
}
