/**
 * Certification readiness: a score from 0 to 100 with the reasons behind it (what still blocks
 * stage 1 and stage 2), and a forecast of when the open roadmap work closes at the current rate.
 */
import type { RoadmapTask } from '../records';
import type { Kpis } from './compute';

export interface ReadinessFacts {
  now: number;
  kpis: Kpis;
  allRequirementsAssessed: boolean;
  aiPolicyApproved: boolean;
  soaApproved: boolean;
  riskTreatmentApproved: boolean;
  internalAuditHeld: boolean;
  managementReviewSignedOff: boolean;
  tasks: RoadmapTask[];
  /**
   * Areas of concern the stage 1 audit recorded: each may become a nonconformity at stage 2,
   * so each blocks stage-2 readiness until a stage 2 has been held.
   */
  stage1Concerns?: { requirementId: string; description: string }[];
  stage2Held?: boolean;
}

export interface Readiness {
  score: number;
  stage1Blockers: string[];
  stage2Blockers: string[];
  /** Tasks closed per week over the last 8 weeks. */
  closingRatePerWeek: number;
  /** When the open roadmap tasks close at that rate; null when nothing closes. */
  forecastReadyOn: string | null;
}

const WEEK = 7 * 86_400_000;
const WINDOW_WEEKS = 8;

interface Criterion {
  weight: number;
  met: boolean;
  blocker: string;
  stage: 1 | 2;
}

export function readiness(f: ReadinessFacts): Readiness {
  const k = f.kpis;
  const criteria: Criterion[] = [
    {
      weight: 10,
      met: f.allRequirementsAssessed,
      blocker: 'the gap analysis has not assessed every requirement',
      stage: 1,
    },
    { weight: 10, met: f.aiPolicyApproved, blocker: 'no approved AI policy', stage: 1 },
    {
      weight: 10,
      met: f.riskTreatmentApproved,
      blocker: 'the risk treatment plan is not approved',
      stage: 1,
    },
    { weight: 15, met: f.soaApproved, blocker: 'the Statement of Applicability is not approved', stage: 1 },
    {
      weight: 10,
      met: (k.impactAssessmentCoverage ?? 0) >= 1,
      blocker: 'AI systems in scope lack impact assessments',
      stage: 1,
    },
    { weight: 10, met: f.internalAuditHeld, blocker: 'no internal audit has been held', stage: 1 },
    { weight: 10, met: f.managementReviewSignedOff, blocker: 'no signed-off management review', stage: 1 },
    // Nothing open counts only once the gap analysis has produced the roadmap.
    {
      weight: 10,
      met: f.allRequirementsAssessed && k.openRoadmapTasks === 0,
      blocker: f.allRequirementsAssessed
        ? `${k.openRoadmapTasks} roadmap tasks still open`
        : 'no complete roadmap yet',
      stage: 2,
    },
    {
      weight: 10,
      met: (k.evidenceCoverage ?? 0) >= 1,
      blocker: 'applicable controls lack current evidence',
      stage: 2,
    },
    {
      weight: 5,
      met: f.internalAuditHeld && k.openNonconformities === 0,
      blocker:
        k.openNonconformities > 0
          ? `${k.openNonconformities} nonconformities still open`
          : 'nonconformities unknown until an internal audit is held',
      stage: 2,
    },
  ];
  const total = criteria.reduce((sum, c) => sum + c.weight, 0);
  const score = Math.round(
    (100 * criteria.filter((c) => c.met).reduce((sum, c) => sum + c.weight, 0)) / total,
  );

  const since = f.now - WINDOW_WEEKS * WEEK;
  const closedRecently = f.tasks.filter(
    (t) => t.status !== 'open' && t.closedAt && Date.parse(t.closedAt) >= since,
  ).length;
  const closingRatePerWeek = closedRecently / WINDOW_WEEKS;
  const open = f.tasks.filter((t) => t.status === 'open').length;
  const forecastReadyOn =
    open === 0
      ? new Date(f.now).toISOString()
      : closingRatePerWeek === 0
        ? null
        : new Date(f.now + (open / closingRatePerWeek) * WEEK).toISOString();

  return {
    score,
    stage1Blockers: criteria.filter((c) => !c.met && c.stage === 1).map((c) => c.blocker),
    // Whatever blocks stage 1 blocks stage 2 as well.
    stage2Blockers: [
      ...criteria.filter((c) => !c.met).map((c) => c.blocker),
      ...(f.stage2Held
        ? []
        : (f.stage1Concerns ?? []).map(
            (c) =>
              `stage 1 area of concern on ${c.requirementId} to resolve before stage 2: ${c.description}`,
          )),
    ],
    closingRatePerWeek,
    forecastReadyOn,
  };
}
