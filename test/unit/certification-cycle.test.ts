/**
 * The certification cycle in depth, as pure functions: the internal audit programme and
 * auditor independence, nonconformity follow-up deadlines, the certification body's minor-NC
 * rules at the next audit, carry-over into the next cycle, and stage-1 concerns in readiness.
 */
import { CLAUSES, CONTROLS } from '../../domain/catalogue/iso42001';
import {
  auditProgrammeGate,
  factsAuditProgrammeStatus,
  nextPlannedAuditDue,
} from '../../domain/audit-programme';
import { stageView, type StepContext } from '../../domain/engine';
import { newFacts, type ProgrammeFacts } from '../../domain/facts';
import { fingerprint } from '../../domain/fingerprint';
import type { InputOf } from '../../domain/inputs';
import { fireNcEvent, nextNcEvent, overdueMinorNcs, pendingNcEvents } from '../../domain/nc-follow-up';
import { stepDef } from '../../domain/process-model';
import { carryIntoNextCycle, cycleWork } from '../../domain/programme-work';
import { AuditBody, AuditProgrammeBody, ProgrammeConfig } from '../../domain/schemas';
import type { StepId } from '../../domain/vocabulary';
import {
  fromAuditRow,
  fromCertificateRow,
  fromFindingRow,
  toAuditRow,
  toCertificateRow,
  toFindingRow,
} from '../../db/mappers';
import { readiness } from '../../domain/kpis/readiness';
import { stage1Facts } from '../../services/kpi/service';
import { rejectionOf, submit } from '../support/engine-harness';
import { PEOPLE, scopeBody } from '../support/fixtures';

const DAY = 86_400_000;
const T0 = Date.parse('2027-01-04T09:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

type AuditInput = InputOf<'audit'>;
type PlannedAuditInput = InputOf<'auditProgramme'>['audits'][number];

const ctx = (step: StepId, now = T0, visit = 1, cycle = 1): StepContext => ({
  step: stepDef(step),
  stepKey: `c${cycle}.${step}.${visit}`,
  now,
});

function dossier(config: Partial<ProgrammeConfig> = {}): ProgrammeFacts {
  const d = newFacts('p-1', 'Acme', ProgrammeConfig.parse(config));
  submit(d, ctx('SCOPING'), {
    kind: 'scope',
    ...scopeBody(),
    internalIssues: [],
    externalIssues: [],
    interestedParties: [],
    integratesWith: [],
    committee: [],
  });
  return d;
}

/** Validates and applies like the stage (throws when refused). */
const apply = submit;
/** The F- id of the n-th finding (from 0) an applied audit raised. */
const raised = (held: { findings?: { from: number; to: number } }, n = 0): string => {
  const at = (held.findings?.from ?? 0) + n;
  if (!held.findings || at > held.findings.to) throw new Error(`no finding ${n} raised`);
  return `F-${at}`;
};

const plan = (extra: Partial<PlannedAuditInput> = {}): InputOf<'auditProgramme'> => ({
  kind: 'auditProgramme',
  audits: [
    {
      id: 'ia-clauses',
      title: 'Clauses',
      scope: CLAUSES.map((c) => c.id),
      auditor: { name: 'Ina', email: 'ina@acme.test' },
      auditorResponsibleFor: ['A.6.2.4'],
      plannedOn: iso(T0 + 10 * DAY),
    },
    {
      id: 'ia-controls',
      title: 'Controls',
      scope: CONTROLS.map((c) => c.id),
      auditor: { name: 'Otto', email: 'otto@acme.test' },
      auditorResponsibleFor: [],
      plannedOn: iso(T0 + 20 * DAY),
      ...extra,
    },
  ],
});

const internal = (planId: string, extra: Partial<AuditInput> = {}): AuditInput => ({
  kind: 'audit',
  audit: 'internal',
  planId,
  auditors: [{ name: 'Ina', email: 'ina@auditors.test' }],
  independent: true,
  findings: [],
  ...extra,
});

const action = (
  findingId: string,
  due: number,
  owner = PEOPLE.complianceLead.email,
): InputOf<'correctiveAction'> => ({
  kind: 'correctiveAction',
  findingId,
  action: { correction: 'c', rootCause: 'r', action: 'a', owner, due: iso(due) },
});

describe('independence: an auditor must not audit their own work', () => {
  test('a request whose scope overlaps the auditor responsibilities is a 400 with a field pointer', () => {
    const audit = AuditBody.safeParse({
      audit: 'internal',
      auditors: [{ name: 'Ina', email: 'ina@auditors.test' }],
      scope: ['5.2', '8.4'],
      independence: { statement: 'I own the risk process', auditorResponsibleFor: ['8.4', 'A.5.2'] },
    });
    expect(audit.success).toBe(false);
    expect(audit.error?.issues.map((i) => i.path)).toEqual([['independence', 'auditorResponsibleFor']]);
    expect(audit.error?.issues[0].message).toMatch(/responsible for 8\.4, which this audit covers/);
    const programme = AuditProgrammeBody.safeParse({
      audits: [
        {
          id: 'ia-1',
          title: 't',
          scope: ['7.2'],
          auditor: PEOPLE.complianceLead,
          auditorResponsibleFor: ['7.2'],
          plannedOn: '2027-01-01T00:00:00Z',
        },
      ],
    });
    expect(programme.error?.issues.map((i) => i.path)).toEqual([['audits', 0, 'auditorResponsibleFor']]);
  });

  test('the stage refuses a planned audit held by an auditor responsible for part of its scope', () => {
    const d = dossier();
    const c = ctx('INTERNAL_AUDIT');
    apply(d, c, plan());
    expect(
      rejectionOf(
        d,
        c,
        internal('ia-clauses', { independence: { statement: 's', auditorResponsibleFor: ['9.2.2'] } }),
      ),
    ).toBe(
      'Ina is not independent of this audit: they are responsible for 9.2.2, which it covers (an auditor must not audit their own work)',
    );
    // The plan's declared responsibilities apply when the audit declares none (here with a wider scope).
    apply(d, c, plan({ auditorResponsibleFor: ['9.1'] }));
    expect(rejectionOf(d, c, internal('ia-controls', { scope: ['A.7.4', '9.1'] }))).toMatch(
      /responsible for 9\.1, which it covers/,
    );
    expect(rejectionOf(d, c, internal('ia-nope'))).toBe(
      'no planned audit ia-nope in the internal audit programme of cycle 1',
    );
    apply(d, c, internal('ia-clauses'));
    expect(rejectionOf(d, c, internal('ia-clauses'))).toBe('planned audit ia-clauses was already held (A-1)');
  });
});

describe('the internal audit programme', () => {
  test('before stage 1 every clause and applicable control must have been audited', () => {
    const d = dossier();
    const c = ctx('INTERNAL_AUDIT');
    expect(auditProgrammeGate(d, 'INTERNAL_AUDIT', T0)).toBe(
      'no internal audit programme planned for cycle 1',
    );
    apply(d, c, {
      kind: 'auditProgramme',
      audits: [plan().audits[0]],
    });
    expect(auditProgrammeGate(d, 'INTERNAL_AUDIT', T0)).toMatch(
      new RegExp(
        `^the internal audit programme does not cover ${CONTROLS.length} of ${CLAUSES.length + CONTROLS.length} requirements`,
      ),
    );
    apply(d, c, plan());
    apply(d, c, internal('ia-clauses', { lastDay: iso(T0 + 11 * DAY) }));
    const status = factsAuditProgrammeStatus(d, T0 + 30 * DAY);
    expect(status).toMatchObject({ planned: true, planVersion: 2, audited: CLAUSES.length });
    expect(status.coverage).toBeCloseTo(CLAUSES.length / (CLAUSES.length + CONTROLS.length));
    expect(status.audits.map((a) => [a.id, a.status, a.lastDay])).toEqual([
      ['ia-clauses', 'held', iso(T0 + 11 * DAY)],
      ['ia-controls', 'overdue', undefined],
    ]);
    expect(stageView(d, c).unmetGates.find((g) => g.gate === 'auditProgrammeOnTrack')?.reason).toMatch(
      /^38 of 70 requirements not yet internally audited before the certification audit: A\.2\.2/,
    );
    apply(d, c, internal('ia-controls'));
    expect(stageView(d, c).unmetGates).toEqual([]);
  });

  test('not-applicable controls leave the universe; surveillance needs only the audits due so far', () => {
    const d = dossier();
    submit(d, ctx('IMPLEMENTATION'), {
      kind: 'soa',
      entries: CONTROLS.map((k) => ({
        controlId: k.id,
        applicable: k.id !== 'A.10.4',
        justification: 'j',
        implementationStatus: 'implemented' as const,
      })),
    });
    expect(d.documents.soa?.notApplicable).toEqual(['A.10.4']);
    apply(
      d,
      ctx('INTERNAL_AUDIT'),
      plan({ scope: CONTROLS.map((k) => k.id).filter((id) => id !== 'A.10.4') }),
    );
    expect(factsAuditProgrammeStatus(d, T0).universe).toBe(CLAUSES.length + CONTROLS.length - 1);
    expect(factsAuditProgrammeStatus(d, T0).notPlanned).toEqual([]);
    const s1 = ctx('SURVEILLANCE_1', T0 + 15 * DAY);
    expect(auditProgrammeGate(d, 'SURVEILLANCE_1', T0 + 15 * DAY)).toMatch(
      /ia-clauses \(planned 2027-01-14\)/,
    );
    expect(nextPlannedAuditDue(d, T0 + 15 * DAY)).toBe(T0 + 20 * DAY);
    apply(d, s1, internal('ia-clauses'));
    expect(auditProgrammeGate(d, 'SURVEILLANCE_1', T0 + 15 * DAY)).toBeNull();
    // Recertification wants the whole universe audited in the cycle.
    expect(auditProgrammeGate(d, 'RECERTIFICATION', T0 + 15 * DAY)).toMatch(
      /not yet internally audited before recertification/,
    );
  });

  // Stages no longer record whether they began before the certification cycle in depth: its
  // rules apply to every stage. (This test used to check that stages started before
  // certification-cycle-v1 neither took a programme nor gated on it.)
  test('every stage takes a programme and gates on it; internal audits are held only where the model says', () => {
    const d = dossier();
    const c = ctx('INTERNAL_AUDIT');
    expect(rejectionOf(d, c, plan())).toBeNull();
    // The programme's work is computed by the API from the facts, never carried in the stage view.
    expect((stageView(d, c) as Record<string, unknown>).programmeWork).toBeUndefined();
    expect(stageView(d, c).unmetGates.map((g) => g.gate)).toEqual(['auditHeld', 'auditProgrammeOnTrack']);
    // Surveillance holds the programme's internal audits (so it asks for the planned audit)…
    expect(rejectionOf(d, ctx('SURVEILLANCE_1'), internal('x'))).toBe(
      'no planned audit x in the internal audit programme of cycle 1',
    );
    // …while a step without internal audits refuses one.
    expect(rejectionOf(d, ctx('CERTIFICATION'), internal('x'))).toMatch(
      /an internal audit is not held in step CERTIFICATION/,
    );
  });
});

describe('nonconformity follow-up', () => {
  function withInternalNc(config: Partial<ProgrammeConfig> = {}) {
    const d = dossier(config);
    const c = ctx('INTERNAL_AUDIT');
    const held = apply(d, c, {
      kind: 'audit',
      audit: 'internal',
      auditors: [{ name: 'Ina', email: 'ina@auditors.test' }],
      independent: true,
      findings: [{ grade: 'minor_nc', requirementId: '7.2', description: 'Training records missing' }],
    });
    return { d, c, id: raised(held) };
  }

  test('a corrective action open at its deadline reminds its owner, then escalates', () => {
    const { d, c, id } = withInternalNc({ correctiveActionEscalateAfter: 'P7D' });
    expect(nextNcEvent(d)).toBeUndefined();
    apply(d, c, action(id, T0 + 10 * DAY, 'ml@acme.test'));
    expect(nextNcEvent(d)).toEqual({ kind: 'correctiveActionOverdue', findingId: id, at: T0 + 10 * DAY });
    const reminder = fireNcEvent(d, nextNcEvent(d) as NonNullable<ReturnType<typeof nextNcEvent>>);
    expect(reminder.notice.recipients.map((p) => p.email)).toEqual([
      'ml@acme.test',
      PEOPLE.complianceLead.email,
    ]);
    expect(nextNcEvent(d)).toEqual({ kind: 'correctiveActionEscalated', findingId: id, at: T0 + 17 * DAY });
    const escalation = fireNcEvent(d, nextNcEvent(d) as NonNullable<ReturnType<typeof nextNcEvent>>);
    // Without a configured contact, the programme manager's sponsor hears of it.
    expect(escalation.notice.recipients.map((p) => p.email)).toEqual([
      PEOPLE.sponsor.email,
      PEOPLE.complianceLead.email,
    ]);
    expect(d.findings[id].correctiveAction).toMatchObject({ escalatedTo: PEOPLE.sponsor.email });
    expect(pendingNcEvents(d)).toEqual([]);
  });

  test('an ineffective action reopens the NC with its history; the owner may not approve closure', () => {
    const { d, c, id } = withInternalNc();
    apply(d, c, action(id, T0 + 10 * DAY));
    expect(
      rejectionOf(d, c, {
        kind: 'verification',
        findingId: id,
        verification: { verifiedBy: 'Ina', closureApprovedBy: PEOPLE.complianceLead.email },
      }),
    ).toMatch(/owns the corrective action of F-1 and cannot approve its closure/);
    apply(d, c, {
      kind: 'verification',
      findingId: id,
      verification: { verifiedBy: 'Ina', effective: false },
    });
    expect(d.findings[id]).toMatchObject({ status: 'open' });
    expect(d.findings[id].correctiveAction).toBeUndefined();
    expect(d.findings[id].track?.previousActions?.[0]).toMatchObject({
      owner: PEOPLE.complianceLead.email,
      verification: { effective: false },
    });
  });

  function certifiedWithMinors() {
    const d = dossier();
    const c = ctx('CERTIFICATION');
    d.audits.push({
      id: 'A-9',
      audit: 'stage1',
      stepKey: c.stepKey,
      attempt: 1,
      firstDay: iso(T0),
      lastDay: iso(T0),
    });
    d.stage2Attempt = 1;
    d.approvals[`${c.stepKey}/certification_body`] = {
      gate: 'certification_body',
      artefact: 'certificationBody',
      artefactVersion: 1,
      approverRole: 'sponsor',
      outcome: 'approved',
      approver: PEOPLE.sponsor.email,
      decidedAt: iso(T0),
    };
    d.documents.certificationBody = {
      version: 1,
      sha256: fingerprint({ name: 'CB', accreditationBody: 'UKAS' }),
      submittedAt: iso(T0),
    };
    const held = apply(d, c, {
      kind: 'audit',
      audit: 'stage2',
      auditors: [{ name: 'Ada', email: 'ada@auditors.test' }],
      independent: true,
      findings: [
        { grade: 'minor_nc', requirementId: '7.5.3', description: 'Review dates missing' },
        { grade: 'minor_nc', requirementId: '9.1', description: 'Thresholds undocumented' },
      ],
    });
    const [a, b] = [raised(held, 0), raised(held, 1)];
    return { d, c, a, b };
  }

  test("a body's minor NC needs its plan within minorNcPlanDue, else it is overdue with the consequence", () => {
    const { d, c, a, b } = certifiedWithMinors();
    expect(d.findings[a].track?.planDueAt).toBe(iso(T0 + 30 * DAY));
    apply(d, c, action(a, T0 + 200 * DAY));
    expect(nextNcEvent(d)).toEqual({ kind: 'minorNcPlanOverdue', findingId: b, at: T0 + 30 * DAY });
    const fired = fireNcEvent(d, nextNcEvent(d) as NonNullable<ReturnType<typeof nextNcEvent>>);
    expect(fired.notice.facts.consequence).toMatch(
      /raise it to a major nonconformity or suspend the certificate/,
    );
    expect(overdueMinorNcs(d).map((f) => f.id)).toEqual([b]);
    expect(stageView(d, { ...c, now: T0 + 31 * DAY }).overdue).toBe(true);
    apply(d, { ...c, now: T0 + 32 * DAY }, action(b, T0 + 200 * DAY));
    expect(overdueMinorNcs(d)).toEqual([]);
    expect(d.findings[b].track?.planOverdueAt).toBe(iso(T0 + 30 * DAY));
  });

  test('at the next surveillance audit the listed minor NCs are verified, the others become major NCs', () => {
    const { d, c, a, b } = certifiedWithMinors();
    apply(d, c, action(a, T0 + 200 * DAY));
    apply(d, c, action(b, T0 + 200 * DAY));
    expect(
      rejectionOf(d, c, { kind: 'verification', findingId: a, verification: { verifiedBy: 'Ada' } }),
    ).toMatch(/verifies it at its next audit/);
    const s1 = ctx('SURVEILLANCE_1', T0 + 300 * DAY);
    const surveillance = (verifications: { findingId: string; verifiedBy: string }[]): AuditInput => ({
      kind: 'audit',
      audit: 'surveillance',
      auditors: [{ name: 'Ada', email: 'ada@auditors.test' }],
      independent: true,
      findings: [],
      verifications,
    });
    expect(rejectionOf(d, s1, surveillance([{ findingId: 'F-99', verifiedBy: 'Ada' }]))).toBe(
      'no finding F-99',
    );
    const held = apply(d, s1, surveillance([{ findingId: a, verifiedBy: 'Ada' }]));
    expect(d.findings[a]).toMatchObject({
      status: 'verified',
      verification: { audit: 'surveillance', auditId: held.recordId },
    });
    const major = d.findings[b].track?.escalatedTo as string;
    expect(d.findings[b].status).toBe('superseded');
    expect(d.findings[major]).toMatchObject({
      grade: 'major_nc',
      stepKey: s1.stepKey,
      status: 'open',
      track: { escalatedFrom: b },
    });
    expect(held.changes.findings?.map((x) => x.fact.id)).toEqual([a, b, major]);
    // The verification's text is read from the audit's body; the major NC quotes the minor's.
    expect(held.changes.findings?.map((x) => x.text)).toEqual([
      { verification: { ...held.changes.audits?.[0].body, path: ['verifications', 0] } },
      undefined,
      { escalation: { from: b, fromAudit: 'stage2', atAudit: 'surveillance' } },
    ]);
    // (No internal audit programme was planned in this dossier, so that gate is open too.)
    expect(stageView(d, s1).unmetGates.map((g) => g.gate)).toEqual([
      'nonconformitiesHaveActions',
      'noOpenMajorNc',
      'auditProgrammeOnTrack',
    ]);
  });
});

describe('the next cycle', () => {
  test('recurring work starts as to-do, closed findings leave, open ones carry over as they are', () => {
    const d = dossier();
    const c = ctx('RECERTIFICATION', T0 + 1000 * DAY);
    d.documents.managementReview = {
      version: 1,
      sha256: fingerprint({
        heldOn: iso(T0),
        attendees: [PEOPLE.topManagement],
        decisions: [{ topic: 't', decision: 'd' }],
      }),
      submittedAt: iso(T0),
      heldOn: iso(T0),
    };
    apply(d, ctx('INTERNAL_AUDIT'), plan());
    d.audits.push({
      id: 'A-50',
      audit: 'recertification',
      stepKey: c.stepKey,
      attempt: 1,
      firstDay: iso(T0),
      lastDay: iso(T0 + 1000 * DAY),
    });
    d.findings['F-1'] = {
      id: 'F-1',
      audit: 'internal',
      auditId: 'A-1',
      stepKey: 'c1.INTERNAL_AUDIT.1',
      grade: 'major_nc',
      requirementId: '8.4',
      status: 'verified',
      raisedAt: iso(T0),
    };
    d.findings['F-2'] = {
      id: 'F-2',
      audit: 'recertification',
      auditId: 'A-50',
      stepKey: c.stepKey,
      grade: 'minor_nc',
      requirementId: '10.2',
      status: 'action_planned',
      raisedAt: iso(T0),
    };
    const work = (f: ProgrammeFacts) => cycleWork(f, factsAuditProgrammeStatus(f, c.now));
    expect(work(d).find((i) => i.item === 'managementReview')?.status).toBe('done');
    expect(work(d).find((i) => i.item === 'recertification')?.status).toBe('done');

    const before = structuredClone(d);
    carryIntoNextCycle(d, iso(T0 + 1001 * DAY));
    const next = d;
    expect(next).toMatchObject({ cycle: 2, cycleStartedAt: iso(T0 + 1001 * DAY), approvals: {} });
    expect(next.auditProgramme).toBeUndefined();
    expect(Object.keys(next.findings)).toEqual(['F-2']);
    expect(next.carriedOver).toEqual({
      fromCycle: 1,
      openFindings: 1,
      closedFindings: 1,
      certificate: undefined,
    });
    expect(work(next).map((i) => i.status)).toEqual(['todo', 'todo', 'todo', 'todo', 'todo']);
    expect(next.seq).toEqual(before.seq);
  });
});

describe('readiness', () => {
  test('stage 1 areas of concern block stage 2 until a stage 2 is held', () => {
    const facts = stage1Facts(
      [{ audit: 'stage1' }],
      [
        {
          audit: 'stage1',
          grade: 'observation',
          requirementId: '6.1.2',
          description: 'Risk criteria not calibrated',
        },
        { audit: 'stage1', grade: 'conformity', requirementId: '5.2', description: 'fine' },
      ],
    );
    const base = {
      now: T0,
      kpis: {
        inventoryCompleteness: null,
        impactAssessmentCoverage: 1,
        soaImplementationRate: 1,
        evidenceCoverage: 1,
        openNonconformities: 0,
        overdueCorrectiveActions: 0,
        medianOpenNcAgeDays: null,
        openRoadmapTasks: 0,
        overdueRoadmapTasks: 0,
        auditProgrammeCompletion: 1,
        overdueApprovals: 0,
      },
      allRequirementsAssessed: true,
      aiPolicyApproved: true,
      soaApproved: true,
      riskTreatmentApproved: true,
      internalAuditHeld: true,
      managementReviewSignedOff: true,
      tasks: [],
    };
    const r = readiness({ ...base, ...facts });
    expect(r.stage1Blockers).toEqual([]);
    expect(r.stage2Blockers).toEqual([
      'stage 1 area of concern on 6.1.2 to resolve before stage 2: Risk criteria not calibrated',
    ]);
    expect(readiness({ ...base, ...facts, stage2Held: true }).stage2Blockers).toEqual([]);
  });
});

describe('database rows', () => {
  test('audits, findings and certificates keep their new fields through their rows', () => {
    const audit = {
      id: 'A-1',
      audit: 'internal' as const,
      stepKey: 'c1.INTERNAL_AUDIT.1',
      attempt: 1,
      firstDay: iso(T0),
      lastDay: iso(T0),
      auditors: [{ name: 'Ina', email: 'ina@auditors.test' }],
      independent: true,
      planId: 'ia-1',
      scope: ['5.2'],
      independence: { statement: 'no role in 5.2', auditorResponsibleFor: ['A.6.2.4'] },
    };
    expect(fromAuditRow(toAuditRow('p-1', audit))).toEqual(audit);
    const legacy = { ...audit, planId: undefined, scope: undefined, independence: undefined };
    expect(toAuditRow('p-1', legacy)).toMatchObject({ planId: null, scope: null, independence: null });
    const finding = {
      id: 'F-1',
      audit: 'stage2' as const,
      auditId: 'A-2',
      stepKey: 'c1.CERTIFICATION.1',
      grade: 'minor_nc' as const,
      requirementId: '9.1',
      description: 'd',
      status: 'superseded' as const,
      raisedAt: iso(T0),
      track: { planDueAt: iso(T0 + 30 * DAY), planOverdueAt: iso(T0 + 30 * DAY), escalatedTo: 'F-9' },
    };
    expect(fromFindingRow(toFindingRow('p-1', finding))).toEqual(finding);
    const certificate = {
      number: 'AIMS-2',
      decisionDate: iso(T0),
      expiresOn: iso(T0 + 1000 * DAY),
      status: 'ACTIVE' as const,
      cycle: 2,
      decisionStepKey: 'c1.RECERTIFICATION.1',
      scope: { statement: 's', aiSystemIds: ['support-bot'] },
      replaces: 'AIMS-1',
    };
    expect(fromCertificateRow(toCertificateRow('p-1', certificate))).toEqual(certificate);
  });
});
