/**
 * What the workflows know about a programme: process facts only (ids, statuses, grades,
 * versions, digests, dates, counts), never the bodies people wrote. The bodies (a scope's
 * statement, a finding's description, a corrective action's root cause…) are stored by the API
 * before the input reaches the workflow and land in the database with the record; the workflow
 * refers to them by digest.
 *
 * The facts live in the memory of the running stage workflow. They never travel as a workflow
 * payload: a stage loads them from the database in pages when it starts (or continues as new),
 * and every change it makes is written back by its persistence activity before the input that
 * caused it is answered.
 */
import type { ProgrammeConfig } from './config';
import type { Person } from './people';
import type { CertificateFacts, DecisionRecord } from './views';
import type {
  ArtefactKind,
  AssessmentStatus,
  AuditKind,
  FindingGrade,
  FindingStatus,
  TaskStatus,
} from './vocabulary';

/** A versioned document: which version is current, its digest, when and by whom it came. */
export interface DocumentFact {
  version: number;
  /** SHA-256 of the canonical JSON of the body (the artefact's fingerprint). */
  sha256: string;
  submittedAt: string;
  /** Under segregation of duties the submitter may not approve it. */
  submittedBy?: string;
}

/** The people the scope names: they approve, and they hear of what happens. */
export interface ScopePeople {
  sponsor: Person;
  complianceLead: Person;
  topManagement: Person;
}

/** What the stage needs of a system a scan found. */
export interface DiscoveredSystemFact {
  id: string;
  name: string;
  owner?: string;
}

export interface SystemFact {
  /** Listed in the current scope: whether it lies inside the AIMS scope. */
  scope?: { inScope: boolean };
  /** Found in scope by an inventory scan or import after the journey began. */
  discovered?: { scanId: string; at: string };
}

export interface AssessmentFact {
  status: AssessmentStatus;
  /** Digest of the assessment item as submitted (the roadmap's fingerprint covers it). */
  sha256: string;
  assessedAt: string;
}

export interface TaskFact {
  id: string;
  requirementId: string;
  owner: string;
  deadline: string;
  status: TaskStatus;
  /** Digest of the task as created (the roadmap's fingerprint covers it). */
  sha256: string;
  closedAt?: string;
  /** Its owner was told it is overdue (once per task). */
  overdueNoticeSent?: boolean;
}

export interface PolicyFact extends DocumentFact {
  id: string;
  policyType: 'ai_policy' | 'other';
}

export interface AuditFact {
  id: string;
  audit: AuditKind;
  stepKey: string;
  attempt: number;
  firstDay: string;
  lastDay: string;
  /** Internal audits: the planned audit of the programme it held. */
  planId?: string;
  /** Requirements examined (internal audits). */
  scope?: string[];
  /** Requirements the auditor is responsible for (their independence declaration or the plan's). */
  auditorResponsibleFor?: string[];
  /** A refused recertification voids its audit: the step needs a new one. */
  voided?: boolean;
}

export interface CorrectiveActionFact {
  owner: string;
  due: string;
  recordedAt: string;
  /** When its owner was reminded that the deadline passed. */
  remindedAt?: string;
  escalatedAt?: string;
  escalatedTo?: string;
}

export interface VerificationFact {
  verifiedAt: string;
  /** The audit at which it was verified (a certification body's minor NC: its next audit). */
  audit?: AuditKind;
  auditId?: string;
  effective?: boolean;
  closureApprovedBy?: string;
}

export interface FindingTrackFact {
  /** A certification body's minor NC: when its corrective-action plan is due. */
  planDueAt?: string;
  /** Set when that deadline passed without a plan. */
  planOverdueAt?: string;
  consequence?: string;
  /** An unverified minor NC raised to a major one at the next audit: the new finding. */
  escalatedTo?: string;
  /** The minor NC this major one was raised from. */
  escalatedFrom?: string;
  /** Earlier corrective actions verified as not effective. */
  previousActions?: (CorrectiveActionFact & { verification: VerificationFact })[];
}

export interface FindingFact {
  id: string;
  audit: AuditKind;
  auditId: string;
  stepKey: string;
  grade: FindingGrade;
  requirementId: string;
  status: FindingStatus;
  raisedAt: string;
  correctiveAction?: CorrectiveActionFact;
  verification?: VerificationFact;
  track?: FindingTrackFact;
}

export interface PlannedAuditFact {
  id: string;
  scope: string[];
  auditorEmail: string;
  auditorResponsibleFor: string[];
  plannedOn: string;
}

export interface AuditProgrammeFact extends DocumentFact {
  cycle: number;
  audits: PlannedAuditFact[];
}

/** A decision on an approval gate, as the facts keep it (the record adds its id and step). */
export type ApprovalState = Omit<DecisionRecord, 'decisionId' | 'stepKey'>;

/** The certificate as the workflows know it: the record adds the scope's statement and AI systems. */
export type CertificateFact = CertificateFacts;

/** Everything the workflows know about a programme. */
export interface ProgrammeFacts {
  programmeId: string;
  organisation: string;
  cycle: number;
  config: ProgrammeConfig;
  /** Last number used for each kind of record id (T-n, F-n, A-n, P-n). */
  seq: { task: number; finding: number; audit: number; policy: number };
  /**
   * The current version of each single document, by kind: every artefact kind but the roadmap
   * (made of assessments and tasks) and the AI policy (a policy) has its slot, and some keep a
   * fact or two more.
   */
  documents: Partial<Record<Exclude<ArtefactKind, 'roadmap' | 'aiPolicy'>, DocumentFact>> & {
    scope?: DocumentFact & { people: ScopePeople };
    soa?: DocumentFact & { notApplicable: string[] };
    managementReview?: DocumentFact & { heldOn: string };
  };
  /** AI systems of the scope (and those found later), by id. */
  systems: Record<string, SystemFact>;
  /** The assessment of each requirement, by requirement id. */
  assessments: Record<string, AssessmentFact>;
  /** Bumped by every change to the assessments or (in gap analysis) the tasks. */
  roadmapVersion: number;
  tasks: Record<string, TaskFact>;
  policies: Record<string, PolicyFact>;
  /** The current version of each AI system's impact assessment, by AI system id. */
  impactAssessments: Record<string, DocumentFact>;
  /** The internal audit programme of the current cycle. */
  auditProgramme?: AuditProgrammeFact;
  /** Audits of the current cycle (and the latest stage 1, which later cycles still count). */
  audits: AuditFact[];
  /** Findings of the current cycle and those still open from earlier ones. */
  findings: Record<string, FindingFact>;
  /** Stage-2 audits in the current certification step (the 6-month rule repeats it). */
  stage2Attempt: number;
  certificate?: CertificateFact;
  /** Keyed `${stepKey}/${gate}`: the latest decision of each approval gate of the current step. */
  approvals: Record<string, ApprovalState>;
  /** Ids of time-based notices about the step or certificate already sent. */
  noticesSent: string[];
  /** When the current cycle began (absent for cycle 1). */
  cycleStartedAt?: string;
  /** What the previous cycle handed over (absent for cycle 1). */
  carriedOver?: CarryOver;
}

export interface CarryOver {
  fromCycle: number;
  /**
   * How many nonconformities were still open or awaiting verification, carried into this cycle
   * as they were (the view lists them from the findings, whose step names their cycle).
   */
  openFindings: number;
  /** Nonconformities closed (verified or superseded) in the previous cycle: they stay closed. */
  closedFindings: number;
  certificate?: string;
}

export function newFacts(programmeId: string, organisation: string, config: ProgrammeConfig): ProgrammeFacts {
  return {
    programmeId,
    organisation,
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
  };
}

/** The collections of the facts: each record's facts are a row of their own in the database. */
const COLLECTIONS = [
  'systems',
  'assessments',
  'tasks',
  'policies',
  'impactAssessments',
  'audits',
  'findings',
  'approvals',
] as const;

/** The programme-wide facts (counters, documents, plan, certificate…), saved whole when they change. */
export type ProgrammeScalars = Omit<ProgrammeFacts, (typeof COLLECTIONS)[number]>;

export function scalarsOf(f: ProgrammeFacts): ProgrammeScalars {
  const scalars: Record<string, unknown> = { ...f };
  for (const key of COLLECTIONS) delete scalars[key];
  return scalars as ProgrammeScalars;
}

/** One record's facts, as a stage loads them. */
export type FactEntry =
  | { kind: 'system'; key: string; fact: SystemFact }
  | { kind: 'assessment'; key: string; fact: AssessmentFact }
  | { kind: 'task'; key: string; fact: TaskFact }
  | { kind: 'policy'; key: string; fact: PolicyFact }
  | { kind: 'impactAssessment'; key: string; fact: DocumentFact }
  | { kind: 'audit'; key: string; fact: AuditFact }
  | { kind: 'finding'; key: string; fact: FindingFact }
  | { kind: 'approval'; key: string; fact: ApprovalState };

/** Facts assembled from the programme-wide facts and the records' entries, in the order given. */
export function assembleFacts(scalars: ProgrammeScalars, entries: Iterable<FactEntry>): ProgrammeFacts {
  const f: ProgrammeFacts = {
    ...scalars,
    systems: {},
    assessments: {},
    tasks: {},
    policies: {},
    impactAssessments: {},
    audits: [],
    findings: {},
    approvals: {},
  };
  for (const e of entries) {
    switch (e.kind) {
      case 'system':
        f.systems[e.key] = e.fact;
        break;
      case 'assessment':
        f.assessments[e.key] = e.fact;
        break;
      case 'task':
        f.tasks[e.key] = e.fact;
        break;
      case 'policy':
        f.policies[e.key] = e.fact;
        break;
      case 'impactAssessment':
        f.impactAssessments[e.key] = e.fact;
        break;
      case 'audit':
        f.audits.push(e.fact);
        break;
      case 'finding':
        f.findings[e.key] = e.fact;
        break;
      case 'approval':
        f.approvals[e.key] = e.fact;
        break;
    }
  }
  return f;
}
