/**
 * The journey as data: the step graph and the consistency between what a step accepts, the
 * audits it holds, its approvals, its gates and its deadlines (and what the engine handles).
 */
import { activeDeadline, expireDeadline, type StepContext } from '../../domain/engine';
import { newFacts, type ProgrammeFacts } from '../../domain/facts';
import {
  FIRST_STEP,
  NEXT_CYCLE_STEP,
  STEPS,
  stepDef,
  type DeadlineId,
  type GateId,
  type StepDef,
} from '../../domain/process-model';
import { ProgrammeConfig, type StageInputKind } from '../../domain/schemas';
import { STAGE_KINDS, STEP_IDS, type ArtefactKind, type StepId } from '../../domain/vocabulary';

const ALL_DEADLINES: readonly DeadlineId[] = [
  'majorNcVerification',
  'surveillanceDue',
  'recertificationDue',
  'restoreWindow',
];

const ALL_GATES: readonly GateId[] = [
  'scopeDefined',
  'allRequirementsAssessed',
  'everyGapHasTask',
  'impactAssessmentsComplete',
  'applicableTasksClosed',
  'auditHeld',
  'stage1Held',
  'nonconformitiesHaveActions',
  'noOpenMajorNc',
  'auditProgrammeOnTrack',
  'certificateGranted',
];

/** The input that creates or revises each approvable artefact. */
const ARTEFACT_INPUTS: Record<ArtefactKind, readonly StageInputKind[]> = {
  scope: ['scope'],
  roadmap: ['assessments', 'roadmapTask'],
  aiPolicy: ['policy'],
  riskTreatmentPlan: ['riskTreatmentPlan'],
  soa: ['soa'],
  managementReview: ['managementReview'],
  certificationBody: ['certificationBody'],
};

function walk(): (StepId | 'NEXT_CYCLE')[] {
  const visited: (StepId | 'NEXT_CYCLE')[] = [];
  let at: StepId | 'NEXT_CYCLE' = FIRST_STEP;
  while (at !== 'NEXT_CYCLE' && visited.length <= STEPS.length) {
    visited.push(at);
    at = stepDef(at).next;
  }
  visited.push(at);
  return visited;
}

describe('the step graph', () => {
  test('FIRST_STEP is SCOPING', () => {
    expect(FIRST_STEP).toBe('SCOPING');
    expect(STEPS[0].id).toBe(FIRST_STEP);
  });

  test('following next from SCOPING visits every step exactly once, in order, and ends the cycle from RECERTIFICATION', () => {
    const path = walk();
    expect(path).toEqual([...STEP_IDS, 'NEXT_CYCLE']);
    const steps = path.slice(0, -1);
    expect(new Set(steps).size).toBe(STEPS.length);
    expect(steps.at(-1)).toBe('RECERTIFICATION');
    expect(stepDef('RECERTIFICATION').next).toBe('NEXT_CYCLE');
    expect(STEPS.filter((s) => s.next === 'NEXT_CYCLE').map((s) => s.id)).toEqual(['RECERTIFICATION']);
  });

  test('STEPS lists every StepId once, in journey order', () => {
    expect(STEPS.map((s) => s.id)).toEqual([...STEP_IDS]);
  });

  test('NEXT_CYCLE_STEP is SURVEILLANCE_1, the first surveillance round', () => {
    expect(NEXT_CYCLE_STEP).toBe('SURVEILLANCE_1');
    expect(stepDef(NEXT_CYCLE_STEP).surveillanceRound).toBe(1);
  });

  test('stepDef returns the definition and refuses an unknown step', () => {
    for (const s of STEPS) expect(stepDef(s.id)).toBe(s);
    const bogus: string = 'BOGUS';
    expect(() => stepDef(bogus as StepId)).toThrow('unknown step BOGUS');
  });

  test('every onWithdrawnCertificate target is an existing, earlier step that issues certificates', () => {
    const order = STEPS.map((s) => s.id);
    const withTarget = STEPS.filter((s) => s.onWithdrawnCertificate !== undefined);
    expect(withTarget.map((s) => s.id)).toEqual(['SURVEILLANCE_1', 'SURVEILLANCE_2', 'RECERTIFICATION']);
    for (const s of withTarget) {
      const to = s.onWithdrawnCertificate as StepId;
      expect(STEP_IDS).toContain(to);
      expect(order.indexOf(to)).toBeLessThan(order.indexOf(s.id));
      expect(stepDef(to).gates).toContain('certificateGranted');
    }
  });

  test('every step that can withdraw a certificate (restoreWindow) says where the journey resumes', () => {
    for (const s of STEPS.filter((x) => x.deadlines.includes('restoreWindow'))) {
      expect(s.onWithdrawnCertificate).toBeDefined();
    }
  });

  test('stages are known stage kinds, and surveillance steps carry rounds 1 and 2', () => {
    for (const s of STEPS) expect(STAGE_KINDS).toContain(s.stage);
    const surveillance = STEPS.filter((s) => s.stage === 'SURVEILLANCE');
    expect(surveillance.map((s) => [s.id, s.surveillanceRound])).toEqual([
      ['SURVEILLANCE_1', 1],
      ['SURVEILLANCE_2', 2],
    ]);
    expect(STEPS.filter((s) => s.surveillanceRound !== undefined)).toEqual(surveillance);
  });

  test('every step has a title', () => {
    for (const s of STEPS) expect(s.title.trim().length).toBeGreaterThan(0);
  });
});

describe('inputs, audits, approvals and gates agree', () => {
  test.each(STEPS.map((s) => [s.id, s] as const))('%s: lists audits iff it accepts audit', (_id, s) => {
    expect(s.audits.length > 0).toBe(s.accepts.includes('audit'));
    if (s.accepts.includes('finding')) expect(s.audits.length).toBeGreaterThan(0);
  });

  test('audit kinds are held where the standard puts them', () => {
    expect(Object.fromEntries(STEPS.map((s) => [s.id, [...s.audits]]))).toEqual({
      SCOPING: [],
      GAP_ANALYSIS: [],
      IMPLEMENTATION: [],
      INTERNAL_AUDIT: ['internal'],
      MANAGEMENT_REVIEW: [],
      CERTIFICATION: ['stage1', 'stage2'],
      SURVEILLANCE_1: ['surveillance'],
      SURVEILLANCE_2: ['surveillance'],
      RECERTIFICATION: ['recertification'],
    });
  });

  test('no step accepts the same input kind twice or lists a gate or deadline twice', () => {
    for (const s of STEPS) {
      expect(new Set(s.accepts).size).toBe(s.accepts.length);
      expect(new Set(s.gates).size).toBe(s.gates.length);
      expect(new Set(s.deadlines).size).toBe(s.deadlines.length);
    }
  });

  test('approval gate ids are unique across the journey', () => {
    const gates = STEPS.flatMap((s) => s.approvals.map((a) => a.gate));
    expect(gates).toEqual([
      'scope',
      'roadmap',
      'ai_policy',
      'risk_treatment_plan',
      'soa',
      'management_review',
      'certification_body',
    ]);
    expect(new Set(gates).size).toBe(gates.length);
    // An approval gate is reported as `approval:<gate>`, so it can never shadow an exit gate.
    for (const g of gates) expect(ALL_GATES).not.toContain(g);
  });

  test('each approval artefact can be submitted in the step that approves it', () => {
    for (const s of STEPS) {
      for (const a of s.approvals) {
        expect(ARTEFACT_INPUTS[a.artefact].some((kind) => s.accepts.includes(kind))).toBe(true);
        expect(['sponsor', 'topManagement', 'complianceLead']).toContain(a.approverRole);
        expect(a.title.length).toBeGreaterThan(0);
      }
    }
  });

  test('every exit gate is known, and every known gate is used by some step', () => {
    const used = new Set(STEPS.flatMap((s) => s.gates));
    for (const g of used) expect(ALL_GATES).toContain(g);
    expect([...used].sort()).toEqual([...ALL_GATES].sort());
  });

  test('gates can be satisfied with what the step accepts', () => {
    for (const s of STEPS) {
      if (s.gates.includes('certificateGranted')) expect(s.accepts).toContain('certificationDecision');
      if (s.accepts.includes('certificationDecision')) expect(s.gates).toContain('certificateGranted');
      if (s.gates.includes('nonconformitiesHaveActions')) expect(s.accepts).toContain('correctiveAction');
      if (s.gates.includes('noOpenMajorNc')) expect(s.accepts).toContain('verification');
      if (s.gates.includes('auditHeld')) expect(s.accepts).toContain('audit');
      if (s.gates.includes('stage1Held')) expect(s.audits).toContain('stage1');
      if (s.gates.includes('scopeDefined')) expect(s.accepts).toContain('scope');
      if (s.gates.includes('impactAssessmentsComplete')) expect(s.accepts).toContain('impactAssessment');
      if (s.gates.includes('applicableTasksClosed')) expect(s.accepts).toContain('taskUpdate');
      if (s.gates.includes('allRequirementsAssessed')) expect(s.accepts).toContain('assessments');
      if (s.gates.includes('everyGapHasTask')) expect(s.accepts).toContain('roadmapTask');
      if (s.gates.includes('auditProgrammeOnTrack')) expect(s.accepts).toContain('auditProgramme');
    }
  });

  test('a step that waits for an audit also holds its nonconformities to account', () => {
    for (const s of STEPS.filter((x) => x.gates.includes('auditHeld'))) {
      expect(s.gates).toEqual(expect.arrayContaining(['nonconformitiesHaveActions', 'noOpenMajorNc']));
    }
  });
});

describe('deadlines', () => {
  const config = ProgrammeConfig.parse({});
  const NOW = Date.parse('2028-01-10T00:00:00.000Z');

  /** Facts in which `deadline` is running (and its gates open) for the step. */
  function running(deadline: DeadlineId, ctx: StepContext): ProgrammeFacts {
    const d = newFacts('p-1', 'Acme Ltd', config);
    d.stage2Attempt = 1;
    const certificate = {
      number: 'AIMS-1',
      decisionDate: '2027-07-01T00:00:00.000Z',
      expiresOn: '2030-07-01T00:00:00.000Z',
      status: 'ACTIVE' as const,
      cycle: 1,
      decisionStepKey: 'c1.CERTIFICATION.1',
    };
    switch (deadline) {
      case 'majorNcVerification':
        d.audits.push({
          id: 'A-1',
          audit: 'stage2',
          stepKey: ctx.stepKey,
          attempt: 1,
          firstDay: '2027-06-14T00:00:00.000Z',
          lastDay: '2027-06-15T00:00:00.000Z',
        });
        d.findings['F-1'] = {
          id: 'F-1',
          audit: 'stage2',
          auditId: 'A-1',
          stepKey: ctx.stepKey,
          grade: 'major_nc',
          requirementId: '8.4',
          status: 'open',
          raisedAt: '2027-06-15T00:00:00.000Z',
        };
        break;
      case 'surveillanceDue':
      case 'recertificationDue':
        d.certificate = certificate;
        break;
      case 'restoreWindow':
        d.certificate = { ...certificate, status: 'LAPSED', lapsedAt: '2028-07-01T00:00:00.000Z' };
        break;
    }
    return d;
  }

  const listed = STEPS.flatMap((s) => s.deadlines.map((id) => [s.id, id] as const));

  test('the journey uses every deadline the engine knows', () => {
    expect(new Set(listed.map(([, id]) => id))).toEqual(new Set(ALL_DEADLINES));
  });

  test.each(listed)('%s: the engine runs and expires %s', (stepId, id) => {
    const only: StepDef = { ...stepDef(stepId), deadlines: [id] };
    const ctx: StepContext = { step: only, stepKey: `c1.${stepId}.1`, now: NOW };
    const d = running(id, ctx);
    const deadline = activeDeadline(d, ctx);
    expect(deadline).toMatchObject({ id });
    expect(Number.isNaN(Date.parse(deadline?.dueAt ?? ''))).toBe(false);
    expect(deadline?.description.length).toBeGreaterThan(0);
    const effect = expireDeadline(d, ctx, deadline as NonNullable<typeof deadline>);
    expect(effect.event.length).toBeGreaterThan(0);
    expect(Object.keys(effect.changes).length).toBeGreaterThan(0);
  });

  test('only certification can repeat stage 2; only certificate holders can lapse', () => {
    expect(STEPS.filter((s) => s.deadlines.includes('majorNcVerification')).map((s) => s.id)).toEqual([
      'CERTIFICATION',
    ]);
    expect(STEPS.filter((s) => s.deadlines.includes('surveillanceDue')).map((s) => s.id)).toEqual([
      'SURVEILLANCE_1',
      'SURVEILLANCE_2',
    ]);
    expect(STEPS.filter((s) => s.deadlines.includes('recertificationDue')).map((s) => s.id)).toEqual([
      'RECERTIFICATION',
    ]);
    for (const s of STEPS) {
      if (s.deadlines.includes('surveillanceDue')) expect(s.surveillanceRound).toBeDefined();
      if (s.deadlines.includes('surveillanceDue') || s.deadlines.includes('recertificationDue'))
        expect(s.deadlines).toContain('restoreWindow');
    }
  });
});
