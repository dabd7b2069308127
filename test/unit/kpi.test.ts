import { CLAUSES, CONTROLS } from '../../domain/catalogue/iso42001';
import type { Finding, RoadmapTask } from '../../domain/records';
import { computeKpis, type KpiInputs } from '../../domain/kpis/compute';
import { compileReviewInputs } from '../../domain/kpis/management-review-inputs';
import { readiness } from '../../domain/kpis/readiness';
import { scopeBody, soaEntries } from '../support/fixtures';

const now = Date.parse('2027-06-01T00:00:00Z');
const day = 86_400_000;

const task = (
  id: string,
  status: RoadmapTask['status'],
  deadline: string,
  closedAt?: string,
): RoadmapTask => ({
  id,
  requirementId: '6.1.4',
  title: id,
  owner: 'o@x.test',
  deadline,
  status,
  closedAt,
});

const finding = (
  id: string,
  grade: Finding['grade'],
  status: Finding['status'],
  raisedDaysAgo: number,
  extra: Partial<Finding> = {},
): Finding => ({
  id,
  audit: 'internal',
  auditId: 'A-1',
  stepKey: 'c1.INTERNAL_AUDIT.1',
  grade,
  requirementId: '7.2',
  description: id,
  status,
  raisedAt: new Date(now - raisedDaysAgo * day).toISOString(),
  ...extra,
});

function inputs(over: Partial<KpiInputs> = {}): KpiInputs {
  return {
    now,
    cycle: 1,
    scope: scopeBody() as KpiInputs['scope'],
    soa: soaEntries(),
    impactAssessedSystemIds: ['support-bot'],
    tasks: [],
    findings: [],
    audits: [],
    ...over,
  };
}

test('coverage ratios count in-scope systems and applicable controls only', () => {
  const k = computeKpis(inputs({ evidenceCoverage: 0.5 }));
  // Two AI systems are in scope; one has an impact assessment.
  expect(k.impactAssessmentCoverage).toBe(0.5);
  // 37 applicable controls, all implemented in the fixture SoA.
  expect(k.soaImplementationRate).toBe(1);
  expect(k.evidenceCoverage).toBe(0.5);
  expect(k.inventoryCompleteness).toBeNull();
  expect(computeKpis(inputs({ soa: undefined })).soaImplementationRate).toBeNull();
});

test('open and overdue nonconformities, corrective actions and tasks, with median age', () => {
  const action = {
    correction: 'c',
    rootCause: 'r',
    action: 'a',
    owner: 'o@x.test',
    due: '2027-05-01T00:00:00Z',
    recordedAt: '2027-04-01T00:00:00Z',
  };
  const k = computeKpis(
    inputs({
      findings: [
        finding('F-1', 'minor_nc', 'open', 10),
        finding('F-2', 'major_nc', 'action_planned', 30, { correctiveAction: action }),
        finding('F-3', 'minor_nc', 'verified', 90),
        finding('F-4', 'observation', 'verified', 5),
      ],
      tasks: [
        task('T-1', 'open', '2027-05-01T00:00:00Z'),
        task('T-2', 'open', '2027-12-01T00:00:00Z'),
        task('T-3', 'done', '2027-01-01T00:00:00Z'),
      ],
    }),
  );
  expect(k).toMatchObject({
    openNonconformities: 2,
    overdueCorrectiveActions: 1,
    medianOpenNcAgeDays: 20,
    openRoadmapTasks: 2,
    overdueRoadmapTasks: 1,
  });
});

test('audit programme completion is the share of clauses and applicable controls an internal audit examined', () => {
  const audits = [
    {
      id: 'A-1',
      audit: 'internal' as const,
      stepKey: 's',
      attempt: 1,
      firstDay: '',
      lastDay: '',
      auditors: [],
      independent: true,
    },
  ];
  const findings = [
    finding('F-1', 'conformity', 'verified', 1, { requirementId: '5.2' }),
    finding('F-2', 'conformity', 'verified', 1, { requirementId: 'A.6.2.8' }),
    finding('F-3', 'conformity', 'verified', 1, { requirementId: 'A.10.4' }),
  ];
  const k = computeKpis(inputs({ audits, findings }));
  // A.10.4 is not applicable in the fixture SoA, so it is outside the audit universe.
  expect(k.auditProgrammeCompletion).toBeCloseTo(2 / (CLAUSES.length + CONTROLS.length - 1));
});

test('readiness scores what is done, lists blockers per stage, and forecasts from the closing rate', () => {
  const base = computeKpis(inputs({ evidenceCoverage: 1 }));
  const facts = {
    now,
    kpis: base,
    allRequirementsAssessed: true,
    aiPolicyApproved: true,
    soaApproved: false,
    riskTreatmentApproved: true,
    internalAuditHeld: false,
    managementReviewSignedOff: false,
    tasks: [
      task('T-1', 'done', '2027-01-01T00:00:00Z', new Date(now - 7 * day).toISOString()),
      task('T-2', 'done', '2027-01-01T00:00:00Z', new Date(now - 14 * day).toISOString()),
      task('T-3', 'open', '2027-09-01T00:00:00Z'),
    ],
  };
  const r = readiness({ ...facts, kpis: { ...base, openRoadmapTasks: 1 } });
  expect(r.stage1Blockers).toEqual([
    'the Statement of Applicability is not approved',
    'AI systems in scope lack impact assessments',
    'no internal audit has been held',
    'no signed-off management review',
  ]);
  expect(r.stage2Blockers).toEqual([
    ...r.stage1Blockers,
    '1 roadmap tasks still open',
    'nonconformities unknown until an internal audit is held',
  ]);
  // Met: assessed 10, policy 10, risk 10, evidence 10 = 40 of 100.
  expect(r.score).toBe(40);
  // Two tasks closed in the last eight weeks: 0.25 a week, so the last open one takes four weeks.
  expect(r.closingRatePerWeek).toBe(0.25);
  expect(r.forecastReadyOn).toBe(new Date(now + 28 * day).toISOString());
  expect(
    readiness({ ...facts, tasks: [task('T-9', 'open', '2027-09-01T00:00:00Z')] }).forecastReadyOn,
  ).toBeNull();
});

describe('management review inputs', () => {
  test('are compiled from earlier decisions, scope changes, NC trends per audit and OFIs', () => {
    const first = scopeBody() as NonNullable<KpiInputs['scope']>;
    const second = {
      ...first,
      aiSystems: [
        ...first.aiSystems.filter((s) => s.id !== 'hr-screening'),
        { id: 'pricing', name: 'Pricing', type: 'model' as const, inScope: true },
      ],
      externalIssues: [...(first.externalIssues ?? []), 'New sector regulation'],
    };
    const audits = [
      {
        id: 'A-1',
        audit: 'internal' as const,
        stepKey: 's',
        attempt: 1,
        firstDay: '',
        lastDay: '',
        auditors: [],
        independent: true,
      },
      {
        id: 'A-2',
        audit: 'stage2' as const,
        stepKey: 's',
        attempt: 1,
        firstDay: '',
        lastDay: '',
        auditors: [],
        independent: true,
      },
    ];
    const inputs = compileReviewInputs({
      now,
      scopes: [
        { version: 1, submittedAt: '2027-01-01T00:00:00Z', body: first },
        { version: 2, submittedAt: '2027-03-01T00:00:00Z', body: second },
      ],
      reviews: [
        {
          version: 1,
          submittedAt: '2027-02-01T00:00:00Z',
          body: {
            heldOn: '2027-02-01T00:00:00Z',
            attendees: [{ name: 'C', email: 'c@x.test' }],
            decisions: [
              { topic: 'Staffing', decision: 'Hire', due: '2027-05-01T00:00:00Z' },
              { topic: 'Budget', decision: 'Approve', due: '2027-12-01T00:00:00Z' },
            ],
          },
        },
      ],
      tasks: [
        task('T-1', 'open', '2027-09-01T00:00:00Z'),
        task('T-2', 'risk_accepted', '2027-09-01T00:00:00Z'),
      ],
      audits,
      findings: [
        finding('F-1', 'minor_nc', 'action_planned', 20, { auditId: 'A-1' }),
        finding('F-2', 'major_nc', 'verified', 10, { auditId: 'A-2' }),
        finding('F-3', 'ofi', 'verified', 5, { auditId: 'A-2', description: 'Automate drift alerts' }),
      ],
      kpiSnapshots: [],
    });
    expect(inputs.previousActions.map((a) => [a.topic, a.overdue])).toEqual([
      ['Staffing', true],
      ['Budget', false],
    ]);
    expect(inputs.contextChanges).toEqual({
      scopeVersions: 2,
      aiSystemsAdded: ['pricing'],
      aiSystemsRemoved: ['hr-screening'],
      interestedPartiesAdded: [],
      issuesAdded: ['New sector regulation'],
    });
    expect(inputs.performance.nonconformitiesByAudit).toEqual([
      { audit: 'internal', auditId: 'A-1', minor: 1, major: 0, open: 1 },
      { audit: 'stage2', auditId: 'A-2', minor: 0, major: 1, open: 0 },
    ]);
    expect(inputs.performance.roadmap).toEqual({ open: 1, done: 0, riskAccepted: 1 });
    expect(inputs.improvementOpportunities).toEqual([
      { findingId: 'F-3', requirementId: '7.2', description: 'Automate drift alerts' },
    ]);
  });
});
