/**
 * The internal audit report and management review minutes models, the records-as-of rule of
 * the minutes, and the KPIs this issue wired (inventory completeness, overdue approvals).
 */
import { CLAUSES, CONTROLS } from '../../domain/catalogue/iso42001';
import type { ProgrammeConfig } from '../../domain/schemas';
import type { AuditRecord, Finding } from '../../domain/records';
import { computeKpis } from '../../domain/kpis/compute';
import {
  compileReviewInputs,
  reviewRecordsAsOf,
  type ReviewRecords,
} from '../../domain/kpis/management-review-inputs';
import { overdueApprovals } from '../../services/kpi/service';
import type { InventoryItem } from '../../domain/inventory/view';
import {
  AuditReportUnavailable,
  internalAuditModel,
  managementReviewModel,
  type AuditReportSources,
} from '../../services/reports/audit-reports';
import { toDocument } from '../../services/reports/documents';
import { renderReport } from '../../services/reports/render';
import { scopeBody, soaEntries } from '../support/fixtures';

const now = Date.parse('2027-06-01T00:00:00Z');
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const header = { organisation: 'Acme', programme: 'AIMS', programmeId: 'p-1', catalogueVersion: 'test' };
const CLAUSE_IDS = CLAUSES.map((c) => c.id);

const audit = (id: string, stepKey: string, extra: Partial<AuditRecord> = {}): AuditRecord => ({
  id,
  audit: 'internal',
  stepKey,
  attempt: 1,
  firstDay: iso(now - 20 * DAY),
  lastDay: iso(now - 20 * DAY),
  auditors: [{ name: 'Ina', email: 'ina@auditors.test' }],
  independent: true,
  ...extra,
});

const finding = (
  id: string,
  auditId: string,
  grade: Finding['grade'],
  extra: Partial<Finding> = {},
): Finding => ({
  id,
  audit: 'internal',
  auditId,
  stepKey: 'c1.INTERNAL_AUDIT.1',
  grade,
  requirementId: '7.2',
  description: `${grade} ${id}`,
  status: grade === 'minor_nc' || grade === 'major_nc' ? 'open' : 'verified',
  raisedAt: iso(now - 20 * DAY),
  ...extra,
});

const action = (due: number) => ({
  correction: 'fix',
  rootCause: 'cause',
  action: 'prevent',
  owner: 'owner@acme.test',
  due: iso(due),
  recordedAt: iso(now - 10 * DAY),
});

function sources(over: Partial<AuditReportSources> = {}): AuditReportSources {
  return {
    header,
    cycle: 1,
    audits: [],
    findings: [],
    evidence: [],
    soa: { version: 1, submittedAt: iso(now), sha256: 'x', body: { entries: soaEntries() } },
    now,
    ...over,
  };
}

describe('internal audit report', () => {
  test('is unavailable before any internal audit, and for a cycle without one', () => {
    expect(() => internalAuditModel(sources(), '')).toThrow(AuditReportUnavailable);
    expect(() =>
      internalAuditModel(sources({ audits: [audit('A-1', 'c1.INTERNAL_AUDIT.1', { audit: 'stage2' })] }), ''),
    ).toThrow(/no internal audit has been recorded yet/);
    expect(() =>
      internalAuditModel(sources({ audits: [audit('A-1', 'c1.INTERNAL_AUDIT.1')] }), 'c2'),
    ).toThrow(/cycle 2/);
  });

  test('grades findings, flags overdue actions, cites evidence, measures coverage and concludes', () => {
    const audits = [audit('A-1', 'c1.INTERNAL_AUDIT.1', { scope: CLAUSE_IDS, planId: 'ia-1' })];
    const findings = [
      finding('F-1', 'A-1', 'major_nc', { status: 'action_planned', correctiveAction: action(now - DAY) }),
      finding('F-2', 'A-1', 'minor_nc', {
        requirementId: 'A.6.2.8',
        status: 'action_planned',
        correctiveAction: { ...action(now + DAY), evidenceIds: ['ev-named'] },
      }),
      finding('F-3', 'A-1', 'observation'),
      // Another cycle's audit does not count in cycle 1.
      finding('F-9', 'A-9', 'major_nc'),
    ];
    const evidence = [
      // Supports 7.2 and came after the finding: cited for F-1, which names no evidence.
      {
        id: 'ev-late',
        key: 'training',
        version: 1,
        title: 'Training',
        sha256: 'a',
        requirementIds: ['7.2'],
        createdAt: iso(now - DAY),
      },
      // Supports 7.2 but predates the finding: not evidence of its correction.
      {
        id: 'ev-early',
        key: 'old',
        version: 1,
        title: 'Old',
        sha256: 'b',
        requirementIds: ['7.2'],
        createdAt: iso(now - 30 * DAY),
      },
      {
        id: 'ev-named',
        key: 'logs',
        version: 2,
        title: 'Logs',
        sha256: 'c',
        requirementIds: ['9.9'],
        createdAt: iso(now - 40 * DAY),
      },
    ];
    const m = internalAuditModel(
      sources({ audits: [...audits, audit('A-9', 'c2.SURVEILLANCE_1.1')], findings, evidence }),
      'c1',
    );
    expect(m.cycle).toBe(1);
    expect(m.audits.map((a) => [a.id, a.scopeBasis, a.planId])).toEqual([['A-1', 'recorded', 'ia-1']]);
    expect(m.findings.map((f) => f.id)).toEqual(['F-1', 'F-2', 'F-3']);
    expect(m.summary).toMatchObject({
      byGrade: { major_nc: 1, minor_nc: 1, observation: 1 },
      openNonconformities: 2,
      openMajor: 1,
      correctiveActions: { planned: 2, verified: 0, overdue: 1, missing: 0 },
    });
    expect(m.findings[0].correctiveAction?.evidence.map((e) => e.id)).toEqual(['ev-late']);
    expect(m.findings[1].correctiveAction?.evidence.map((e) => e.id)).toEqual(['ev-named']);
    // Clauses audited, no control: 37 applicable controls remain.
    expect(m.coverage).toMatchObject({
      required: CLAUSE_IDS.length + 37,
      audited: CLAUSE_IDS.length,
      basis: 'soa',
    });
    expect(m.coverage.notAudited).toHaveLength(37);
    expect(m.conclusion[0]).toMatch(/not yet effectively implemented: 1 major nonconformity/);
    expect(m.conclusion.join(' ')).toMatch(/1 corrective action is past due/);
  });

  test('without a recorded scope, an audit covers what its findings name', () => {
    const m = internalAuditModel(
      sources({
        audits: [audit('A-1', 'c1.INTERNAL_AUDIT.1')],
        findings: [finding('F-1', 'A-1', 'conformity', { requirementId: '5.2' })],
      }),
      '',
    );
    expect(m.audits[0]).toMatchObject({ scope: ['5.2'], scopeBasis: 'findings' });
    expect(m.conclusion[0]).toBe('The AIMS conforms to ISO/IEC 42001: no nonconformity was raised.');
  });

  test('renders as PDF and canonical JSON', async () => {
    const m = internalAuditModel(
      sources({
        audits: [audit('A-1', 'c1.INTERNAL_AUDIT.1')],
        findings: [finding('F-1', 'A-1', 'minor_nc')],
      }),
      '',
    );
    const stamp = { version: 1, generatedAt: iso(now) };
    const doc = toDocument(m, stamp);
    const pdf = await renderReport(doc, 'pdf', stamp);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const json = JSON.parse((await renderReport(doc, 'json', stamp)).toString()) as {
      report: { kind: string };
    };
    expect(json.report.kind).toBe('internal-audit');
  });
});

describe('management review minutes', () => {
  const records: ReviewRecords = {
    now,
    scopes: [
      {
        version: 1,
        submittedAt: iso(now - 100 * DAY),
        body: scopeBody() as ReviewRecords['scopes'][0]['body'],
      },
    ],
    reviews: [],
    tasks: [],
    audits: [audit('A-1', 'c1.INTERNAL_AUDIT.1')],
    findings: [
      finding('F-1', 'A-1', 'minor_nc', {
        status: 'verified',
        correctiveAction: action(now + DAY),
        verification: { verifiedBy: 'Ina', verifiedAt: iso(now - 2 * DAY), effective: true },
      }),
    ],
    kpiSnapshots: [],
  };

  test('compile the records as they stood when the review was held', () => {
    const before = reviewRecordsAsOf(records, now - 5 * DAY);
    expect(before.findings[0]).toMatchObject({ status: 'action_planned' });
    expect(before.findings[0].verification).toBeUndefined();
    expect(reviewRecordsAsOf(records, now - 15 * DAY).findings[0]).toMatchObject({ status: 'open' });
    expect(reviewRecordsAsOf(records, now - 25 * DAY).findings).toEqual([]);
    expect(reviewRecordsAsOf(records, now).findings[0].status).toBe('verified');
  });

  test('are unavailable before a review, and carry decisions with resources and the sign-off', () => {
    const base = sources({ reviewInputs: compileReviewInputs(records) });
    expect(() => managementReviewModel(base)).toThrow(/no management review has been submitted yet/);
    const m = managementReviewModel({
      ...base,
      managementReview: {
        version: 2,
        submittedAt: iso(now),
        sha256: 'h',
        body: {
          heldOn: iso(now),
          attendees: [{ name: 'Cleo', email: 'ceo@acme.test' }],
          decisions: [{ topic: 'Budget', decision: 'Hire', resources: 'one engineer' }],
        },
      },
      signOff: { outcome: 'approved', approver: 'ceo@acme.test', decidedAt: iso(now) },
    });
    expect(m.outputs).toEqual([{ topic: 'Budget', decision: 'Hire', resources: 'one engineer' }]);
    expect(m.signOff?.approver).toBe('ceo@acme.test');
    expect(m.inputs.performance.correctiveActions.verified).toBe(1);
  });
});

describe('KPIs', () => {
  const item = (id: string, over: Partial<InventoryItem> = {}): InventoryItem => ({
    id,
    name: id,
    purpose: 'p',
    owner: 'o@acme.test',
    lifecycleStage: 'deployment',
    dataSources: [],
    models: [],
    thirdPartyServices: [],
    frameworks: [],
    locations: [],
    registered: true,
    discovered: false,
    sources: ['import'],
    status: 'active',
    fingerprint: '',
    firstSeenAt: '',
    updatedAt: '',
    lastScanId: '',
    inScope: true,
    inScopeStatement: true,
    ...over,
  });
  const base = {
    now,
    cycle: 1,
    impactAssessedSystemIds: ['a', 'd'],
    tasks: [],
    findings: [],
    audits: [],
  };

  test('inventory completeness counts active systems with complete records', () => {
    const inventory = [
      item('a'),
      item('b'), // in scope, no impact assessment
      item('c', { owner: undefined, inScope: false }),
      item('d', { lifecycleStage: 'unknown' }),
      item('e', { registered: false, inScope: false }), // discovered, never registered
      item('f', { inScope: false }),
      item('g', { status: 'gone' }),
    ];
    expect(computeKpis({ ...base, inventory }).inventoryCompleteness).toBeCloseTo(2 / 6);
    expect(computeKpis({ ...base, inventory: [] }).inventoryCompleteness).toBeNull();
    expect(computeKpis(base).inventoryCompleteness).toBeNull();
  });

  test('open corrective actions and the age of the oldest open nonconformity', () => {
    const k = computeKpis({
      ...base,
      findings: [
        finding('F-1', 'A-1', 'minor_nc', { raisedAt: iso(now - 40 * DAY) }),
        finding('F-2', 'A-1', 'major_nc', {
          status: 'action_planned',
          correctiveAction: action(now + DAY),
          raisedAt: iso(now - 3 * DAY),
        }),
      ],
    });
    expect(k).toMatchObject({ openNonconformities: 2, openCorrectiveActions: 1, oldestOpenNcAgeDays: 40 });
  });

  test('audit programme completion counts the recorded scope of this cycle only', () => {
    const k = computeKpis({
      ...base,
      soa: soaEntries(),
      audits: [
        audit('A-1', 'c1.INTERNAL_AUDIT.1', { scope: CLAUSE_IDS }),
        audit('A-2', 'c2.SURVEILLANCE_1.1', { scope: CONTROLS.map((c) => c.id) }),
      ],
    });
    expect(k.auditProgrammeCompletion).toBeCloseTo(CLAUSE_IDS.length / (CLAUSE_IDS.length + 37));
  });

  test('overdue approvals: undecided past the programme expiry in the current step', () => {
    const programme: Parameters<typeof overdueApprovals>[0] = {
      status: 'ACTIVE',
      step: 'IMPLEMENTATION',
      cycle: 1,
      config: { approvalExpiry: 'P7D' } as ProgrammeConfig,
    };
    const artefacts = [
      { kind: 'soa', key: '', version: 2, sha256: 'x', submittedAt: iso(now - 8 * DAY) },
      { kind: 'riskTreatmentPlan', key: '', version: 1, sha256: 'y', submittedAt: iso(now - 8 * DAY) },
      { kind: 'policy', key: 'ai-policy', version: 1, sha256: 'z', submittedAt: iso(now - 2 * DAY) },
    ];
    const decisions = [{ gate: 'risk_treatment_plan', artefactVersion: 1, stepKey: 'c1.IMPLEMENTATION.1' }];
    // The SoA waits 8 days (> 7); the plan is decided; the policy waits 2 days.
    expect(overdueApprovals(programme, artefacts, decisions, now)).toBe(1);
    expect(overdueApprovals({ ...programme, step: 'INTERNAL_AUDIT' }, artefacts, decisions, now)).toBe(0);
  });
});
