/**
 * The pure interpreter of the process model, driven along the journey the way the stage
 * workflow drives it: validate (the input's rule, or approvalRejection for a decision), apply,
 * then evaluate the gates, approvals and deadlines. Every input goes through the real request
 * schema first and reaches the engine as the API sends it: its facts and a reference to its
 * stored body (test/support/engine-harness.ts).
 */
import { REQUIREMENTS } from '../../domain/catalogue/iso42001';
import { applyApproval, approvalPolicy, approvalRejection } from '../../domain/approvals';
import { ARTEFACTS } from '../../domain/artefacts';
import type { BodyPath } from '../../domain/contracts/persistence';
import {
  activeDeadline,
  artefactVersion,
  completeStep,
  enterStep,
  expireDeadline,
  isOverdue,
  pendingApprovals,
  stageView,
  unmetGates,
  type StepContext,
} from '../../domain/engine';
import { newFacts, type ProgrammeFacts } from '../../domain/facts';
import { fingerprint } from '../../domain/fingerprint';
import type { Applied } from '../../domain/inputs/definition';
import { STEPS, stepDef, type ApprovalDef, type StepDef } from '../../domain/process-model';
import { carryIntoNextCycle, programmeWork } from '../../domain/programme-work';
import {
  AUDIT_KINDS,
  DecisionBody,
  ProgrammeConfig,
  type ApprovalOutcome,
  type AuditFinding,
  type AuditKind,
  type FindingGrade,
  type StageInputKind,
} from '../../domain/schemas';
import type { Deadline, PendingApproval } from '../../domain/views';
import { APPROVER_ROLE_LABELS, type StepId } from '../../domain/vocabulary';
import { rejectionOf, submissionOf, submit, type RawInput } from '../support/engine-harness';
import {
  GAPS,
  NOT_APPLICABLE_CONTROL,
  PEOPLE,
  assessmentItems,
  impactAssessment,
  riskTreatmentPlan,
  scopeBody,
  soaEntries,
} from '../support/fixtures';

// ---------------------------------------------------------------- helpers

type Input = RawInput;

const config = ProgrammeConfig.parse({});
const T0 = Date.parse('2027-01-04T09:00:00.000Z');
const STAGE2_FIRST = '2027-06-14T08:00:00.000Z';
const STAGE2_LAST = '2027-06-15T17:00:00.000Z';
const CERT_NOW = Date.parse('2027-07-01T12:00:00.000Z');
const DECIDED_ON = '2027-07-01T00:00:00.000Z';

function ctxOf(step: StepId, opts: { now?: number; cycle?: number; visit?: number } = {}): StepContext {
  return {
    step: stepDef(step),
    stepKey: `c${opts.cycle ?? 1}.${step}.${opts.visit ?? 1}`,
    now: opts.now ?? T0,
  };
}

function fresh(programmeConfig: ProgrammeConfig = config): ProgrammeFacts {
  return newFacts('prog-1', 'Acme Ltd', programmeConfig);
}

/** The body the API stores for an input: the input without its kind. */
function storedBody(x: Input): Record<string, unknown> {
  const { kind: _kind, ...body } = submissionOf(x).input;
  return body;
}

/** What a change's BodyPath points to: the stored body of `x` (checked by its digest) at its path. */
function bodyAt(x: Input, ref: BodyPath | undefined): unknown {
  const body = storedBody(x);
  expect(ref?.sha256).toBe(fingerprint(body));
  return (ref?.path ?? []).reduce<unknown>((part, key) => (part as Record<string, unknown>)[key], body);
}

/** A reference to the stored body of `x` (at `path`), as a change carries it. */
const storedAs = (x: Input, path?: (string | number)[]) => ({
  id: expect.any(String) as unknown,
  sha256: fingerprint(storedBody(x)),
  ...(path ? { path } : {}),
});

function approvalDef(gate: string): ApprovalDef {
  const def = STEPS.flatMap((s) => s.approvals).find((a) => a.gate === gate);
  if (!def) throw new Error(`no approval gate ${gate}`);
  return def;
}

const approverOf = (gate: string): string => PEOPLE[approvalDef(gate).approverRole].email;

function decision(gate: string, outcome: ApprovalOutcome, approver: string, comment?: string): DecisionBody {
  return DecisionBody.parse({ gate, outcome, approver, comment });
}

/** Why a decision through the API (no approval request out) is refused, or null. */
const decisionRejection = (d: ProgrammeFacts, c: StepContext, body: DecisionBody): string | null =>
  approvalRejection(d, c, undefined, body, approvalPolicy(d.config))?.reason ?? null;

function decide(
  d: ProgrammeFacts,
  c: StepContext,
  gate: string,
  outcome: ApprovalOutcome = 'approved',
  approver: string = approverOf(gate),
  comment: string | undefined = outcome === 'approved' ? undefined : 'Please revise',
) {
  const body = decision(gate, outcome, approver, comment);
  const reason = decisionRejection(d, c, body);
  if (reason !== null) throw new Error(`decision on ${gate} rejected: ${reason}`);
  return applyApproval(d, c, undefined, body, `decision/${c.stepKey}/${gate}`);
}

const gateReason = (d: ProgrammeFacts, c: StepContext, gate: string): string | undefined =>
  unmetGates(d, c).find((g) => g.gate === gate)?.reason;

const gateIds = (d: ProgrammeFacts, c: StepContext): string[] => unmetGates(d, c).map((g) => g.gate);

const pendingFor = (d: ProgrammeFacts, c: StepContext, gate: string): PendingApproval | undefined =>
  pendingApprovals(d, c).find((p) => p.gate === gate);

/** All exit gates hold: the stage workflow completes the step. */
function finish(d: ProgrammeFacts, c: StepContext) {
  expect(unmetGates(d, c)).toEqual([]);
  return completeStep(d, c);
}

const task = (requirementId: string): Input => ({
  kind: 'roadmapTask',
  requirementId,
  title: `Close the gap on ${requirementId}`,
  owner: PEOPLE.complianceLead.email,
  deadline: '2027-06-30T00:00:00Z',
});

const aiPolicy: Input = {
  kind: 'policy',
  policyType: 'ai_policy',
  title: 'AI policy',
  documentRef: 'dms://policies/ai/v1',
};

const managementReview: Input = {
  kind: 'managementReview',
  heldOn: '2027-02-01T10:00:00Z',
  attendees: [PEOPLE.topManagement, PEOPLE.complianceLead],
  decisions: [{ topic: 'Resources', decision: 'Fund a second ML engineer', owner: PEOPLE.sponsor.email }],
};

const certificationBody: Input = {
  kind: 'certificationBody',
  name: 'Example Cert Ltd',
  accreditationBody: 'UKAS',
};

const finding = (grade: FindingGrade, requirementId = '8.4', description = `${grade} on ${requirementId}`) =>
  ({ grade, requirementId, description }) satisfies AuditFinding;

function auditInput(
  audit: AuditKind,
  findings: AuditFinding[] = [],
  days?: [string, string],
  planId?: string,
): Input {
  return {
    kind: 'audit',
    audit,
    auditors: [{ name: 'Ada External', email: 'ada.external@auditors.test' }],
    independent: true,
    findings,
    ...(days ? { firstDay: days[0], lastDay: days[1] } : {}),
    ...(planId ? { planId } : {}),
  };
}

/** The internal audit programme of cycle 1: one audit, ia-1, over the whole catalogue. */
const auditProgramme: Input = {
  kind: 'auditProgramme',
  audits: [
    {
      id: 'ia-1',
      title: 'The whole AIMS',
      scope: REQUIREMENTS.map((r) => r.id),
      auditor: { name: 'Ada External', email: 'ada@audit.test' },
      auditorResponsibleFor: [],
      plannedOn: '2027-01-04T09:00:00Z',
    },
  ],
};

/** The internal audit ia-1 of the programme held, with its findings. */
const plannedInternalAudit = (findings: AuditFinding[] = []): Input =>
  auditInput('internal', findings, undefined, 'ia-1');

const lateFinding = (audit: AuditKind, grade: FindingGrade, requirementId = '9.2.2'): Input => ({
  kind: 'finding',
  audit,
  grade,
  requirementId,
  description: `${grade} recorded after the ${audit} audit`,
});

const action = (findingId: string): Input => ({
  kind: 'correctiveAction',
  findingId,
  action: {
    correction: 'Correct it',
    rootCause: 'Missing trigger',
    action: 'Add the trigger',
    owner: PEOPLE.complianceLead.email,
    due: '2027-09-01T00:00:00Z',
  },
});

const verify = (findingId: string): Input => ({
  kind: 'verification',
  findingId,
  verification: { verifiedBy: 'Ada External' },
});

const decisionInput = (
  outcome: 'granted' | 'refused',
  extra: { certificateNumber?: string; decidedOn?: string } = {},
): Input => ({ kind: 'certificationDecision', decision: { outcome, ...extra } });

const grant = (certificateNumber: string, decidedOn?: string): Input =>
  decisionInput('granted', { certificateNumber, ...(decidedOn ? { decidedOn } : {}) });

/** The findings an input raised, F-from to F-to. */
function findingIds(applied: Applied): string[] {
  const range = applied.findings;
  if (!range) return [];
  return Array.from({ length: range.to - range.from + 1 }, (_, i) => `F-${range.from + i}`);
}

// ---------------------------------------------------------------- the journey, step by step

function scoped(d: ProgrammeFacts = fresh()): ProgrammeFacts {
  const c = ctxOf('SCOPING');
  enterStep(d, c);
  submit(d, c, { kind: 'scope', ...scopeBody() });
  decide(d, c, 'scope');
  finish(d, c);
  return d;
}

function assessAndPlan(d: ProgrammeFacts, c: StepContext): void {
  submit(d, c, { kind: 'assessments', items: assessmentItems() });
  for (const requirementId of Object.keys(GAPS)) submit(d, c, task(requirementId));
}

/** Gap analysis done: tasks T-1..T-5 for the five GAPS, roadmap approved. */
function analysed(): ProgrammeFacts {
  const d = scoped();
  const c = ctxOf('GAP_ANALYSIS');
  assessAndPlan(d, c);
  decide(d, c, 'roadmap');
  finish(d, c);
  return d;
}

function implemented(): ProgrammeFacts {
  const d = analysed();
  const c = ctxOf('IMPLEMENTATION');
  submit(d, c, aiPolicy);
  decide(d, c, 'ai_policy');
  submit(d, c, { kind: 'riskTreatmentPlan', ...riskTreatmentPlan });
  decide(d, c, 'risk_treatment_plan');
  for (const id of ['support-bot', 'fraud-model'])
    submit(d, c, { kind: 'impactAssessment', ...impactAssessment(id) });
  submit(d, c, { kind: 'soa', entries: soaEntries() });
  decide(d, c, 'soa');
  for (const taskId of Object.keys(d.tasks)) {
    submit(d, c, { kind: 'taskUpdate', taskId, update: { status: 'done' } });
  }
  finish(d, c);
  return d;
}

/** Internal audit done: F-1 conformity, F-2 minor NC with a corrective action. */
function internallyAudited(): ProgrammeFacts {
  const d = implemented();
  const c = ctxOf('INTERNAL_AUDIT');
  submit(d, c, auditProgramme);
  const applied = submit(
    d,
    c,
    plannedInternalAudit([finding('conformity', '5.2'), finding('minor_nc', '7.2')]),
  );
  submit(d, c, action(findingIds(applied)[1]));
  finish(d, c);
  return d;
}

function reviewed(): ProgrammeFacts {
  const d = internallyAudited();
  const c = ctxOf('MANAGEMENT_REVIEW');
  submit(d, c, managementReview);
  decide(d, c, 'management_review');
  finish(d, c);
  return d;
}

/** In CERTIFICATION (visit 1) with the certification body chosen and approved. */
function atCertification(): { d: ProgrammeFacts; c: StepContext } {
  const d = reviewed();
  const c = ctxOf('CERTIFICATION', { now: CERT_NOW });
  enterStep(d, c);
  submit(d, c, certificationBody);
  decide(d, c, 'certification_body');
  return { d, c };
}

/** Stage 1 and stage 2 (last day STAGE2_LAST) recorded, before the decision. */
function certificationAudited(stage2Findings: AuditFinding[] = []): {
  d: ProgrammeFacts;
  c: StepContext;
  stage2: Applied;
} {
  const { d, c } = atCertification();
  submit(
    d,
    c,
    auditInput('stage1', [finding('observation', '6.2')], ['2027-05-03T08:00:00Z', '2027-05-04T17:00:00Z']),
  );
  const stage2 = submit(d, c, auditInput('stage2', stage2Findings, [STAGE2_FIRST, STAGE2_LAST]));
  return { d, c, stage2 };
}

/** Certificate AIMS-0001 decided on DECIDED_ON (expires 2030-07-01). */
function certified(): ProgrammeFacts {
  const { d, c } = certificationAudited();
  submit(d, c, grant('AIMS-0001', DECIDED_ON));
  finish(d, c);
  return d;
}

/** Surveillance 1 and 2 held in time; now in RECERTIFICATION at `now`. */
function atRecertification(now = Date.parse('2030-05-01T00:00:00.000Z')): {
  d: ProgrammeFacts;
  c: StepContext;
} {
  const d = certified();
  for (const [step, at] of [
    ['SURVEILLANCE_1', '2028-06-01T00:00:00.000Z'],
    ['SURVEILLANCE_2', '2029-06-01T00:00:00.000Z'],
  ] as const) {
    const s = ctxOf(step, { now: Date.parse(at) });
    enterStep(d, s);
    submit(d, s, auditInput('surveillance'));
    expect(finish(d, s)).toEqual({});
  }
  const c = ctxOf('RECERTIFICATION', { now });
  enterStep(d, c);
  return { d, c };
}

// ---------------------------------------------------------------- the journey end to end

describe('the journey', () => {
  test('runs from scoping to a certificate with every gate met at each step', () => {
    const d = certified();
    expect(d.certificate).toEqual({
      number: 'AIMS-0001',
      decisionDate: DECIDED_ON,
      expiresOn: '2030-07-01T00:00:00.000Z',
      status: 'ACTIVE',
      cycle: 1,
      decisionStepKey: 'c1.CERTIFICATION.1',
      scopeVersion: 1,
    });
    expect(d.seq).toEqual({ task: 5, finding: 3, audit: 3, policy: 0 });
    expect(Object.keys(d.approvals).sort()).toEqual([
      'c1.CERTIFICATION.1/certification_body',
      'c1.GAP_ANALYSIS.1/roadmap',
      'c1.IMPLEMENTATION.1/ai_policy',
      'c1.IMPLEMENTATION.1/risk_treatment_plan',
      'c1.IMPLEMENTATION.1/soa',
      'c1.MANAGEMENT_REVIEW.1/management_review',
      'c1.SCOPING.1/scope',
    ]);
  });

  test('newFacts starts empty in cycle 1', () => {
    expect(fresh()).toEqual({
      programmeId: 'prog-1',
      organisation: 'Acme Ltd',
      cycle: 1,
      config,
      seq: { task: 0, finding: 0, audit: 0, policy: 0 },
      documents: {},
      systems: {},
      assessments: {},
      roadmapVersion: 0,
      tasks: {},
      policies: {},
      impactAssessments: {},
      audits: [],
      findings: {},
      stage2Attempt: 0,
      approvals: {},
      noticesSent: [],
    });
  });
});

// ---------------------------------------------------------------- gates

describe('exit gates', () => {
  test('scopeDefined: unmet until a scope is submitted', () => {
    const d = fresh();
    const c = ctxOf('SCOPING');
    expect(unmetGates(d, c)).toEqual([
      { gate: 'scopeDefined', reason: 'the AIMS scope has not been submitted' },
      { gate: 'approval:scope', reason: 'AIMS scope: nothing submitted for approval yet' },
    ]);
    submit(d, c, { kind: 'scope', ...scopeBody() });
    expect(unmetGates(d, c)).toEqual([
      { gate: 'approval:scope', reason: 'AIMS scope v1: awaiting a decision by the executive sponsor' },
    ]);
  });

  test('allRequirementsAssessed: counts and lists what is missing, five at most', () => {
    const d = scoped();
    const c = ctxOf('GAP_ANALYSIS');
    expect(gateReason(d, c, 'allRequirementsAssessed')).toBe(
      '70 of 70 requirements not yet assessed: 4.1, 4.2, 4.3, 4.4, 5.1 and 65 more',
    );
    const items = assessmentItems();
    submit(d, c, { kind: 'assessments', items: items.slice(0, 67) });
    expect(gateReason(d, c, 'allRequirementsAssessed')).toBe(
      '3 of 70 requirements not yet assessed: A.10.2, A.10.3, A.10.4',
    );
    submit(d, c, { kind: 'assessments', items: items.slice(67) });
    expect(gateReason(d, c, 'allRequirementsAssessed')).toBeUndefined();
    expect(Object.keys(d.assessments)).toHaveLength(REQUIREMENTS.length);
  });

  test('everyGapHasTask: every partially or not compliant requirement needs a roadmap task', () => {
    const d = scoped();
    const c = ctxOf('GAP_ANALYSIS');
    expect(gateReason(d, c, 'everyGapHasTask')).toBeUndefined();
    submit(d, c, { kind: 'assessments', items: assessmentItems() });
    expect(gateReason(d, c, 'everyGapHasTask')).toBe(
      'gaps without a roadmap task: 6.1.4, 8.4, A.5.2, A.6.2.8, A.7.5',
    );
    submit(d, c, task('6.1.4'));
    submit(d, c, task('8.4'));
    expect(gateReason(d, c, 'everyGapHasTask')).toBe('gaps without a roadmap task: A.5.2, A.6.2.8, A.7.5');
    for (const id of ['A.5.2', 'A.6.2.8', 'A.7.5']) submit(d, c, task(id));
    // A.10.4 is not applicable and the rest compliant: no more tasks needed.
    expect(gateReason(d, c, 'everyGapHasTask')).toBeUndefined();

    // Re-assessing two more requirements as gaps: seven gaps, two of them unplanned.
    submit(d, c, {
      kind: 'assessments',
      items: [
        { requirementId: '7.2', status: 'not_compliant', assessor: PEOPLE.complianceLead.email },
        { requirementId: '9.1', status: 'partially_compliant', assessor: PEOPLE.complianceLead.email },
      ],
    });
    expect(gateReason(d, c, 'everyGapHasTask')).toBe('gaps without a roadmap task: 7.2, 9.1');
    submit(d, c, {
      kind: 'assessments',
      items: ['4.1', '4.2', '4.3', '4.4', '5.1'].map((requirementId) => ({
        requirementId,
        status: 'not_compliant' as const,
        assessor: PEOPLE.complianceLead.email,
      })),
    });
    expect(gateReason(d, c, 'everyGapHasTask')).toBe(
      'gaps without a roadmap task: 4.1, 4.2, 4.3, 4.4, 5.1 and 2 more',
    );
  });

  test('impactAssessmentsComplete: every in-scope AI system, and only those', () => {
    const d = analysed();
    const c = ctxOf('IMPLEMENTATION');
    expect(gateReason(d, c, 'impactAssessmentsComplete')).toBe(
      'AI systems in scope without an impact assessment: support-bot, fraud-model',
    );
    submit(d, c, { kind: 'impactAssessment', ...impactAssessment('support-bot') });
    expect(gateReason(d, c, 'impactAssessmentsComplete')).toBe(
      'AI systems in scope without an impact assessment: fraud-model',
    );
    submit(d, c, { kind: 'impactAssessment', ...impactAssessment('fraud-model') });
    // hr-screening is outside the AIMS scope.
    expect(gateReason(d, c, 'impactAssessmentsComplete')).toBeUndefined();
  });

  test('applicableTasksClosed: done and risk-accepted tasks are closed; SoA-inapplicable controls do not block', () => {
    const d = analysed();
    const c = ctxOf('IMPLEMENTATION');
    const prefix = 'roadmap tasks still open for applicable requirements (close them or accept the risk): ';
    expect(gateReason(d, c, 'applicableTasksClosed')).toBe(
      `${prefix}T-1 (6.1.4), T-2 (8.4), T-3 (A.5.2), T-4 (A.6.2.8), T-5 (A.7.5)`,
    );
    submit(d, c, { kind: 'taskUpdate', taskId: 'T-1', update: { status: 'done', note: 'Procedure issued' } });
    const accept: Input = {
      kind: 'taskUpdate',
      taskId: 'T-2',
      update: { status: 'risk_accepted', acceptedBy: PEOPLE.topManagement.email },
    };
    const accepted = submit(d, c, accept);
    expect(d.tasks['T-2']).toMatchObject({
      status: 'risk_accepted',
      closedAt: new Date(T0).toISOString(),
    });
    // Who accepted the risk is in the stored update the task's record is closed with.
    const [closed] = accepted.changes.tasks ?? [];
    expect(closed.fact).toBe(d.tasks['T-2']);
    expect(bodyAt(accept, closed.closed)).toMatchObject({
      status: 'risk_accepted',
      acceptedBy: PEOPLE.topManagement.email,
    });
    expect(gateReason(d, c, 'applicableTasksClosed')).toBe(
      `${prefix}T-3 (A.5.2), T-4 (A.6.2.8), T-5 (A.7.5)`,
    );

    // A task on a control: applicable until the SoA says otherwise.
    submit(d, c, task(NOT_APPLICABLE_CONTROL));
    expect(gateReason(d, c, 'applicableTasksClosed')).toBe(
      `${prefix}T-3 (A.5.2), T-4 (A.6.2.8), T-5 (A.7.5), T-6 (A.10.4)`,
    );
    submit(d, c, { kind: 'soa', entries: soaEntries() });
    expect(gateReason(d, c, 'applicableTasksClosed')).toBe(
      `${prefix}T-3 (A.5.2), T-4 (A.6.2.8), T-5 (A.7.5)`,
    );

    // Clauses are always applicable.
    submit(d, c, task('4.1'));
    for (const taskId of ['T-3', 'T-4', 'T-5'])
      submit(d, c, { kind: 'taskUpdate', taskId, update: { status: 'done' } });
    expect(gateReason(d, c, 'applicableTasksClosed')).toBe(`${prefix}T-7 (4.1)`);
    submit(d, c, { kind: 'taskUpdate', taskId: 'T-7', update: { status: 'done' } });
    expect(gateReason(d, c, 'applicableTasksClosed')).toBeUndefined();
    expect(d.tasks['T-6'].status).toBe('open');

    // A revised SoA that makes A.10.4 applicable brings its open task back.
    const entries = soaEntries().map((e) =>
      e.controlId === NOT_APPLICABLE_CONTROL ? { ...e, applicable: true } : e,
    );
    submit(d, c, { kind: 'soa', entries });
    expect(gateReason(d, c, 'applicableTasksClosed')).toBe(`${prefix}T-6 (A.10.4)`);
  });

  test('auditHeld, nonconformitiesHaveActions, noOpenMajorNc in the internal audit', () => {
    const d = implemented();
    const c = ctxOf('INTERNAL_AUDIT');
    expect(unmetGates(d, c)).toEqual([
      { gate: 'auditHeld', reason: 'audit not yet recorded: internal' },
      { gate: 'auditProgrammeOnTrack', reason: 'no internal audit programme planned for cycle 1' },
    ]);
    // The programme's audit must examine the whole universe (A.10.4 is not applicable) first.
    submit(d, c, auditProgramme);
    expect(unmetGates(d, c)).toEqual([
      { gate: 'auditHeld', reason: 'audit not yet recorded: internal' },
      {
        gate: 'auditProgrammeOnTrack',
        reason:
          '69 of 69 requirements not yet internally audited before the certification audit: 4.1, 4.2, 4.3, 4.4, 5.1, 5.2 and 63 more',
      },
    ]);

    const first = findingIds(
      submit(
        d,
        c,
        plannedInternalAudit([
          finding('conformity', '5.2'),
          finding('minor_nc', '7.2'),
          finding('observation', '7.3'),
        ]),
      ),
    );
    expect(first).toEqual(['F-1', 'F-2', 'F-3']);
    expect(first.map((id) => d.findings[id].status)).toEqual(['verified', 'open', 'verified']);
    expect(unmetGates(d, c)).toEqual([
      { gate: 'nonconformitiesHaveActions', reason: 'nonconformities without a corrective action: F-2' },
    ]);
    submit(d, c, action('F-2'));
    expect(unmetGates(d, c)).toEqual([]);

    // Internal audits may be repeated; a major NC needs an action and a verification.
    const second = findingIds(submit(d, c, auditInput('internal', [finding('major_nc', '9.2.2')])));
    expect(unmetGates(d, c)).toEqual([
      {
        gate: 'nonconformitiesHaveActions',
        reason: `nonconformities without a corrective action: ${second[0]}`,
      },
      { gate: 'noOpenMajorNc', reason: `major nonconformities not yet verified as corrected: ${second[0]}` },
    ]);
    submit(d, c, action(second[0]));
    expect(unmetGates(d, c)).toEqual([
      { gate: 'noOpenMajorNc', reason: `major nonconformities not yet verified as corrected: ${second[0]}` },
    ]);
    const verified = submit(d, c, verify(second[0]));
    expect(unmetGates(d, c)).toEqual([]);
    expect(d.findings[second[0]]).toMatchObject({
      status: 'verified',
      verification: { verifiedAt: new Date(T0).toISOString() },
    });
    // Who verified it is in the stored verification the finding's record is written with.
    const [written] = verified.changes.findings ?? [];
    expect(written.fact).toBe(d.findings[second[0]]);
    expect(bodyAt(verify(second[0]), written.text?.verification)).toMatchObject({
      verifiedBy: 'Ada External',
    });
  });

  test('nonconformity gates only count findings raised in this step (by step key)', () => {
    const d = implemented();
    const c = ctxOf('INTERNAL_AUDIT');
    submit(d, c, auditProgramme);
    submit(d, c, plannedInternalAudit([finding('major_nc', '9.2.2')]));
    expect(gateIds(d, c)).toEqual(['nonconformitiesHaveActions', 'noOpenMajorNc']);
    const again = ctxOf('INTERNAL_AUDIT', { visit: 2 });
    expect(unmetGates(d, again)).toEqual([{ gate: 'auditHeld', reason: 'audit not yet recorded: internal' }]);
  });

  test('stage1Held, auditHeld (stage 2) and certificateGranted in certification', () => {
    const { d, c } = atCertification();
    expect(unmetGates(d, c)).toEqual([
      { gate: 'stage1Held', reason: 'the stage 1 audit has not been recorded' },
      { gate: 'auditHeld', reason: 'audit not yet recorded: stage2' },
      { gate: 'certificateGranted', reason: 'no positive certification decision recorded in this step' },
    ]);
    submit(d, c, auditInput('stage1'));
    expect(gateIds(d, c)).toEqual(['auditHeld', 'certificateGranted']);
    const [minor, major] = findingIds(
      submit(d, c, auditInput('stage2', [finding('minor_nc', '7.2'), finding('major_nc', '8.4')])),
    );
    expect(unmetGates(d, c)).toEqual([
      {
        gate: 'nonconformitiesHaveActions',
        reason: `nonconformities without a corrective action: ${minor}, ${major}`,
      },
      { gate: 'noOpenMajorNc', reason: `major nonconformities not yet verified as corrected: ${major}` },
      { gate: 'certificateGranted', reason: 'no positive certification decision recorded in this step' },
    ]);
    submit(d, c, action(minor));
    submit(d, c, action(major));
    expect(gateIds(d, c)).toEqual(['noOpenMajorNc', 'certificateGranted']);
    submit(d, c, verify(major));
    expect(gateIds(d, c)).toEqual(['certificateGranted']);
    submit(d, c, grant('AIMS-0001'));
    expect(unmetGates(d, c)).toEqual([]);
  });

  test('certificateGranted needs a decision in this very step, not an earlier certificate', () => {
    const { d, c } = atRecertification();
    expect(d.certificate?.status).toBe('ACTIVE');
    expect(unmetGates(d, c)).toEqual([
      { gate: 'auditHeld', reason: 'audit not yet recorded: recertification' },
      { gate: 'certificateGranted', reason: 'no positive certification decision recorded in this step' },
    ]);
  });

  test('auditHeld in surveillance', () => {
    const d = certified();
    const c = ctxOf('SURVEILLANCE_1', { now: Date.parse('2028-01-01T00:00:00.000Z') });
    expect(unmetGates(d, c)).toEqual([{ gate: 'auditHeld', reason: 'audit not yet recorded: surveillance' }]);
    submit(d, c, auditInput('surveillance'));
    expect(unmetGates(d, c)).toEqual([]);
  });
});

// ---------------------------------------------------------------- approvals

interface ApprovalCase {
  gate: string;
  step: StepId;
  outcome: Exclude<ApprovalOutcome, 'approved'>;
  prepare: () => ProgrammeFacts;
  /** Submits the artefact (first call) or a revised version of it. */
  revise: (d: ProgrammeFacts, c: StepContext) => void;
}

const APPROVAL_CASES: ApprovalCase[] = [
  {
    gate: 'scope',
    step: 'SCOPING',
    outcome: 'rejected',
    prepare: () => fresh(),
    revise: (d, c) => {
      submit(d, c, { kind: 'scope', ...scopeBody() });
    },
  },
  {
    gate: 'roadmap',
    step: 'GAP_ANALYSIS',
    outcome: 'changes_requested',
    prepare: scoped,
    revise: (d, c) => {
      if (Object.keys(d.assessments).length === 0) assessAndPlan(d, c);
      else submit(d, c, { kind: 'assessments', items: assessmentItems().slice(0, 1) });
    },
  },
  {
    gate: 'ai_policy',
    step: 'IMPLEMENTATION',
    outcome: 'rejected',
    prepare: analysed,
    revise: (d, c) => {
      submit(d, c, aiPolicy);
    },
  },
  {
    gate: 'risk_treatment_plan',
    step: 'IMPLEMENTATION',
    outcome: 'changes_requested',
    prepare: analysed,
    revise: (d, c) => {
      submit(d, c, { kind: 'riskTreatmentPlan', ...riskTreatmentPlan });
    },
  },
  {
    gate: 'soa',
    step: 'IMPLEMENTATION',
    outcome: 'rejected',
    prepare: analysed,
    revise: (d, c) => {
      submit(d, c, { kind: 'soa', entries: soaEntries() });
    },
  },
  {
    gate: 'management_review',
    step: 'MANAGEMENT_REVIEW',
    outcome: 'changes_requested',
    prepare: internallyAudited,
    revise: (d, c) => {
      submit(d, c, managementReview);
    },
  },
  {
    gate: 'certification_body',
    step: 'CERTIFICATION',
    outcome: 'rejected',
    prepare: reviewed,
    revise: (d, c) => {
      submit(d, c, certificationBody);
    },
  },
];

describe('approval gates', () => {
  test('every approval gate of the journey is covered here', () => {
    expect(APPROVAL_CASES.map((a) => a.gate).sort()).toEqual(
      STEPS.flatMap((s) => s.approvals.map((a) => a.gate)).sort(),
    );
    for (const a of APPROVAL_CASES) {
      expect(stepDef(a.step).approvals.map((x) => x.gate)).toContain(a.gate);
    }
  });

  test.each(APPROVAL_CASES)(
    '$gate: nothing submitted, awaiting, $outcome, revised, approved, re-opened by a new version',
    ({ gate, step, outcome, prepare, revise }) => {
      const d = prepare();
      const c = ctxOf(step, { now: CERT_NOW });
      enterStep(d, c);
      const def = approvalDef(gate);
      const email = PEOPLE[def.approverRole].email;
      const key = `approval:${gate}`;

      expect(artefactVersion(d, def.artefact, c)).toBe(0);
      expect(gateReason(d, c, key)).toBe(`${def.title}: nothing submitted for approval yet`);
      expect(pendingFor(d, c, gate)).toBeUndefined();
      expect(decisionRejection(d, c, decision(gate, 'approved', email))).toBe(
        `${def.title}: nothing is ready for approval yet`,
      );

      revise(d, c);
      const v1 = artefactVersion(d, def.artefact, c);
      expect(v1).toBeGreaterThan(0);
      expect(gateReason(d, c, key)).toBe(
        `${def.title} v${v1}: awaiting a decision by ${APPROVER_ROLE_LABELS[def.approverRole]}`,
      );
      expect(pendingFor(d, c, gate)).toEqual({
        gate,
        artefact: def.artefact,
        artefactVersion: v1,
        approverRole: def.approverRole,
        approverEmail: email,
        lastOutcome: undefined,
      });

      const sha256 = ARTEFACTS[def.artefact].document(d)?.sha256;
      expect(sha256).toMatch(/^[0-9a-f]{64}$/);
      const records = decide(d, c, gate, outcome, email, 'Needs more detail');
      const state = {
        gate,
        artefact: def.artefact,
        artefactVersion: v1,
        approverRole: def.approverRole,
        outcome,
        approver: email,
        comment: 'Needs more detail',
        decidedAt: new Date(CERT_NOW).toISOString(),
        artefactSha256: sha256,
        channel: 'api',
      };
      expect(records.approvals).toEqual([
        { ...state, decisionId: `decision/${c.stepKey}/${gate}`, stepKey: c.stepKey },
      ]);
      expect(records.gates).toEqual([{ key: `${c.stepKey}/${gate}`, state }]);
      const label = outcome.replace('_', ' ');
      expect(gateReason(d, c, key)).toBe(
        `${def.title} v${v1}: ${label} by ${email} (Needs more detail); submit a revised version`,
      );
      expect(pendingFor(d, c, gate)).toMatchObject({ artefactVersion: v1, lastOutcome: outcome });
      expect(decisionRejection(d, c, decision(gate, 'approved', email))).toBe(
        `${def.title} v${v1} was already ${label} by ${email}`,
      );

      // The loop back: a revised version is pending again, with no outcome yet.
      revise(d, c);
      const v2 = artefactVersion(d, def.artefact, c);
      expect(v2).toBeGreaterThan(v1);
      expect(gateReason(d, c, key)).toBe(
        `${def.title} v${v2}: awaiting a decision by ${APPROVER_ROLE_LABELS[def.approverRole]}`,
      );
      expect(pendingFor(d, c, gate)).toMatchObject({ artefactVersion: v2, lastOutcome: undefined });

      // Approver emails match case-insensitively.
      decide(d, c, gate, 'approved', email.toUpperCase());
      expect(gateReason(d, c, key)).toBeUndefined();
      expect(pendingFor(d, c, gate)).toBeUndefined();
      expect(d.approvals[`${c.stepKey}/${gate}`]).toMatchObject({
        artefactVersion: v2,
        outcome: 'approved',
        approver: email.toUpperCase(),
      });
      expect(decisionRejection(d, c, decision(gate, 'rejected', email, 'Too late'))).toBe(
        `${def.title} v${v2} was already approved by ${email.toUpperCase()}`,
      );

      // An approval is bound to the version it approved.
      revise(d, c);
      const v3 = artefactVersion(d, def.artefact, c);
      expect(v3).toBeGreaterThan(v2);
      expect(gateReason(d, c, key)).toBe(
        `${def.title} v${v3}: awaiting a decision by ${APPROVER_ROLE_LABELS[def.approverRole]}`,
      );
      expect(pendingFor(d, c, gate)).toMatchObject({ artefactVersion: v3, lastOutcome: undefined });
      expect(decisionRejection(d, c, decision(gate, 'approved', email))).toBeNull();
    },
  );

  test('an approval belongs to its step visit: a loop-back visit needs a new decision', () => {
    const d = fresh();
    const c = ctxOf('SCOPING');
    submit(d, c, { kind: 'scope', ...scopeBody() });
    decide(d, c, 'scope');
    expect(gateIds(d, c)).toEqual([]);
    const revisit = ctxOf('SCOPING', { visit: 2 });
    expect(gateIds(d, revisit)).toEqual(['approval:scope']);
    expect(pendingFor(d, revisit, 'scope')).toMatchObject({ artefactVersion: 1, lastOutcome: undefined });
  });

  test('approvals in the same step are independent', () => {
    const d = analysed();
    const c = ctxOf('IMPLEMENTATION');
    submit(d, c, aiPolicy);
    submit(d, c, { kind: 'soa', entries: soaEntries() });
    expect(pendingApprovals(d, c).map((p) => [p.gate, p.approverEmail])).toEqual([
      ['ai_policy', PEOPLE.topManagement.email],
      ['soa', PEOPLE.topManagement.email],
    ]);
    decide(d, c, 'soa');
    expect(pendingApprovals(d, c).map((p) => p.gate)).toEqual(['ai_policy']);
    expect(gateIds(d, c)).toEqual([
      'impactAssessmentsComplete',
      'applicableTasksClosed',
      'approval:ai_policy',
      'approval:risk_treatment_plan',
    ]);
  });

  test('only the AI policy is the aiPolicy artefact; other policies get their own ids', () => {
    const d = analysed();
    const c = ctxOf('IMPLEMENTATION');
    const other = submit(d, c, {
      kind: 'policy',
      policyType: 'other',
      title: 'Data policy',
      documentRef: 'dms://p/data',
    });
    expect(other.recordId).toBe('P-1');
    expect(artefactVersion(d, 'aiPolicy', c)).toBe(0);
    expect(submit(d, c, aiPolicy).recordId).toBe('ai-policy');
    expect(submit(d, c, aiPolicy).changes.artefacts).toEqual([
      expect.objectContaining({ kind: 'policy', key: 'ai-policy', version: 2 }),
    ]);
    expect(artefactVersion(d, 'aiPolicy', c)).toBe(2);
  });
});

describe('the roadmap artefact', () => {
  test('is only approvable once all 70 requirements are assessed and every gap has a task', () => {
    const d = scoped();
    const c = ctxOf('GAP_ANALYSIS');
    const items = assessmentItems();
    const gaps = Object.keys(GAPS);
    submit(d, c, { kind: 'assessments', items: items.slice(0, 35) });
    expect(d.roadmapVersion).toBe(1);
    expect(artefactVersion(d, 'roadmap', c)).toBe(0);
    submit(d, c, { kind: 'assessments', items: items.slice(35) });
    expect(d.roadmapVersion).toBe(2);
    expect(artefactVersion(d, 'roadmap', c)).toBe(0);
    expect(decisionRejection(d, c, decision('roadmap', 'approved', PEOPLE.sponsor.email))).toBe(
      'Gap analysis and roadmap: nothing is ready for approval yet',
    );
    for (const id of gaps.slice(0, 4)) submit(d, c, task(id));
    expect(d.roadmapVersion).toBe(6);
    expect(artefactVersion(d, 'roadmap', c)).toBe(0);
    expect(pendingApprovals(d, c)).toEqual([]);
    expect(gateReason(d, c, 'approval:roadmap')).toBe(
      'Gap analysis and roadmap: nothing submitted for approval yet',
    );

    submit(d, c, task(gaps[4]));
    expect(d.roadmapVersion).toBe(7);
    expect(artefactVersion(d, 'roadmap', c)).toBe(7);
    expect(pendingApprovals(d, c)).toEqual([
      {
        gate: 'roadmap',
        artefact: 'roadmap',
        artefactVersion: 7,
        approverRole: 'sponsor',
        approverEmail: PEOPLE.sponsor.email,
        lastOutcome: undefined,
      },
    ]);
    decide(d, c, 'roadmap');
    expect(unmetGates(d, c)).toEqual([]);

    // Each further task or assessment batch in gap analysis is a new roadmap version.
    submit(d, c, task('7.2'));
    expect(artefactVersion(d, 'roadmap', c)).toBe(8);
    expect(gateReason(d, c, 'approval:roadmap')).toBe(
      'Gap analysis and roadmap v8: awaiting a decision by the executive sponsor',
    );
    submit(d, c, { kind: 'assessments', items: items.slice(0, 1) });
    expect(artefactVersion(d, 'roadmap', c)).toBe(9);

    // A newly found gap without a task makes the roadmap unapprovable again.
    submit(d, c, {
      kind: 'assessments',
      items: [{ requirementId: '9.1', status: 'not_compliant', assessor: PEOPLE.complianceLead.email }],
    });
    expect(d.roadmapVersion).toBe(10);
    expect(artefactVersion(d, 'roadmap', c)).toBe(0);
  });

  test('tasks added during implementation do not change the roadmap version', () => {
    const d = analysed();
    const before = d.roadmapVersion;
    const c = ctxOf('IMPLEMENTATION');
    expect(submit(d, c, task('7.2')).recordId).toBe('T-6');
    expect(d.roadmapVersion).toBe(before);
  });
});

// ---------------------------------------------------------------- decisions

describe('approvalRejection', () => {
  test('a gate that is not decided in this step', () => {
    const d = fresh();
    expect(
      decisionRejection(d, ctxOf('SCOPING'), decision('roadmap', 'approved', PEOPLE.sponsor.email)),
    ).toBe('gate roadmap is not decided in step SCOPING; open gates here: scope');
    expect(
      decisionRejection(d, ctxOf('IMPLEMENTATION'), decision('scope', 'approved', PEOPLE.sponsor.email)),
    ).toBe(
      'gate scope is not decided in step IMPLEMENTATION; open gates here: ai_policy, risk_treatment_plan, soa',
    );
    expect(
      decisionRejection(d, ctxOf('INTERNAL_AUDIT'), decision('scope', 'approved', PEOPLE.sponsor.email)),
    ).toBe('gate scope is not decided in step INTERNAL_AUDIT; this step has no approval gates');
  });

  test('nothing ready for approval', () => {
    const d = fresh();
    expect(decisionRejection(d, ctxOf('SCOPING'), decision('scope', 'approved', PEOPLE.sponsor.email))).toBe(
      'AIMS scope: nothing is ready for approval yet',
    );
  });

  test('only the approver of the role decides, matched case-insensitively', () => {
    const d = fresh();
    const c = ctxOf('SCOPING');
    submit(d, c, { kind: 'scope', ...scopeBody() });
    expect(decisionRejection(d, c, decision('scope', 'approved', PEOPLE.topManagement.email))).toBe(
      'AIMS scope is decided by the sponsor (sponsor@acme.test), not ceo@acme.test',
    );
    expect(decisionRejection(d, c, decision('scope', 'approved', 'Sponsor@ACME.test'))).toBeNull();
    expect(decisionRejection(d, c, decision('scope', 'approved', PEOPLE.sponsor.email))).toBeNull();
  });

  test('the approver comes from the current scope version', () => {
    const d = fresh();
    const c = ctxOf('SCOPING');
    submit(d, c, { kind: 'scope', ...scopeBody() });
    submit(d, c, { kind: 'scope', ...scopeBody(), sponsor: { name: 'New Sponsor', email: 'new@acme.test' } });
    expect(decisionRejection(d, c, decision('scope', 'approved', PEOPLE.sponsor.email))).toBe(
      'AIMS scope is decided by the sponsor (new@acme.test), not sponsor@acme.test',
    );
    expect(decisionRejection(d, c, decision('scope', 'approved', 'new@acme.test'))).toBeNull();
  });

  test('a version already decided', () => {
    const d = fresh();
    const c = ctxOf('SCOPING');
    submit(d, c, { kind: 'scope', ...scopeBody() });
    decide(d, c, 'scope', 'rejected', PEOPLE.sponsor.email, 'Include HR screening');
    expect(gateReason(d, c, 'approval:scope')).toBe(
      'AIMS scope v1: rejected by sponsor@acme.test (Include HR screening); submit a revised version',
    );
    expect(decisionRejection(d, c, decision('scope', 'approved', PEOPLE.sponsor.email))).toBe(
      'AIMS scope v1 was already rejected by sponsor@acme.test',
    );
  });

  test('applyApproval refuses a gate of another step', () => {
    const d = fresh();
    expect(() =>
      applyApproval(
        d,
        ctxOf('SCOPING'),
        undefined,
        decision('soa', 'approved', PEOPLE.topManagement.email),
        'x',
      ),
    ).toThrow('gate soa is not in step SCOPING');
  });
});

// ---------------------------------------------------------------- inputs

const SAMPLE_INPUTS: Record<StageInputKind, Input> = {
  scope: { kind: 'scope', ...scopeBody() },
  assessments: { kind: 'assessments', items: assessmentItems().slice(0, 1) },
  roadmapTask: task('8.4'),
  taskUpdate: { kind: 'taskUpdate', taskId: 'T-1', update: { status: 'done' } },
  policy: { kind: 'policy', policyType: 'ai_policy', title: 'AI policy', documentRef: 'dms://p/ai' },
  riskTreatmentPlan: { kind: 'riskTreatmentPlan', ...riskTreatmentPlan },
  impactAssessment: { kind: 'impactAssessment', ...impactAssessment('support-bot') },
  soa: { kind: 'soa', entries: soaEntries() },
  audit: { kind: 'audit', audit: 'internal', auditors: [{ name: 'Ina', email: 'ina@auditors.test' }] },
  auditProgramme: {
    kind: 'auditProgramme',
    audits: [
      {
        id: 'ia-1',
        title: 'Clause 4',
        scope: ['4.1'],
        auditor: PEOPLE.complianceLead,
        auditorResponsibleFor: [],
        plannedOn: '2027-01-01T00:00:00Z',
      },
    ],
  },
  finding: { kind: 'finding', audit: 'internal', grade: 'minor_nc', requirementId: '7.2', description: 'x' },
  correctiveAction: {
    kind: 'correctiveAction',
    findingId: 'F-1',
    action: {
      correction: 'c',
      rootCause: 'r',
      action: 'a',
      owner: PEOPLE.sponsor.email,
      due: '2027-09-01T00:00:00Z',
    },
  },
  verification: { kind: 'verification', findingId: 'F-1', verification: { verifiedBy: 'Ada' } },
  managementReview,
  certificationBody: { kind: 'certificationBody', name: 'Example Cert Ltd', accreditationBody: 'UKAS' },
  certificationDecision: { kind: 'certificationDecision', decision: { outcome: 'refused' } },
};

describe('inputRejection', () => {
  test('a finding during scoping is not accepted', () => {
    expect(rejectionOf(fresh(), ctxOf('SCOPING'), lateFinding('stage2', 'major_nc'))).toBe(
      'step SCOPING (Scoping and executive alignment) does not accept finding; it accepts: scope',
    );
  });

  test.each(STEPS.map((s) => [s.id, s] as const))(
    '%s refuses every input kind it does not accept, naming what it accepts',
    (_id, step: StepDef) => {
      const d = fresh();
      const c = ctxOf(step.id);
      for (const [kind, input] of Object.entries(SAMPLE_INPUTS)) {
        const reason = rejectionOf(d, c, input);
        const refusal = `step ${step.id} (${step.title}) does not accept ${kind}; it accepts: ${step.accepts.join(', ')}`;
        if ((step.accepts as readonly string[]).includes(kind)) expect(reason).not.toBe(refusal);
        else expect(reason).toBe(refusal);
      }
    },
  );

  describe('taskUpdate', () => {
    test('an unknown task', () => {
      const d = analysed();
      expect(
        rejectionOf(d, ctxOf('IMPLEMENTATION'), {
          kind: 'taskUpdate',
          taskId: 'T-99',
          update: { status: 'done' },
        }),
      ).toBe('no roadmap task T-99');
    });

    test('a closed task', () => {
      const d = analysed();
      const c = ctxOf('IMPLEMENTATION');
      submit(d, c, { kind: 'taskUpdate', taskId: 'T-1', update: { status: 'done' } });
      submit(d, c, {
        kind: 'taskUpdate',
        taskId: 'T-2',
        update: { status: 'risk_accepted', acceptedBy: PEOPLE.topManagement.email },
      });
      expect(rejectionOf(d, c, { kind: 'taskUpdate', taskId: 'T-1', update: { status: 'done' } })).toBe(
        'task T-1 is already done',
      );
      expect(rejectionOf(d, c, { kind: 'taskUpdate', taskId: 'T-2', update: { status: 'done' } })).toBe(
        'task T-2 is already risk_accepted',
      );
      expect(rejectionOf(d, c, { kind: 'taskUpdate', taskId: 'T-3', update: { status: 'done' } })).toBeNull();
    });
  });

  describe('impactAssessment', () => {
    test('an AI system not in the registered scope', () => {
      expect(
        rejectionOf(analysed(), ctxOf('IMPLEMENTATION'), {
          kind: 'impactAssessment',
          ...impactAssessment('ghost'),
        }),
      ).toBe('AI system ghost is not in the registered scope');
    });

    test('an AI system outside the AIMS scope', () => {
      expect(
        rejectionOf(analysed(), ctxOf('IMPLEMENTATION'), {
          kind: 'impactAssessment',
          ...impactAssessment('hr-screening'),
        }),
      ).toBe('AI system hr-screening is outside the AIMS scope');
    });

    test('is versioned per AI system', () => {
      const d = analysed();
      const c = ctxOf('IMPLEMENTATION');
      submit(d, c, { kind: 'impactAssessment', ...impactAssessment('support-bot') });
      const again = submit(d, c, { kind: 'impactAssessment', ...impactAssessment('support-bot') });
      expect(again.recordId).toBe('support-bot');
      expect(again.changes.artefacts).toEqual([
        expect.objectContaining({ kind: 'impactAssessment', key: 'support-bot', version: 2 }),
      ]);
      expect(d.impactAssessments['support-bot'].version).toBe(2);
    });
  });

  test('riskTreatmentPlan: risks must reference AI systems of the scope (in or out of it)', () => {
    const d = analysed();
    const c = ctxOf('IMPLEMENTATION');
    const risk = riskTreatmentPlan.risks[0];
    expect(
      rejectionOf(d, c, {
        kind: 'riskTreatmentPlan',
        risks: [risk, { ...risk, id: 'r-2', aiSystemIds: ['ghost', 'fraud-model', 'phantom'] }],
      }),
    ).toBe('risks reference unknown AI systems: ghost, phantom');
    expect(
      rejectionOf(d, c, { kind: 'riskTreatmentPlan', risks: [{ ...risk, aiSystemIds: ['hr-screening'] }] }),
    ).toBeNull();
    expect(
      rejectionOf(d, c, { kind: 'riskTreatmentPlan', risks: [{ ...risk, aiSystemIds: [] }] }),
    ).toBeNull();
  });

  describe('audit', () => {
    // Since certification, the internal audits of the programme are held in the audit steps too.
    const heldThere = (s: StepDef, k: AuditKind) =>
      s.audits.includes(k) || (k === 'internal' && !!s.internalAudits);
    const misplaced = STEPS.filter((s) => s.accepts.includes('audit')).flatMap((s) =>
      AUDIT_KINDS.filter((k) => !heldThere(s, k)).map((k) => [s.id, k] as const),
    );
    const internalElsewhere = STEPS.filter((s) => s.accepts.includes('audit') && s.internalAudits).map(
      (s) => [s.id] as const,
    );

    const auditName = {
      internal: 'an internal audit',
      stage1: 'a stage 1 audit',
      stage2: 'a stage 2 audit',
      surveillance: 'a surveillance audit',
      recertification: 'a recertification audit',
    };
    test.each(misplaced)('%s does not hold a %s audit, nor record its findings', (stepId, kind) => {
      const d = fresh();
      const c = ctxOf(stepId);
      expect(rejectionOf(d, c, auditInput(kind))).toBe(`${auditName[kind]} is not held in step ${stepId}`);
      expect(rejectionOf(d, c, lateFinding(kind, 'observation'))).toBe(
        `${kind} findings are not recorded in step ${stepId}`,
      );
    });

    test.each(internalElsewhere)(
      '%s holds internal audits of the programme, and records their findings',
      (stepId) => {
        const d = fresh();
        const c = ctxOf(stepId);
        expect(c.step.audits).not.toContain('internal');
        expect(rejectionOf(d, c, auditInput('internal'))).toBeNull();
        expect(rejectionOf(d, c, lateFinding('internal', 'observation'))).toBe(
          'record the internal audit before its findings',
        );
        submit(d, c, auditInput('internal'));
        expect(rejectionOf(d, c, lateFinding('internal', 'observation'))).toBeNull();
      },
    );

    test('stage 1 and stage 2 need the certification body chosen and approved', () => {
      const d = reviewed();
      const c = ctxOf('CERTIFICATION', { now: CERT_NOW });
      enterStep(d, c);
      const notYet = 'the certification body has not been chosen and approved yet';
      expect(rejectionOf(d, c, auditInput('stage1'))).toBe(notYet);
      expect(rejectionOf(d, c, auditInput('stage2'))).toBe(notYet);
      submit(d, c, certificationBody);
      expect(rejectionOf(d, c, auditInput('stage1'))).toBe(notYet);
      decide(d, c, 'certification_body', 'changes_requested');
      expect(rejectionOf(d, c, auditInput('stage1'))).toBe(notYet);
      submit(d, c, certificationBody);
      decide(d, c, 'certification_body');
      expect(rejectionOf(d, c, auditInput('stage1'))).toBeNull();
    });

    test('stage 2 cannot precede stage 1', () => {
      const { d, c } = atCertification();
      expect(rejectionOf(d, c, auditInput('stage2'))).toBe('stage 2 cannot precede stage 1');
      submit(d, c, auditInput('stage1'));
      expect(rejectionOf(d, c, auditInput('stage2'))).toBeNull();
    });

    test('each certification audit is recorded once per step (internal audits may repeat)', () => {
      const { d, c } = certificationAudited();
      expect(rejectionOf(d, c, auditInput('stage1'))).toBe(
        'the stage1 audit is already recorded in this step',
      );
      expect(rejectionOf(d, c, auditInput('stage2'))).toBe(
        'the stage2 audit is already recorded in this step',
      );

      const s = ctxOf('SURVEILLANCE_1', { now: Date.parse('2028-01-01T00:00:00.000Z') });
      submit(d, s, auditInput('surveillance'));
      expect(rejectionOf(d, s, auditInput('surveillance'))).toBe(
        'the surveillance audit is already recorded in this step',
      );
      // The next surveillance round is another step.
      expect(rejectionOf(d, ctxOf('SURVEILLANCE_2'), auditInput('surveillance'))).toBeNull();

      const i = implemented();
      const ic = ctxOf('INTERNAL_AUDIT');
      submit(i, ic, auditInput('internal'));
      expect(rejectionOf(i, ic, auditInput('internal'))).toBeNull();
    });

    test('stage 1 refuses nonconformity grades, inline or recorded later', () => {
      const { d, c } = atCertification();
      const concern =
        'stage 1 records areas of concern (observations); nonconformities are raised at stage 2';
      for (const grade of ['minor_nc', 'major_nc'] as const) {
        expect(rejectionOf(d, c, auditInput('stage1', [finding('observation'), finding(grade)]))).toBe(
          concern,
        );
      }
      submit(d, c, auditInput('stage1', [finding('observation'), finding('ofi'), finding('conformity')]));
      for (const grade of ['minor_nc', 'major_nc'] as const) {
        expect(rejectionOf(d, c, lateFinding('stage1', grade))).toBe(concern);
      }
      expect(rejectionOf(d, c, lateFinding('stage1', 'observation'))).toBeNull();
      // Stage 2 does raise nonconformities.
      expect(rejectionOf(d, c, auditInput('stage2', [finding('major_nc')]))).toBeNull();
    });

    test('records the audit with its findings and the days it was held', () => {
      const { d, c } = atCertification();
      const input = auditInput('stage1', [finding('observation', '6.2')]);
      const applied = submit(d, c, input);
      expect(applied).toEqual({
        recordId: 'A-2',
        findings: { from: 3, to: 3 },
        changes: {
          audits: [
            {
              fact: {
                id: 'A-2',
                audit: 'stage1',
                stepKey: 'c1.CERTIFICATION.1',
                attempt: 1,
                firstDay: new Date(CERT_NOW).toISOString(),
                lastDay: new Date(CERT_NOW).toISOString(),
              },
              body: storedAs(input),
            },
          ],
          findings: [
            {
              fact: {
                id: 'F-3',
                audit: 'stage1',
                auditId: 'A-2',
                stepKey: 'c1.CERTIFICATION.1',
                grade: 'observation',
                requirementId: '6.2',
                status: 'verified',
                raisedAt: new Date(CERT_NOW).toISOString(),
              },
              text: { description: storedAs(input, ['findings', 0, 'description']) },
            },
          ],
        },
      });
      expect(findingIds(applied)).toEqual(['F-3']);
      // The auditors and the finding's description are in the stored audit the records are written from.
      expect(bodyAt(input, applied.changes.audits?.[0].body)).toMatchObject({
        auditors: [{ name: 'Ada External', email: 'ada.external@auditors.test' }],
        independent: true,
      });
      expect(bodyAt(input, applied.changes.findings?.[0].text?.description)).toBe('observation on 6.2');
      const stage2 = submit(d, c, auditInput('stage2', [], [STAGE2_FIRST, STAGE2_LAST]));
      expect(stage2.changes.audits?.[0].fact).toMatchObject({
        attempt: 1,
        firstDay: STAGE2_FIRST,
        lastDay: STAGE2_LAST,
      });
    });
  });

  describe('finding', () => {
    test('is refused before its audit is recorded', () => {
      const d = certified();
      const s = ctxOf('SURVEILLANCE_1', { now: Date.parse('2028-01-01T00:00:00.000Z') });
      expect(rejectionOf(d, s, lateFinding('surveillance', 'minor_nc'))).toBe(
        'record the surveillance audit before its findings',
      );
      submit(d, s, auditInput('surveillance'));
      const applied = submit(d, s, lateFinding('surveillance', 'minor_nc'));
      expect(d.findings[applied.recordId ?? '']).toMatchObject({
        audit: 'surveillance',
        auditId: d.audits.at(-1)?.id,
        stepKey: 'c1.SURVEILLANCE_1.1',
        status: 'open',
      });
      expect(gateIds(d, s)).toEqual(['nonconformitiesHaveActions']);
    });

    test('stage 2 findings wait for stage 2', () => {
      const { d, c } = atCertification();
      submit(d, c, auditInput('stage1'));
      expect(rejectionOf(d, c, lateFinding('stage2', 'major_nc'))).toBe(
        'record the stage2 audit before its findings',
      );
    });
  });

  describe('correctiveAction', () => {
    test('only for an open nonconformity', () => {
      const d = implemented();
      const c = ctxOf('INTERNAL_AUDIT');
      submit(
        d,
        c,
        auditInput('internal', [
          finding('conformity', '5.2'),
          finding('minor_nc', '7.2'),
          finding('observation', '7.3'),
          finding('ofi', '7.4'),
        ]),
      );
      expect(rejectionOf(d, c, action('F-99'))).toBe('no finding F-99');
      expect(rejectionOf(d, c, action('F-1'))).toBe('finding F-1 is a conformity, not a nonconformity');
      expect(rejectionOf(d, c, action('F-3'))).toBe('finding F-3 is an observation, not a nonconformity');
      expect(rejectionOf(d, c, action('F-4'))).toBe(
        'finding F-4 is an opportunity for improvement, not a nonconformity',
      );
      expect(rejectionOf(d, c, action('F-2'))).toBeNull();
      const planned = submit(d, c, action('F-2'));
      expect(d.findings['F-2']).toMatchObject({
        status: 'action_planned',
        correctiveAction: { recordedAt: new Date(T0).toISOString() },
      });
      // The action's text is in the stored input the finding's record is written with.
      expect(bodyAt(action('F-2'), planned.changes.findings?.[0].text?.correctiveAction)).toMatchObject({
        action: 'Add the trigger',
      });
      expect(rejectionOf(d, c, action('F-2'))).toBe('finding F-2 is already action planned');
      submit(d, c, verify('F-2'));
      expect(rejectionOf(d, c, action('F-2'))).toBe('finding F-2 is already verified');
    });

    test('not for a superseded nonconformity', () => {
      const { d, c, stage2 } = certificationAudited([finding('minor_nc', '7.2')]);
      submit(d, c, decisionInput('refused'));
      const [minor] = findingIds(stage2);
      expect(d.findings[minor].status).toBe('superseded');
      expect(rejectionOf(d, c, action(minor))).toBe(`finding ${minor} is already superseded`);
      expect(rejectionOf(d, c, verify(minor))).toBe(
        `finding ${minor} is superseded; only a finding with a corrective action can be verified`,
      );
    });

    test('earlier findings can be corrected in a later step that accepts it', () => {
      const d = implemented();
      const c = ctxOf('INTERNAL_AUDIT');
      submit(d, c, auditInput('internal', [finding('minor_nc', '7.2')]));
      submit(d, c, action('F-1'));
      const review = ctxOf('MANAGEMENT_REVIEW');
      expect(rejectionOf(d, review, verify('F-1'))).toBeNull();
    });
  });

  describe('verification', () => {
    test('needs a corrective action first', () => {
      const d = implemented();
      const c = ctxOf('INTERNAL_AUDIT');
      submit(d, c, auditInput('internal', [finding('conformity', '5.2'), finding('major_nc', '9.2.2')]));
      expect(rejectionOf(d, c, verify('F-99'))).toBe('no finding F-99');
      expect(rejectionOf(d, c, verify('F-2'))).toBe(
        'finding F-2 is open; only a finding with a corrective action can be verified',
      );
      expect(rejectionOf(d, c, verify('F-1'))).toBe(
        'finding F-1 is verified; only a finding with a corrective action can be verified',
      );
      submit(d, c, action('F-2'));
      expect(rejectionOf(d, c, verify('F-2'))).toBeNull();
    });
  });

  describe('certificationDecision', () => {
    test('not before the stage 2 (or recertification) audit', () => {
      const { d, c } = atCertification();
      submit(d, c, auditInput('stage1'));
      expect(rejectionOf(d, c, grant('AIMS-1'))).toBe(
        'no certification decision before the stage2 audit is recorded',
      );
      expect(rejectionOf(d, c, decisionInput('refused'))).toBe(
        'no certification decision before the stage2 audit is recorded',
      );
      const r = atRecertification();
      expect(rejectionOf(r.d, r.c, grant('AIMS-2'))).toBe(
        'no certification decision before the recertification audit is recorded',
      );
    });

    test('once per step', () => {
      const { d, c } = certificationAudited();
      submit(d, c, grant('AIMS-0001'));
      expect(rejectionOf(d, c, grant('AIMS-0002'))).toBe(
        'a certification decision is already recorded in this step',
      );
      expect(rejectionOf(d, c, decisionInput('refused'))).toBe(
        'a certification decision is already recorded in this step',
      );
    });

    test('not granted while a nonconformity lacks an action or a major is unverified; refusal stays possible', () => {
      const { d, c, stage2 } = certificationAudited([finding('minor_nc', '7.2'), finding('major_nc', '8.4')]);
      const [minor, major] = findingIds(stage2);
      expect(rejectionOf(d, c, grant('AIMS-1'))).toBe(
        `a certificate cannot be granted: nonconformities without a corrective action: ${minor}, ${major}; ` +
          `major nonconformities not yet verified as corrected: ${major}`,
      );
      submit(d, c, action(minor));
      expect(rejectionOf(d, c, grant('AIMS-1'))).toBe(
        `a certificate cannot be granted: nonconformities without a corrective action: ${major}; ` +
          `major nonconformities not yet verified as corrected: ${major}`,
      );
      submit(d, c, action(major));
      expect(rejectionOf(d, c, grant('AIMS-1'))).toBe(
        `a certificate cannot be granted: major nonconformities not yet verified as corrected: ${major}`,
      );
      expect(rejectionOf(d, c, decisionInput('refused'))).toBeNull();
      submit(d, c, verify(major));
      // A minor NC with a planned action does not block the certificate.
      expect(rejectionOf(d, c, grant('AIMS-1'))).toBeNull();
    });

    test('the decision date cannot be in the future', () => {
      const { d, c } = certificationAudited();
      const future = new Date(c.now + 1).toISOString();
      expect(rejectionOf(d, c, grant('AIMS-1', future))).toBe('the decision date cannot be in the future');
      expect(rejectionOf(d, c, decisionInput('refused', { decidedOn: future }))).toBe(
        'the decision date cannot be in the future',
      );
      expect(rejectionOf(d, c, grant('AIMS-1', new Date(c.now).toISOString()))).toBeNull();
      expect(rejectionOf(d, c, grant('AIMS-1', DECIDED_ON))).toBeNull();
    });

    test('a grant issues the certificate; without a date it is decided now', () => {
      const { d, c } = certificationAudited();
      const applied = submit(d, c, grant('AIMS-0042'));
      const certificate = {
        number: 'AIMS-0042',
        decisionDate: '2027-07-01T12:00:00.000Z',
        expiresOn: '2030-07-01T12:00:00.000Z',
        status: 'ACTIVE',
        cycle: 1,
        decisionStepKey: 'c1.CERTIFICATION.1',
        scopeVersion: 1,
      };
      expect(applied).toEqual({ recordId: 'AIMS-0042', changes: { certificate } });
      expect(d.certificate).toEqual(certificate);
    });
  });

  test('certification body and roadmap tasks have no preconditions beyond the step', () => {
    expect(rejectionOf(reviewed(), ctxOf('CERTIFICATION'), certificationBody)).toBeNull();
    expect(rejectionOf(scoped(), ctxOf('GAP_ANALYSIS'), task('A.7.5'))).toBeNull();
  });
});

// ---------------------------------------------------------------- deadlines and loop-backs

describe('loop-back (a): a major NC not verified within 183 days repeats stage 2', () => {
  test('the deadline is the last day of stage 2 plus the verification window', () => {
    const { d, c, stage2 } = certificationAudited([finding('major_nc', '9.2.2'), finding('minor_nc', '7.2')]);
    const [major] = findingIds(stage2);
    expect(activeDeadline(d, c)).toEqual({
      id: 'majorNcVerification',
      dueAt: '2027-12-15T17:00:00.000Z',
      description: 'major nonconformities must be verified as corrected, or stage 2 is repeated',
    });
    // Corrected in time: no deadline any more.
    submit(d, c, action(major));
    expect(activeDeadline(d, c)?.dueAt).toBe('2027-12-15T17:00:00.000Z');
    submit(d, c, verify(major));
    expect(activeDeadline(d, c)).toBeUndefined();
  });

  test('only major NCs start it, and it follows the configured window', () => {
    const minorOnly = certificationAudited([finding('minor_nc', '7.2')]);
    expect(activeDeadline(minorOnly.d, minorOnly.c)).toBeUndefined();

    const { d, c } = certificationAudited([finding('major_nc', '9.2.2')]);
    d.config = { ...d.config, majorNcVerificationWindow: 'PT30S' };
    expect(activeDeadline(d, c)?.dueAt).toBe('2027-06-15T17:00:30.000Z');
  });

  test('expiry supersedes the open NCs of the step and asks for stage 2 attempt 2', () => {
    const { d, c, stage2 } = certificationAudited([
      finding('major_nc', '9.2.2'),
      finding('minor_nc', '7.2'),
      finding('minor_nc', '7.3'),
      finding('observation', '6.2'),
    ]);
    const [major, minorOpen, minorPlanned, observation] = findingIds(stage2);
    submit(d, c, action(minorPlanned));
    const internalMinor = Object.values(d.findings).find(
      (f) => f.audit === 'internal' && f.grade === 'minor_nc',
    );
    expect(internalMinor?.status).toBe('action_planned');

    const deadline = activeDeadline(d, c) as Deadline;
    const effect = expireDeadline(d, c, deadline);
    expect(effect.event).toBe(`stage 2 must be repeated: ${major} not verified within P183D of its last day`);
    expect(effect.loopBack).toBeUndefined();
    expect((effect.changes.findings ?? []).map((x) => x.fact.id)).toEqual([major, minorOpen, minorPlanned]);
    expect([major, minorOpen, minorPlanned].map((id) => d.findings[id].status)).toEqual([
      'superseded',
      'superseded',
      'superseded',
    ]);
    expect(d.findings[observation].status).toBe('verified');
    // Findings of other steps are untouched.
    expect(internalMinor?.status).toBe('action_planned');

    expect(d.stage2Attempt).toBe(2);
    expect(unmetGates(d, c)).toEqual([
      { gate: 'auditHeld', reason: 'audit not yet recorded: stage2 (attempt 2)' },
      { gate: 'certificateGranted', reason: 'no positive certification decision recorded in this step' },
    ]);
    expect(activeDeadline(d, c)).toBeUndefined();
    expect(rejectionOf(d, c, grant('AIMS-1'))).toBe(
      'no certification decision before the stage2 audit is recorded',
    );
    expect(rejectionOf(d, c, lateFinding('stage2', 'minor_nc'))).toBe(
      'record the stage2 audit before its findings',
    );

    // The repeated stage 2 (stage 1 is not repeated) starts its own 183 days.
    const later: StepContext = { ...c, now: Date.parse('2028-02-01T12:00:00.000Z') };
    const retry = submit(
      d,
      later,
      auditInput('stage2', [finding('major_nc', '8.4')], ['2028-01-10T08:00:00Z', '2028-01-11T17:00:00Z']),
    );
    expect(retry.changes.audits?.[0].fact.attempt).toBe(2);
    expect(rejectionOf(d, later, auditInput('stage2'))).toBe(
      'the stage2 audit is already recorded in this step',
    );
    expect(activeDeadline(d, later)?.dueAt).toBe('2028-07-12T17:00:00.000Z');
    const [retryMajor] = findingIds(retry);
    submit(d, later, action(retryMajor));
    submit(d, later, verify(retryMajor));
    submit(d, later, grant('AIMS-0200', '2028-02-01T00:00:00.000Z'));
    expect(finish(d, later)).toEqual({});
  });

  test('entering certification starts at attempt 1', () => {
    const d = fresh();
    expect(d.stage2Attempt).toBe(0);
    enterStep(d, ctxOf('SURVEILLANCE_1'));
    expect(d.stage2Attempt).toBe(0);
    d.stage2Attempt = 3;
    enterStep(d, ctxOf('CERTIFICATION', { visit: 2 }));
    expect(d.stage2Attempt).toBe(1);
  });
});

describe('loop-back (b): a refused certification decision', () => {
  test('in certification: stage 2 is repeated and its NCs superseded', () => {
    const { d, c, stage2 } = certificationAudited([finding('minor_nc', '7.2'), finding('major_nc', '8.4')]);
    const [minor, major] = findingIds(stage2);
    submit(d, c, action(minor));
    const applied = submit(d, c, decisionInput('refused'));
    expect((applied.changes.findings ?? []).map((x) => [x.fact.id, x.fact.status])).toEqual([
      [minor, 'superseded'],
      [major, 'superseded'],
    ]);
    expect(d.certificate).toBeUndefined();
    expect(d.stage2Attempt).toBe(2);
    expect(unmetGates(d, c)).toEqual([
      { gate: 'auditHeld', reason: 'audit not yet recorded: stage2 (attempt 2)' },
      { gate: 'certificateGranted', reason: 'no positive certification decision recorded in this step' },
    ]);
    expect(rejectionOf(d, c, grant('AIMS-1'))).toBe(
      'no certification decision before the stage2 audit is recorded',
    );
    submit(d, c, auditInput('stage2'));
    submit(d, c, grant('AIMS-0300'));
    expect(finish(d, c)).toEqual({});
    expect(d.certificate?.number).toBe('AIMS-0300');
  });

  test('in recertification: the recertification audit is repeated and the old certificate stays', () => {
    const { d, c } = atRecertification();
    const audit = submit(d, c, auditInput('recertification', [finding('minor_nc', '7.2')]));
    const [minor] = findingIds(audit);
    const applied = submit(d, c, decisionInput('refused'));
    expect((applied.changes.findings ?? []).map((x) => x.fact.id)).toEqual([minor]);
    expect(d.findings[minor].status).toBe('superseded');
    // The refused audit is voided (kept in the records, no longer counted in the step).
    expect(d.audits.some((a) => a.stepKey === c.stepKey && a.audit === 'recertification' && !a.voided)).toBe(
      false,
    );
    const voided = applied.changes.audits ?? [];
    expect(voided).toEqual([{ fact: audit.changes.audits?.[0].fact }]);
    expect(voided[0].fact).toMatchObject({ stepKey: c.stepKey, audit: 'recertification', voided: true });
    expect(d.stage2Attempt).toBe(1);
    expect(d.certificate).toMatchObject({ number: 'AIMS-0001', status: 'ACTIVE' });
    expect(unmetGates(d, c)).toEqual([
      { gate: 'auditHeld', reason: 'audit not yet recorded: recertification' },
      { gate: 'certificateGranted', reason: 'no positive certification decision recorded in this step' },
    ]);
    expect(rejectionOf(d, c, auditInput('recertification'))).toBeNull();
  });
});

describe('loop-back (c): a missed surveillance audit', () => {
  test('surveillance is due 12 months after the decision, round 2 after 24', () => {
    const d = certified();
    expect(activeDeadline(d, ctxOf('SURVEILLANCE_1'))).toEqual({
      id: 'surveillanceDue',
      dueAt: '2028-07-01T00:00:00.000Z',
      description: 'surveillance audit 1 must be completed',
    });
    expect(activeDeadline(d, ctxOf('SURVEILLANCE_2'))).toEqual({
      id: 'surveillanceDue',
      dueAt: '2029-07-01T00:00:00.000Z',
      description: 'surveillance audit 2 must be completed',
    });
  });

  test('a decision on 29 February is due on 28 February', () => {
    const { d, c } = certificationAudited();
    submit(
      d,
      { ...c, now: Date.parse('2028-03-01T00:00:00.000Z') },
      grant('AIMS-0001', '2028-02-29T00:00:00.000Z'),
    );
    expect(d.certificate?.expiresOn).toBe('2031-02-28T00:00:00.000Z');
    expect(activeDeadline(d, ctxOf('SURVEILLANCE_1'))?.dueAt).toBe('2029-02-28T00:00:00.000Z');
    expect(activeDeadline(d, ctxOf('SURVEILLANCE_2'))?.dueAt).toBe('2030-02-28T00:00:00.000Z');
  });

  test('the configured intervals apply (years compress to seconds)', () => {
    const { d, c } = certificationAudited();
    d.config = { ...d.config, firstSurveillanceWithin: 'PT30S', surveillanceInterval: 'PT20S' };
    submit(d, c, grant('AIMS-0001', DECIDED_ON));
    expect(activeDeadline(d, ctxOf('SURVEILLANCE_1'))?.dueAt).toBe('2027-07-01T00:00:30.000Z');
    expect(activeDeadline(d, ctxOf('SURVEILLANCE_2'))?.dueAt).toBe('2027-07-01T00:00:50.000Z');
  });

  test('no deadline once the audit is held, or without a certificate', () => {
    const d = certified();
    const c = ctxOf('SURVEILLANCE_1');
    submit(d, c, auditInput('surveillance'));
    expect(activeDeadline(d, c)).toBeUndefined();
    expect(activeDeadline(fresh(), ctxOf('SURVEILLANCE_1'))).toBeUndefined();
  });

  test('expiry lapses the certificate; an audit within six months restores it', () => {
    const d = certified();
    const c = ctxOf('SURVEILLANCE_1', { now: Date.parse('2028-07-01T00:00:01.000Z') });
    enterStep(d, c);
    const due = activeDeadline(d, c) as Deadline;
    const effect = expireDeadline(d, c, due);
    expect(effect).toEqual({
      event:
        'certificate AIMS-0001 lapsed: surveillance audit 1 must be completed by 2028-07-01T00:00:00.000Z',
      changes: { certificate: d.certificate },
    });
    expect(d.certificate).toMatchObject({ status: 'LAPSED', lapsedAt: '2028-07-01T00:00:00.000Z' });
    expect(isOverdue(d)).toBe(true);
    expect(stageView(d, c)).toMatchObject({ overdue: true, certificate: { status: 'LAPSED' } });
    expect(activeDeadline(d, c)).toEqual({
      id: 'restoreWindow',
      dueAt: '2029-01-01T00:00:00.000Z',
      description: 'the lapsed certificate can be restored until then; afterwards it is withdrawn',
    });

    submit(d, c, auditInput('surveillance'));
    expect(activeDeadline(d, c)).toMatchObject({ id: 'restoreWindow' });
    const changes = finish(d, c);
    expect(changes).toEqual({ certificate: d.certificate });
    expect(d.certificate).toEqual({
      number: 'AIMS-0001',
      decisionDate: DECIDED_ON,
      expiresOn: '2030-07-01T00:00:00.000Z',
      status: 'ACTIVE',
      cycle: 1,
      decisionStepKey: 'c1.CERTIFICATION.1',
      scopeVersion: 1,
    });
    expect(isOverdue(d)).toBe(false);
    // The next round is still counted from the decision.
    expect(activeDeadline(d, ctxOf('SURVEILLANCE_2'))?.dueAt).toBe('2029-07-01T00:00:00.000Z');
  });

  test('not restored within six months: withdrawn, back to certification where stage 1 still counts', () => {
    const d = certified();
    const c = ctxOf('SURVEILLANCE_1', { now: Date.parse('2029-01-01T00:00:01.000Z') });
    enterStep(d, c);
    expireDeadline(d, c, activeDeadline(d, c) as Deadline);
    const window = activeDeadline(d, c) as Deadline;
    expect(window.id).toBe('restoreWindow');
    const effect = expireDeadline(d, c, window);
    const reason = 'certificate AIMS-0001 withdrawn: not restored within P6M of lapsing';
    expect(effect).toEqual({
      event: reason,
      changes: { certificate: d.certificate },
      loopBack: { to: 'CERTIFICATION', reason },
    });
    expect(d.certificate?.status).toBe('WITHDRAWN');
    expect(isOverdue(d)).toBe(false);
    expect(activeDeadline(d, c)).toBeUndefined();

    const back = ctxOf('CERTIFICATION', { visit: 2, now: Date.parse('2029-03-01T00:00:00.000Z') });
    enterStep(d, back);
    expect(unmetGates(d, back)).toEqual([
      { gate: 'auditHeld', reason: 'audit not yet recorded: stage2' },
      { gate: 'certificateGranted', reason: 'no positive certification decision recorded in this step' },
      {
        gate: 'approval:certification_body',
        reason: 'Choice of certification body v1: awaiting a decision by the executive sponsor',
      },
    ]);
    decide(d, back, 'certification_body');
    expect(rejectionOf(d, back, auditInput('stage2'))).toBeNull();
    submit(d, back, auditInput('stage2'));
    submit(d, back, grant('AIMS-0002'));
    expect(finish(d, back)).toEqual({});
    expect(d.certificate).toEqual({
      number: 'AIMS-0002',
      decisionDate: '2029-03-01T00:00:00.000Z',
      expiresOn: '2032-03-01T00:00:00.000Z',
      status: 'ACTIVE',
      cycle: 1,
      decisionStepKey: 'c1.CERTIFICATION.2',
      scopeVersion: 1,
      replaces: 'AIMS-0001',
    });
  });

  test('from cycle 2 on, a withdrawn certificate also needs only a new stage 2', () => {
    const { d, c } = atRecertification();
    submit(d, c, auditInput('recertification'));
    submit(d, c, grant('AIMS-0002'));
    finish(d, c);
    carryIntoNextCycle(d, new Date(c.now).toISOString());
    const next = d;
    const s1 = ctxOf('SURVEILLANCE_1', { cycle: 2, now: Date.parse('2032-01-01T00:00:00.000Z') });
    enterStep(next, s1);
    expireDeadline(next, s1, activeDeadline(next, s1) as Deadline);
    expect(expireDeadline(next, s1, activeDeadline(next, s1) as Deadline).loopBack?.to).toBe('CERTIFICATION');

    const back = ctxOf('CERTIFICATION', { cycle: 2, now: Date.parse('2032-01-02T00:00:00.000Z') });
    enterStep(next, back);
    decide(next, back, 'certification_body');
    expect(gateIds(next, back)).toEqual(['auditHeld', 'certificateGranted']);
    expect(rejectionOf(next, back, auditInput('stage2'))).toBeNull();
  });

  test('a withdrawn certificate in surveillance 2 or recertification also returns to certification', () => {
    for (const step of ['SURVEILLANCE_2', 'RECERTIFICATION'] as const) {
      const d = certified();
      const c = ctxOf(step, { now: Date.parse('2031-06-01T00:00:00.000Z') });
      expireDeadline(d, c, activeDeadline(d, c) as Deadline);
      expect(expireDeadline(d, c, activeDeadline(d, c) as Deadline).loopBack?.to).toBe('CERTIFICATION');
    }
  });

  test('completeStep leaves an active certificate alone', () => {
    const d = certified();
    const before = { ...d.certificate };
    expect(completeStep(d, ctxOf('SURVEILLANCE_1'))).toEqual({});
    expect(d.certificate).toEqual(before);
    expect(completeStep(fresh(), ctxOf('SCOPING'))).toEqual({});
  });
});

describe('loop-back (d): recertification', () => {
  test('is due when the certificate expires', () => {
    const { d, c } = atRecertification();
    expect(activeDeadline(d, c)).toEqual({
      id: 'recertificationDue',
      dueAt: '2030-07-01T00:00:00.000Z',
      description: 'recertification must be decided before the certificate expires',
    });
  });

  test('a grant continues from the old expiry and belongs to the next cycle', () => {
    const { d, c } = atRecertification();
    submit(d, c, auditInput('recertification'));
    const applied = submit(d, c, grant('AIMS-0002', '2030-05-01T00:00:00.000Z'));
    const certificate = {
      number: 'AIMS-0002',
      decisionDate: '2030-05-01T00:00:00.000Z',
      expiresOn: '2033-07-01T00:00:00.000Z',
      status: 'ACTIVE',
      cycle: 2,
      decisionStepKey: 'c1.RECERTIFICATION.1',
      scopeVersion: 1,
      replaces: 'AIMS-0001',
    };
    expect(applied).toEqual({ recordId: 'AIMS-0002', changes: { certificate } });
    expect(finish(d, c)).toEqual({});
    expect(activeDeadline(d, c)).toBeUndefined();
  });

  test('expiry lapses the certificate; a recertification within six months still continues from the old expiry', () => {
    const { d, c } = atRecertification(Date.parse('2030-07-01T00:00:01.000Z'));
    const effect = expireDeadline(d, c, activeDeadline(d, c) as Deadline);
    expect(effect.event).toBe(
      'certificate AIMS-0001 lapsed: recertification must be decided before the certificate expires by 2030-07-01T00:00:00.000Z',
    );
    expect(d.certificate).toMatchObject({ status: 'LAPSED', lapsedAt: '2030-07-01T00:00:00.000Z' });
    expect(activeDeadline(d, c)).toMatchObject({ id: 'restoreWindow', dueAt: '2031-01-01T00:00:00.000Z' });

    const later = { ...c, now: Date.parse('2030-09-01T00:00:00.000Z') };
    submit(d, later, auditInput('recertification'));
    submit(d, later, grant('AIMS-0002'));
    expect(d.certificate).toMatchObject({
      number: 'AIMS-0002',
      decisionDate: '2030-09-01T00:00:00.000Z',
      expiresOn: '2033-07-01T00:00:00.000Z',
      status: 'ACTIVE',
      cycle: 2,
    });
    expect(d.certificate?.lapsedAt).toBeUndefined();
    expect(finish(d, later)).toEqual({});
  });

  test('carryIntoNextCycle keeps live findings and the last stage 1 only, clears approvals, bumps the cycle', () => {
    const { d, c } = atRecertification();
    // A refused first attempt leaves a superseded NC behind.
    submit(d, c, auditInput('recertification', [finding('minor_nc', '7.2')]));
    submit(d, c, decisionInput('refused'));
    const audit = submit(
      d,
      c,
      auditInput('recertification', [
        finding('minor_nc', '7.4'),
        finding('ofi', '10.1'),
        finding('major_nc', '8.2'),
      ]),
    );
    const [minor, ofi, major] = findingIds(audit);
    submit(d, c, action(minor));
    submit(d, c, action(major));
    submit(d, c, verify(major));
    submit(d, c, grant('AIMS-0002'));
    finish(d, c);
    // A late finding recorded against the audit, still open.
    const late = submit(d, c, lateFinding('recertification', 'minor_nc', '9.1')).recordId as string;

    const statuses = Object.fromEntries(Object.values(d.findings).map((f) => [f.id, f.status]));
    expect(Object.values(statuses).sort()).toEqual(
      expect.arrayContaining(['open', 'action_planned', 'verified', 'superseded']),
    );
    const live = Object.keys(statuses).filter(
      (id) => statuses[id] === 'open' || statuses[id] === 'action_planned',
    );
    // The internal-audit minor NC (action planned) plus the two from recertification.
    expect(live).toHaveLength(3);
    expect(live).toEqual(expect.arrayContaining([minor, late]));
    expect(live).not.toContain(ofi);
    expect(live).not.toContain(major);

    // The facts change in place: compare with a copy of the last cycle's.
    const before = structuredClone(d);
    const handover = '2030-05-02T00:00:00.000Z';
    carryIntoNextCycle(d, handover);
    const next = d;
    expect(next.cycle).toBe(2);
    expect(next.cycleStartedAt).toBe(handover);
    expect(Object.keys(next.findings).sort()).toEqual([...live].sort());
    expect(
      Object.values(next.findings).every((f) => f.status === 'open' || f.status === 'action_planned'),
    ).toBe(true);
    // Only the latest stage 1 survives, for a stage-2-only return after a later withdrawal.
    expect(next.audits.map((a) => a.audit)).toEqual(['stage1']);
    expect(next.audits[0]).toEqual(before.audits.filter((a) => a.audit === 'stage1').at(-1));
    expect(next.approvals).toEqual({});
    expect(next.certificate).toEqual(before.certificate);
    expect(next.certificate?.cycle).toBe(2);
    expect(next.tasks).toEqual(before.tasks);
    expect(next.assessments).toEqual(before.assessments);
    expect(next.documents.scope).toEqual(before.documents.scope);
    expect(next.systems).toEqual(before.systems);
    expect(next.seq).toEqual(before.seq);
    // What the last cycle had, and what it handed over.
    expect(before.cycle).toBe(1);
    expect(before.audits.length).toBeGreaterThan(0);
    expect(Object.keys(before.approvals).length).toBeGreaterThan(0);
    expect(next.carriedOver).toEqual({
      fromCycle: 1,
      openFindings: live.length,
      closedFindings: 2,
      certificate: 'AIMS-0002',
    });
    // The view lists them: the open nonconformities the last cycle raised.
    const carried = programmeWork(next, Date.parse('2030-06-01T00:00:00.000Z'), new Map()).carriedOver;
    expect([...(carried?.openFindings ?? [])].sort()).toEqual([...live].sort());

    // Cycle 2 starts with its first surveillance, due 12 months after the recertification decision.
    const s1 = ctxOf('SURVEILLANCE_1', { cycle: 2, now: Date.parse('2030-06-01T00:00:00.000Z') });
    enterStep(next, s1);
    expect(s1.stepKey).toBe('c2.SURVEILLANCE_1.1');
    expect(activeDeadline(next, s1)?.dueAt).toBe('2031-05-01T00:00:00.000Z');
    // The internal audit programme recurs: cycle 2 needs its own.
    expect(unmetGates(next, s1)).toEqual([
      { gate: 'auditHeld', reason: 'audit not yet recorded: surveillance' },
      { gate: 'auditProgrammeOnTrack', reason: 'no internal audit programme planned for cycle 2' },
    ]);
  });
});

describe('activeDeadline', () => {
  test('picks the earliest of the step deadlines, whatever their order', () => {
    const d = certified();
    for (const deadlines of [
      ['recertificationDue', 'surveillanceDue'],
      ['surveillanceDue', 'recertificationDue'],
    ] as const) {
      const step: StepDef = { ...stepDef('SURVEILLANCE_1'), deadlines };
      const c: StepContext = { step, stepKey: 'c1.SURVEILLANCE_1.1', now: T0 };
      expect(activeDeadline(d, c)).toMatchObject({
        id: 'surveillanceDue',
        dueAt: '2028-07-01T00:00:00.000Z',
      });
    }
    const recertOnly: StepDef = { ...stepDef('SURVEILLANCE_1'), deadlines: ['recertificationDue'] };
    expect(activeDeadline(d, { step: recertOnly, stepKey: 'c1.SURVEILLANCE_1.1', now: T0 })?.dueAt).toBe(
      '2030-07-01T00:00:00.000Z',
    );
  });

  test('is undefined when the gates are all met', () => {
    const d = certified();
    for (const [step, kind] of [
      ['SURVEILLANCE_1', 'surveillance'],
      ['SURVEILLANCE_2', 'surveillance'],
      ['RECERTIFICATION', 'recertification'],
    ] as const) {
      const c = ctxOf(step, { now: Date.parse('2030-05-01T00:00:00.000Z') });
      expect(activeDeadline(d, c)).toBeDefined();
      submit(d, c, auditInput(kind));
      if (step === 'RECERTIFICATION') submit(d, c, grant('AIMS-0002'));
      expect(unmetGates(d, c)).toEqual([]);
      expect(activeDeadline(d, c)).toBeUndefined();
    }
  });

  test('steps without deadlines have none', () => {
    const { d, c } = atCertification();
    expect(activeDeadline(d, c)).toBeUndefined();
    expect(activeDeadline(fresh(), ctxOf('SCOPING'))).toBeUndefined();
  });
});

// ---------------------------------------------------------------- the view

describe('stageView', () => {
  test('reports the step, what it accepts, what blocks it and the next deadline', () => {
    const { d, c, stage2 } = certificationAudited([finding('major_nc', '8.4')]);
    const [major] = findingIds(stage2);
    const view = stageView(d, c);
    expect(view).toEqual({
      programmeId: 'prog-1',
      cycle: 1,
      step: 'CERTIFICATION',
      stage: 'CERTIFICATION',
      stepKey: 'c1.CERTIFICATION.1',
      accepts: [
        'certificationBody',
        'audit',
        'finding',
        'correctiveAction',
        'verification',
        'certificationDecision',
      ],
      unmetGates: [
        {
          gate: 'nonconformitiesHaveActions',
          reason: `nonconformities without a corrective action: ${major}`,
        },
        { gate: 'noOpenMajorNc', reason: `major nonconformities not yet verified as corrected: ${major}` },
        { gate: 'certificateGranted', reason: 'no positive certification decision recorded in this step' },
      ],
      pendingApprovals: [],
      nextDeadline: {
        id: 'majorNcVerification',
        dueAt: '2027-12-15T17:00:00.000Z',
        description: 'major nonconformities must be verified as corrected, or stage 2 is repeated',
      },
      overdue: false,
      certificate: undefined,
    });
    // The view is a copy: changing it does not change the process model.
    expect(view.accepts).not.toBe(stepDef('CERTIFICATION').accepts);
  });

  test('shows pending approvals and the surveillance stage kind', () => {
    const d = fresh();
    const c = ctxOf('SCOPING');
    submit(d, c, { kind: 'scope', ...scopeBody() });
    expect(stageView(d, c)).toMatchObject({
      step: 'SCOPING',
      stage: 'SCOPING',
      accepts: ['scope'],
      pendingApprovals: [{ gate: 'scope', artefactVersion: 1, approverEmail: PEOPLE.sponsor.email }],
      nextDeadline: undefined,
      overdue: false,
    });
    const certifiedDossier = certified();
    const s2 = stageView(certifiedDossier, ctxOf('SURVEILLANCE_2'));
    expect(s2).toMatchObject({
      step: 'SURVEILLANCE_2',
      stage: 'SURVEILLANCE',
      stepKey: 'c1.SURVEILLANCE_2.1',
      nextDeadline: { id: 'surveillanceDue', dueAt: '2029-07-01T00:00:00.000Z' },
      certificate: { number: 'AIMS-0001', status: 'ACTIVE' },
      overdue: false,
    });
  });
});
