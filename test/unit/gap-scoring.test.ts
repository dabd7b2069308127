/**
 * Gap scoring: factors defaulted per requirement, weights and objective boosts per programme,
 * the resulting order, and roadmap tasks attached to their gaps with overdue flags.
 */
import { REQUIREMENTS } from '../../domain/catalogue/iso42001';
import { requirementProfile } from '../../domain/catalogue/profiles';
import {
  DEFAULT_GAP_WEIGHTS,
  prioritiseGaps,
  resolveGapScoring,
  scoreGap,
  type AssessedRequirement,
} from '../../domain/gap-scoring';
import { AssessmentItem, ProgrammeConfig } from '../../domain/schemas';
import type { RoadmapTask } from '../../domain/records';
import { GAPS, assessmentItems } from '../support/fixtures';

const assessed: AssessedRequirement[] = assessmentItems();
const defaults = resolveGapScoring(undefined);
const NOW = Date.parse('2027-07-01T00:00:00Z');

test('a not-compliant gap scores the weighted mean of its default factors, on 0-100', () => {
  // 8.4 defaults to risk 5, exposure 5, trust 5, complexity 3: 0.4*5 + 0.25*5 + 0.2*5 + 0.15*3 = 4.7.
  expect(requirementProfile('8.4')?.defaultFactors).toEqual({
    inherentRisk: 5,
    regulatoryExposure: 5,
    customerTrust: 5,
    implementationComplexity: 3,
  });
  expect(scoreGap({ requirementId: '8.4', status: 'not_compliant' }, defaults)).toEqual({
    requirementId: '8.4',
    status: 'not_compliant',
    factors: { inherentRisk: 5, regulatoryExposure: 5, customerTrust: 5, implementationComplexity: 3 },
    weightedFactor: 4.7,
    severity: 1,
    boost: 1,
    boostedBy: [],
    score: 94,
  });
});

test('a partial gap counts at 60 %; compliant and not applicable are no gaps', () => {
  // A.6.2.8: 0.4*4 + 0.25*5 + 0.2*3 + 0.15*3 = 3.9, so 78, times 0.6.
  expect(scoreGap({ requirementId: 'A.6.2.8', status: 'partially_compliant' }, defaults)?.score).toBe(46.8);
  expect(scoreGap({ requirementId: 'A.6.2.8', status: 'compliant' }, defaults)).toBeUndefined();
  expect(scoreGap({ requirementId: 'A.10.4', status: 'not_applicable' }, defaults)).toBeUndefined();
});

test("an assessor's factors override the defaults one by one", () => {
  const g = scoreGap(
    { requirementId: '8.4', status: 'not_compliant', factors: { inherentRisk: 1 } },
    defaults,
  );
  expect(g?.factors).toEqual({
    inherentRisk: 1,
    regulatoryExposure: 5,
    customerTrust: 5,
    implementationComplexity: 3,
  });
  expect(g?.score).toBe(62); // 0.4*1 + 1.25 + 1 + 0.45 = 3.1
});

test('gaps are ordered by score; equal scores keep catalogue order', () => {
  const order = prioritiseGaps(assessed, [], undefined, NOW).map((g) => [g.requirementId, g.score, g.rank]);
  expect(order).toEqual([
    ['6.1.4', 94, 1],
    ['8.4', 94, 2],
    ['A.5.2', 94, 3],
    ['A.6.2.8', 46.8, 4],
    ['A.7.5', 45.6, 5],
  ]);
  expect(order.map((o) => o[0]).sort()).toEqual(Object.keys(GAPS).sort());
});

test('configured weights change the order: weighting only complexity puts the longer job first', () => {
  const config = ProgrammeConfig.parse({
    gapScoring: {
      weights: { inherentRisk: 0, regulatoryExposure: 0, customerTrust: 0, implementationComplexity: 1 },
    },
  }).gapScoring;
  const order = prioritiseGaps(assessed, [], config, NOW).map((g) => [g.requirementId, g.score]);
  // A.7.5 (complexity 4, partial: 80 * 0.6) now outranks A.6.2.8 (complexity 3: 60 * 0.6).
  expect(order).toEqual([
    ['6.1.4', 60],
    ['8.4', 60],
    ['A.5.2', 60],
    ['A.7.5', 48],
    ['A.6.2.8', 36],
  ]);
});

test('all weights zero count every factor the same', () => {
  const zero = resolveGapScoring({
    weights: { inherentRisk: 0, regulatoryExposure: 0, customerTrust: 0, implementationComplexity: 0 },
  });
  // (5 + 5 + 5 + 3) / 4 = 4.5
  expect(scoreGap({ requirementId: '8.4', status: 'not_compliant' }, zero)?.score).toBe(90);
});

test('security, fairness and transparency objectives can be boosted; the largest boost applies, once', () => {
  const scoring = resolveGapScoring({ objectiveBoost: { security: 2, fairness: 1.5 } });
  expect(scoring.weights).toEqual(DEFAULT_GAP_WEIGHTS);
  // A.6.2.4 serves fairness and security: x2, not x3.
  const vv = scoreGap({ requirementId: 'A.6.2.4', status: 'not_compliant' }, scoring);
  expect(vv).toMatchObject({ boost: 2, boostedBy: ['security', 'fairness'] });
  expect(vv?.score).toBe(
    2 * (scoreGap({ requirementId: 'A.6.2.4', status: 'not_compliant' }, defaults)?.score ?? 0),
  );
  // A.7.5 serves data quality and transparency only: no boost configured for either.
  expect(scoreGap({ requirementId: 'A.7.5', status: 'partially_compliant' }, scoring)).toMatchObject({
    boost: 1,
    boostedBy: [],
  });
  const order = prioritiseGaps(assessed, [], { objectiveBoost: { transparency: 3 } }, NOW).map(
    (g) => g.requirementId,
  );
  // 6.1.4 and 8.4 serve transparency (C.2.11); A.5.2 does not and drops behind them; A.7.5 overtakes A.6.2.8.
  expect(order).toEqual(['6.1.4', '8.4', 'A.7.5', 'A.5.2', 'A.6.2.8']);
});

test('roadmap tasks attach to their gap, with overdue flags against the given time', () => {
  const tasks: RoadmapTask[] = [
    {
      id: 'T-1',
      requirementId: '8.4',
      title: 'Run assessments',
      owner: 'a@x.test',
      deadline: '2027-06-30T00:00:00Z',
      status: 'open',
    },
    {
      id: 'T-2',
      requirementId: '8.4',
      title: 'Template',
      owner: 'b@x.test',
      deadline: '2027-05-01T00:00:00Z',
      status: 'done',
    },
    {
      id: 'T-3',
      requirementId: 'A.7.5',
      title: 'Lineage',
      owner: 'c@x.test',
      deadline: '2027-12-31T00:00:00Z',
      status: 'open',
    },
  ];
  const gaps = prioritiseGaps(assessed, tasks, undefined, NOW);
  const by = (id: string) => gaps.find((g) => g.requirementId === id);
  expect(by('8.4')?.tasks.map((t) => [t.id, t.overdue])).toEqual([
    ['T-1', true],
    ['T-2', false],
  ]);
  expect(by('A.7.5')?.tasks.map((t) => [t.id, t.overdue])).toEqual([['T-3', false]]);
  expect(gaps.filter((g) => !g.planned).map((g) => g.requirementId)).toEqual(['6.1.4', 'A.5.2', 'A.6.2.8']);
});

describe('assessment schema additions', () => {
  test('factors are 1-5 and ISO 27001 reuse is only for shared clauses', () => {
    const base = { status: 'compliant', assessor: 'a@x.test' };
    expect(AssessmentItem.safeParse({ ...base, requirementId: '7.2', reuseFrom27001: true }).success).toBe(
      true,
    );
    const notShared = AssessmentItem.safeParse({ ...base, requirementId: '6.1.4', reuseFrom27001: true });
    expect(notShared.success).toBe(false);
    expect(notShared.error?.issues.map((i) => i.path.join('/'))).toEqual(['reuseFrom27001']);
    const badFactor = AssessmentItem.safeParse({
      ...base,
      requirementId: '7.2',
      factors: { inherentRisk: 6 },
    });
    expect(badFactor.error?.issues.map((i) => i.path.join('/'))).toEqual(['factors/inherentRisk']);
  });

  test('every requirement has a profile with factors in range', () => {
    for (const r of REQUIREMENTS) {
      const p = requirementProfile(r.id);
      expect(p).toBeDefined();
      for (const f of Object.values(p?.defaultFactors ?? {})) expect(f >= 1 && f <= 5).toBe(true);
      expect(p?.typicalEvidence.length).toBeGreaterThan(0);
    }
  });
});
