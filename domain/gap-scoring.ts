/**
 * Gap scoring and the prioritised roadmap. A gap (a requirement assessed partially or not
 * compliant) scores 0-100 from four factors (1-5 each: inherent risk, regulatory exposure,
 * customer-trust impact, implementation complexity), weighted per programme and defaulted per
 * requirement from the catalogue; a not-compliant gap counts fully, a partial one at 60 %.
 * Requirements serving the security, fairness or transparency objective can be boosted (the
 * largest applicable boost applies, boosts do not compound). Pure: the API and the report
 * activities compute the same order.
 */
import { BOOSTABLE_OBJECTIVES, type BoostableObjective } from './catalogue/annex-c';
import { findRequirement, REQUIREMENTS } from './catalogue/iso42001';
import { GAP_FACTOR_KEYS, requirementProfile, type GapFactors } from './catalogue/profiles';
import type { AssessmentStatus, GapFactorsInput, GapScoringConfig } from './schemas';
import type { RoadmapTask } from './records';

export const DEFAULT_GAP_WEIGHTS: GapFactors = {
  inherentRisk: 0.4,
  regulatoryExposure: 0.25,
  customerTrust: 0.2,
  implementationComplexity: 0.15,
};

/** No boost unless the programme asks for one. */
export const DEFAULT_OBJECTIVE_BOOST: Record<BoostableObjective, number> = {
  security: 1,
  fairness: 1,
  transparency: 1,
};

export const GAP_SEVERITY: Partial<Record<AssessmentStatus, number>> = {
  not_compliant: 1,
  partially_compliant: 0.6,
};

export interface ResolvedGapScoring {
  weights: GapFactors;
  objectiveBoost: Record<BoostableObjective, number>;
}

export function resolveGapScoring(config: GapScoringConfig | undefined): ResolvedGapScoring {
  const weights = { ...DEFAULT_GAP_WEIGHTS };
  for (const key of GAP_FACTOR_KEYS) {
    const w = config?.weights?.[key];
    if (w !== undefined) weights[key] = w;
  }
  return {
    weights,
    objectiveBoost: { ...DEFAULT_OBJECTIVE_BOOST, ...stripUndefined(config?.objectiveBoost) },
  };
}

function stripUndefined<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export interface AssessedRequirement {
  requirementId: string;
  status: AssessmentStatus;
  factors?: GapFactorsInput;
  reuseFrom27001?: boolean;
}

export interface GapScore {
  requirementId: string;
  status: AssessmentStatus;
  /** The factors used: the assessment's, else the catalogue's defaults. */
  factors: GapFactors;
  /** Weighted mean of the factors, 1-5. */
  weightedFactor: number;
  severity: number;
  boost: number;
  /** Boostable objectives the requirement serves whose boost is above 1. */
  boostedBy: BoostableObjective[];
  score: number;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The score of a gap; undefined when the assessment is not a gap. */
export function scoreGap(item: AssessedRequirement, scoring: ResolvedGapScoring): GapScore | undefined {
  const severity = GAP_SEVERITY[item.status];
  const profile = requirementProfile(item.requirementId);
  if (severity === undefined || !profile) return undefined;
  const factors = { ...profile.defaultFactors, ...stripUndefined(item.factors) };
  const totalWeight = GAP_FACTOR_KEYS.reduce((sum, k) => sum + scoring.weights[k], 0);
  // All weights zero means "no preference": every factor counts the same.
  const weightOf = (k: keyof GapFactors) =>
    totalWeight === 0 ? 1 / GAP_FACTOR_KEYS.length : scoring.weights[k] / totalWeight;
  const weightedFactor = GAP_FACTOR_KEYS.reduce((sum, k) => sum + weightOf(k) * factors[k], 0);
  const boostedBy = (Object.keys(BOOSTABLE_OBJECTIVES) as BoostableObjective[]).filter(
    (o) => profile.objectives.includes(BOOSTABLE_OBJECTIVES[o]) && scoring.objectiveBoost[o] > 1,
  );
  const boost = Math.max(1, ...boostedBy.map((o) => scoring.objectiveBoost[o]));
  return {
    requirementId: item.requirementId,
    status: item.status,
    factors,
    weightedFactor: round(weightedFactor, 3),
    severity,
    boost,
    boostedBy,
    score: round((weightedFactor / 5) * 100 * severity * boost, 1),
  };
}

export interface RoadmapTaskView extends RoadmapTask {
  overdue: boolean;
}

export interface RoadmapEntry extends GapScore {
  rank: number;
  title: string;
  kind: 'clause' | 'control';
  reuseFrom27001: boolean;
  tasks: RoadmapTaskView[];
  /** The gap has at least one task that is open or closed. */
  planned: boolean;
}

const catalogueOrder = new Map(REQUIREMENTS.map((r, i) => [r.id, i]));

export function isTaskOverdue(task: RoadmapTask, now: number): boolean {
  return task.status === 'open' && Date.parse(task.deadline) < now;
}

/** Every gap, highest score first (catalogue order breaks ties), with its roadmap tasks. */
export function prioritiseGaps(
  assessments: readonly AssessedRequirement[],
  tasks: readonly RoadmapTask[],
  config: GapScoringConfig | undefined,
  now: number,
): RoadmapEntry[] {
  const scoring = resolveGapScoring(config);
  const scored = assessments
    .map((a) => ({ a, score: scoreGap(a, scoring) }))
    .filter((x): x is { a: AssessedRequirement; score: GapScore } => x.score !== undefined)
    .sort(
      (x, y) =>
        y.score.score - x.score.score ||
        (catalogueOrder.get(x.a.requirementId) ?? 0) - (catalogueOrder.get(y.a.requirementId) ?? 0),
    );
  return scored.map(({ a, score }, i) => {
    const requirement = findRequirement(a.requirementId);
    const own = tasks
      .filter((t) => t.requirementId === a.requirementId)
      .map((t) => ({ ...t, overdue: isTaskOverdue(t, now) }));
    return {
      ...score,
      rank: i + 1,
      title: requirement?.title ?? a.requirementId,
      kind: requirement?.kind ?? 'clause',
      reuseFrom27001: a.reuseFrom27001 ?? false,
      tasks: own,
      planned: own.length > 0,
    };
  });
}
