/**
 * Process state carried by the workflows. Plain JSON-serialisable data: it crosses the
 * workflow/activity boundary and is stored in workflow history.
 */
import type { AuditProgramme, AuditProgrammeStatus } from './audit-programme';
import type { CarryOver, NcFollowUp } from './nc-follow-up';
import type { CycleWorkItem } from './nc-follow-up';
import type {
  AssessmentItem,
  AuditKind,
  CertificationBodyBody,
  CorrectiveActionBody,
  DecisionBody,
  FindingGrade,
  ImpactAssessmentBody,
  ManagementReviewBody,
  PolicyBody,
  ProgrammeConfig,
  RiskTreatmentPlanBody,
  ScopeBody,
  SoaEntry,
  StageInput,
  VerificationBody,
} from './schemas';

/** The kinds of stage an operator filters on (the AimsStage search attribute). */
export const STAGE_KINDS = [
  'SCOPING',
  'GAP_ANALYSIS',
  'IMPLEMENTATION',
  'INTERNAL_AUDIT',
  'MANAGEMENT_REVIEW',
  'CERTIFICATION',
  'SURVEILLANCE',
  'RECERTIFICATION',
] as const;
export type StageKind = (typeof STAGE_KINDS)[number];

/** A step of the journey: a stage kind in a given position of the cycle. */
export const STEP_IDS = [
  'SCOPING',
  'GAP_ANALYSIS',
  'IMPLEMENTATION',
  'INTERNAL_AUDIT',
  'MANAGEMENT_REVIEW',
  'CERTIFICATION',
  'SURVEILLANCE_1',
  'SURVEILLANCE_2',
  'RECERTIFICATION',
] as const;
export type StepId = (typeof STEP_IDS)[number];

export type ProgrammeStatus = 'ACTIVE' | 'WITHDRAWN';
export type ApproverRole = 'sponsor' | 'topManagement' | 'complianceLead';
export type ArtefactKind =
  'scope' | 'roadmap' | 'aiPolicy' | 'riskTreatmentPlan' | 'soa' | 'managementReview' | 'certificationBody';

export interface Versioned<T> {
  version: number;
  submittedAt: string;
  body: T;
}

export interface RoadmapTask {
  id: string;
  requirementId: string;
  title: string;
  owner: string;
  deadline: string;
  status: 'open' | 'done' | 'risk_accepted';
  note?: string;
  acceptedBy?: string;
  closedAt?: string;
}

export interface AuditRecord {
  id: string;
  audit: AuditKind;
  stepKey: string;
  attempt: number;
  firstDay: string;
  lastDay: string;
  auditors: string[];
  independent: boolean;
  /** Internal audits: the planned audit of the programme it held (domain/audit-programme.ts). */
  planId?: string;
  /** Requirements examined (internal audits). */
  scope?: string[];
  /** The auditor's independence statement and the areas they are responsible for. */
  independence?: { statement: string; auditorResponsibleFor: string[] };
}

export type FindingStatus = 'open' | 'action_planned' | 'verified' | 'superseded';

export interface Finding {
  id: string;
  audit: AuditKind;
  auditId: string;
  stepKey: string;
  grade: FindingGrade;
  requirementId: string;
  description: string;
  status: FindingStatus;
  raisedAt: string;
  correctiveAction?: CorrectiveAction;
  verification?: Verification;
  /** Follow-up deadlines and escalations (domain/nc-follow-up.ts); absent on older findings. */
  track?: FindingTrack;
}

export interface CorrectiveAction extends CorrectiveActionBody {
  recordedAt: string;
  /** When its owner was reminded that the deadline passed. */
  remindedAt?: string;
  /** When it was escalated, and to whom. */
  escalatedAt?: string;
  escalatedTo?: string;
}

export interface Verification extends VerificationBody {
  verifiedAt: string;
  /** The audit record at which it was verified (a certification body's minor NC: its next audit). */
  auditId?: string;
}

export interface FindingTrack {
  /** A certification body's minor NC: when its corrective-action plan is due (config.minorNcPlanDue). */
  planDueAt?: string;
  /** Set when that deadline passed without a plan; the finding is overdue until one is recorded. */
  planOverdueAt?: string;
  /** What the certification body may do about it. */
  consequence?: string;
  /** An unverified minor NC raised to a major one at the next audit: the new finding. */
  escalatedTo?: string;
  /** The minor NC this major one was raised from. */
  escalatedFrom?: string;
  /** Earlier corrective actions verified as not effective, with their verification. */
  previousActions?: (CorrectiveAction & { verification: Verification })[];
}

export interface ApprovalState {
  gate: string;
  artefact: ArtefactKind;
  artefactVersion: number;
  approverRole: ApproverRole;
  outcome: DecisionBody['outcome'];
  approver: string;
  comment?: string;
  decidedAt: string;
  /** SHA-256 of the canonical JSON of the exact artefact version decided. */
  artefactSha256?: string;
  /** The approval request the decision answered (absent for decisions from before requests). */
  requestId?: string;
  channel?: 'api' | 'email';
  clientIp?: string;
  userAgent?: string;
  /** For k-of-n gates: how many of the approvals needed this decision made, e.g. "1 of 2". */
  quorum?: string;
}

export type CertificateStatus = 'ACTIVE' | 'LAPSED' | 'WITHDRAWN';

export interface Certificate {
  number: string;
  decisionDate: string;
  expiresOn: string;
  status: CertificateStatus;
  cycle: number;
  /** The step whose decision issued this certificate. */
  decisionStepKey: string;
  lapsedAt?: string;
  /** The scope certified: the scope statement and AI systems in scope at the decision. */
  scope?: { statement: string; aiSystemIds: string[] };
  /** The certificate of the previous cycle this one continues. */
  replaces?: string;
}

/** Everything the journey knows. The stage workflow owns it while the stage runs. */
export interface Dossier {
  programmeId: string;
  organisation: string;
  cycle: number;
  config: ProgrammeConfig;
  seq: { task: number; finding: number; audit: number; policy: number };
  scope?: Versioned<ScopeBody>;
  assessments: Record<string, AssessmentItem & { assessedAt: string }>;
  roadmapVersion: number;
  tasks: Record<string, RoadmapTask>;
  policies: Record<string, Versioned<PolicyBody> & { id: string }>;
  riskTreatmentPlan?: Versioned<RiskTreatmentPlanBody>;
  impactAssessments: Record<string, Versioned<ImpactAssessmentBody>>;
  soa?: Versioned<{ entries: SoaEntry[]; submittedBy?: string }>;
  audits: AuditRecord[];
  findings: Record<string, Finding>;
  managementReview?: Versioned<ManagementReviewBody>;
  certificationBody?: Versioned<CertificationBodyBody>;
  /** Number of stage-2 audits in the current certification step (the 183-day rule repeats it). */
  stage2Attempt: number;
  certificate?: Certificate;
  /** Keyed `${stepKey}/${gate}`: the latest decision for each approval gate. */
  approvals: Record<string, ApprovalState>;
  /** Ids of time-based notices already sent (task overdue, audit upcoming, certificate expiring). */
  noticesSent?: string[];
  /** AI systems in scope that inventory scans or imports found after the journey began, by id. */
  discoveredSystems?: Record<string, { name: string; scanId: string; discoveredAt: string }>;
  /** The internal audit programme of the current cycle (absent until planned; reset each cycle). */
  auditProgramme?: AuditProgramme;
  /** When the current cycle began (absent for cycle 1 and for cycles begun before it was kept). */
  cycleStartedAt?: string;
  /** What the previous cycle handed over (domain/nc-follow-up.ts carryIntoNextCycle). */
  carriedOver?: CarryOver;
}

export interface UnmetGate {
  gate: string;
  reason: string;
}

export interface PendingApproval {
  gate: string;
  artefact: ArtefactKind;
  artefactVersion: number;
  approverRole: ApproverRole;
  approverEmail?: string;
  lastOutcome?: DecisionBody['outcome'];
  /** The e-mail request out for this version: who is asked, reminders, escalation, due date. */
  request?: PendingRequest;
}

export interface PendingRequest {
  requestId: string;
  artefactSha256: string;
  approvers: string[];
  waitingFor: string[];
  quorum: number;
  approvals: number;
  remindersSent: number;
  nextReminderAt?: string;
  escalationAt?: string;
  escalatedTo?: string;
  dueAt: string;
  overdue: boolean;
}

export interface Deadline {
  id: string;
  dueAt: string;
  description: string;
}

/** What the stage workflow reports while running (query) and when done (result). */
export interface StageView {
  programmeId: string;
  cycle: number;
  step: StepId;
  stage: StageKind;
  stepKey: string;
  accepts: StageInput['kind'][];
  unmetGates: UnmetGate[];
  pendingApprovals: PendingApproval[];
  nextDeadline?: Deadline;
  overdue: boolean;
  certificate?: Certificate;
  /** The cycle's recurring work, audit programme and nonconformity follow-up (stages since certification-cycle-v1). */
  programmeWork?: ProgrammeWork;
}

export type StageOutcome =
  | { type: 'completed'; dossier: Dossier }
  /** The stage could not complete and the journey goes back to an earlier step. */
  | { type: 'loopBack'; to: StepId; reason: string; dossier: Dossier }
  | { type: 'withdrawn'; dossier: Dossier };

export interface StageWorkflowInput {
  step: StepId;
  stepKey: string;
  dossier: Dossier;
}

export interface TransitionRecord {
  id: string;
  programmeId: string;
  cycle: number;
  from: StepId | null;
  to: StepId | 'WITHDRAWN' | 'CYCLE_END';
  stage: StageKind | 'WITHDRAWN';
  reason: string;
  at: string;
}

export interface ProgrammeWorkflowInput {
  programmeId: string;
  organisation: string;
  name: string;
  config: ProgrammeConfig;
  /** Present when continuing as new into a later cycle. */
  resume?: { dossier: Dossier; step: StepId; history: TransitionRecord[] };
}

export interface ProgrammeView {
  programmeId: string;
  organisation: string;
  name: string;
  status: ProgrammeStatus;
  cycle: number;
  step: StepId | null;
  stage: StageKind | 'WITHDRAWN' | null;
  stepKey: string | null;
  stageWorkflowId: string | null;
  certificate?: Certificate;
  nextDueAt?: string;
  overdue: boolean;
  history: TransitionRecord[];
}

/** Result of an accepted input, returned to the API caller. */
export interface InputResult {
  accepted: true;
  stepKey: string;
  /** Id of the record the input created or changed (task, finding, audit, policy...). */
  recordId?: string;
  /** Findings created with an audit record. */
  findingIds?: string[];
  view: StageView;
}

/** What an approval link adds to a decision: the request and artefact hash it was issued for, and who clicked. */
export interface DecisionEvidence {
  channel: 'email';
  requestId: string;
  artefactSha256: string;
  clientIp?: string;
  userAgent?: string;
}

export type DecisionInput = DecisionBody & { evidence?: DecisionEvidence };
export type ApprovalDecisionResult = {
  accepted: true;
  gate: string;
  outcome: DecisionBody['outcome'];
  view: StageView;
};

/** The certification cycle in depth: recurring work, internal audit programme, NC follow-up. */
export interface ProgrammeWork {
  cycle: number;
  cycleStartedAt?: string;
  cycleWork: CycleWorkItem[];
  auditProgramme: AuditProgrammeStatus;
  nonconformities: NcFollowUp[];
  carriedOver?: CarryOver;
}
