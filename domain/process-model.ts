/**
 * The certification journey as data. The programme workflow walks these steps; the stage
 * workflow enforces each step's inputs, approvals, exit gates and deadlines through the pure
 * engine in engine.ts. Change the journey here, then its diagram in docs/certification-cycle.md
 * with `npm run diagram`.
 */
import type {
  ApproverRole,
  ArtefactKind,
  AuditKind,
  DeadlineId,
  GateId,
  InputKind,
  StageKind,
  StepId,
} from './vocabulary';

export type { DeadlineId, GateId } from './vocabulary';

export const PROCESS_MODEL_VERSION = '1';

export interface ApprovalDef {
  gate: string;
  artefact: ArtefactKind;
  approverRole: ApproverRole;
  title: string;
}

export interface StepDef {
  id: StepId;
  stage: StageKind;
  title: string;
  accepts: readonly InputKind[];
  /** Audit kinds that can be recorded (and raise findings) in this step. */
  audits: readonly AuditKind[];
  approvals: readonly ApprovalDef[];
  /** Gates besides the approvals; all must hold for the step to end. */
  gates: readonly GateId[];
  deadlines: readonly DeadlineId[];
  /** 'NEXT_CYCLE' ends the three-year cycle: the programme continues as new. */
  next: StepId | 'NEXT_CYCLE';
  /** Where the journey resumes when a lapsed certificate cannot be restored. */
  onWithdrawnCertificate?: StepId;
  /** For surveillance steps: which audit of the cycle this is (1 or 2). */
  surveillanceRound?: number;
  /** Internal audits of the audit programme can be recorded here besides the step's own audits. */
  internalAudits?: boolean;
}

const FINDINGS_WORK = ['finding', 'correctiveAction', 'verification'] as const;

export const STEPS: readonly StepDef[] = [
  {
    id: 'SCOPING',
    stage: 'SCOPING',
    title: 'Scoping and executive alignment',
    accepts: ['scope'],
    audits: [],
    approvals: [{ gate: 'scope', artefact: 'scope', approverRole: 'sponsor', title: 'AIMS scope' }],
    gates: ['scopeDefined'],
    deadlines: [],
    next: 'GAP_ANALYSIS',
  },
  {
    id: 'GAP_ANALYSIS',
    stage: 'GAP_ANALYSIS',
    title: 'Gap analysis and roadmap',
    accepts: ['assessments', 'roadmapTask'],
    audits: [],
    approvals: [
      { gate: 'roadmap', artefact: 'roadmap', approverRole: 'sponsor', title: 'Gap analysis and roadmap' },
    ],
    gates: ['allRequirementsAssessed', 'everyGapHasTask'],
    deadlines: [],
    next: 'IMPLEMENTATION',
  },
  {
    id: 'IMPLEMENTATION',
    stage: 'IMPLEMENTATION',
    title: 'Policies and control implementation',
    accepts: ['policy', 'riskTreatmentPlan', 'impactAssessment', 'soa', 'roadmapTask', 'taskUpdate'],
    audits: [],
    approvals: [
      { gate: 'ai_policy', artefact: 'aiPolicy', approverRole: 'topManagement', title: 'AI policy' },
      {
        gate: 'risk_treatment_plan',
        artefact: 'riskTreatmentPlan',
        approverRole: 'sponsor',
        title: 'Risk treatment plan and residual risk',
      },
      { gate: 'soa', artefact: 'soa', approverRole: 'topManagement', title: 'Statement of Applicability' },
    ],
    gates: ['impactAssessmentsComplete', 'applicableTasksClosed'],
    deadlines: [],
    next: 'INTERNAL_AUDIT',
  },
  {
    id: 'INTERNAL_AUDIT',
    stage: 'INTERNAL_AUDIT',
    title: 'Internal audit',
    accepts: ['auditProgramme', 'audit', ...FINDINGS_WORK, 'taskUpdate'],
    audits: ['internal'],
    approvals: [],
    gates: ['auditHeld', 'nonconformitiesHaveActions', 'noOpenMajorNc', 'auditProgrammeOnTrack'],
    deadlines: [],
    next: 'MANAGEMENT_REVIEW',
  },
  {
    id: 'MANAGEMENT_REVIEW',
    stage: 'MANAGEMENT_REVIEW',
    title: 'Management review',
    accepts: ['managementReview', 'correctiveAction', 'verification'],
    audits: [],
    approvals: [
      {
        gate: 'management_review',
        artefact: 'managementReview',
        approverRole: 'topManagement',
        title: 'Management review sign-off',
      },
    ],
    gates: [],
    deadlines: [],
    next: 'CERTIFICATION',
  },
  {
    id: 'CERTIFICATION',
    stage: 'CERTIFICATION',
    title: 'Certification audit (stage 1 and stage 2)',
    accepts: ['certificationBody', 'audit', ...FINDINGS_WORK, 'certificationDecision'],
    audits: ['stage1', 'stage2'],
    approvals: [
      {
        gate: 'certification_body',
        artefact: 'certificationBody',
        approverRole: 'sponsor',
        title: 'Choice of certification body',
      },
    ],
    gates: ['stage1Held', 'auditHeld', 'nonconformitiesHaveActions', 'noOpenMajorNc', 'certificateGranted'],
    deadlines: ['majorNcVerification'],
    next: 'SURVEILLANCE_1',
  },
  {
    id: 'SURVEILLANCE_1',
    stage: 'SURVEILLANCE',
    title: 'First surveillance audit',
    accepts: ['auditProgramme', 'audit', ...FINDINGS_WORK],
    audits: ['surveillance'],
    internalAudits: true,
    approvals: [],
    gates: ['auditHeld', 'nonconformitiesHaveActions', 'noOpenMajorNc', 'auditProgrammeOnTrack'],
    deadlines: ['surveillanceDue', 'restoreWindow'],
    next: 'SURVEILLANCE_2',
    onWithdrawnCertificate: 'CERTIFICATION',
    surveillanceRound: 1,
  },
  {
    id: 'SURVEILLANCE_2',
    stage: 'SURVEILLANCE',
    title: 'Second surveillance audit',
    accepts: ['auditProgramme', 'audit', ...FINDINGS_WORK],
    audits: ['surveillance'],
    internalAudits: true,
    approvals: [],
    gates: ['auditHeld', 'nonconformitiesHaveActions', 'noOpenMajorNc', 'auditProgrammeOnTrack'],
    deadlines: ['surveillanceDue', 'restoreWindow'],
    next: 'RECERTIFICATION',
    onWithdrawnCertificate: 'CERTIFICATION',
    surveillanceRound: 2,
  },
  {
    id: 'RECERTIFICATION',
    stage: 'RECERTIFICATION',
    title: 'Recertification audit',
    accepts: ['auditProgramme', 'audit', ...FINDINGS_WORK, 'certificationDecision'],
    audits: ['recertification'],
    internalAudits: true,
    approvals: [],
    gates: [
      'auditHeld',
      'nonconformitiesHaveActions',
      'noOpenMajorNc',
      'auditProgrammeOnTrack',
      'certificateGranted',
    ],
    deadlines: ['recertificationDue', 'restoreWindow'],
    next: 'NEXT_CYCLE',
    onWithdrawnCertificate: 'CERTIFICATION',
  },
];

/** Every approval gate of the process, in step order. */
export const APPROVAL_GATES = STEPS.flatMap((s) => s.approvals.map((a) => a.gate)) as [string, ...string[]];

export const FIRST_STEP: StepId = 'SCOPING';
/** A new three-year cycle starts with its first surveillance audit. */
export const NEXT_CYCLE_STEP: StepId = 'SURVEILLANCE_1';

const stepsById = new Map<StepId, StepDef>(STEPS.map((s) => [s.id, s]));

export function stepDef(id: StepId): StepDef {
  const def = stepsById.get(id);
  if (!def) throw new Error(`unknown step ${id}`);
  return def;
}
