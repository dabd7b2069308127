/**
 * The persistence activities the workflows depend on (imported there as types only).
 *
 * Bodies never pass through a workflow. The API stores each input's body before sending the
 * input's facts to the stage (`BodyRef`); when the stage accepts it, `saveRecords` writes the
 * records from the facts the stage decided on and the stored body the reference names. The
 * stage's facts are written alongside, as rows of their own, so that a stage that starts (or
 * continues as new) loads them back with `loadFacts`, a page at a time.
 *
 * Every activity is idempotent: rows are upserted by natural key, so a retry or a replay after
 * a crash writes the same rows again and nothing twice.
 */
import type { AuditHead } from '../audit-chain';
import type {
  AssessmentFact,
  FactEntry,
  ProgrammeScalars,
  AuditFact,
  CertificateFact,
  DiscoveredSystemFact,
  DocumentFact,
  FindingFact,
  PolicyFact,
  SystemFact,
  TaskFact,
} from '../facts';
import type { ApprovalState } from '../facts';

export type { FactEntry, ProgrammeScalars } from '../facts';
import type { ProgrammeConfig } from '../config';
import type {
  AuditKind,
  CertificateStatus,
  InputKind,
  ProgrammeStatus,
  StageKind,
  StepId,
} from '../vocabulary';

/** A body the API stored before sending its input to the workflow. */
export interface BodyRef {
  id: string;
  /** SHA-256 of the canonical JSON of the stored body; checked when it is read back. */
  sha256: string;
}

/** A part of a stored body: the value at `path` (property names and array indexes). */
export interface BodyPath extends BodyRef {
  path?: (string | number)[];
}

export interface ArtefactWrite {
  kind: string;
  /** Distinguishes several artefacts of one kind (policy id, AI system id); '' when unique. */
  key: string;
  version: number;
  submittedAt: string;
  /** SHA-256 of the canonical JSON of the body stored. */
  sha256: string;
  body: BodyPath;
}

/** Where a finding's text comes from when it is written. */
export interface FindingText {
  /** The description, as submitted with the audit or the finding. */
  description?: BodyPath;
  /** A major NC raised from an unverified minor one: its description quotes the minor's. */
  escalation?: { from: string; fromAudit: AuditKind; atAudit: AuditKind };
  /** A corrective action just recorded: its correction, root cause, action… */
  correctiveAction?: BodyPath;
  /** A verification just recorded: who verified, the note, the evidence… */
  verification?: BodyPath;
}

export interface ApprovalRecord extends ApprovalState {
  decisionId: string;
  stepKey: string;
}

/** What an accepted input, decision or deadline changed: facts, and where their bodies are. */
export interface RecordChanges {
  /** AI systems of the scope or found later; null removes one that left the scope. */
  systems?: { id: string; fact: SystemFact | null }[];
  assessments?: { requirementId: string; fact: AssessmentFact; body: BodyPath }[];
  /**
   * `created` names the new task's body, `discovered` the AI system a scan found (the task to
   * assess it is written from it), `closed` the update that closed the task.
   */
  tasks?: {
    fact: TaskFact;
    created?: BodyPath;
    discovered?: { systemId: string; name: string };
    closed?: BodyPath;
  }[];
  artefacts?: ArtefactWrite[];
  policies?: PolicyFact[];
  impactAssessments?: { aiSystemId: string; fact: DocumentFact }[];
  /** `body` names the audit input a new audit came with. */
  audits?: { fact: AuditFact; body?: BodyPath }[];
  findings?: { fact: FindingFact; text?: FindingText }[];
  /** Decision records: every vote and decision. */
  approvals?: ApprovalRecord[];
  /** The decision that now stands for a gate of the step, keyed `${stepKey}/${gate}`. */
  gates?: { key: string; state: ApprovalState }[];
  certificate?: CertificateFact;
}

export interface SaveRecords {
  programmeId: string;
  cycle: number;
  changes: RecordChanges;
  /** Present when the programme-wide facts changed. */
  scalars?: ProgrammeScalars;
}

/** One page of a programme's facts, in a stable order; `next` continues after it. */
export interface FactsPage {
  scalars?: ProgrammeScalars;
  entries: FactEntry[];
  next?: string;
}

export interface LoadFacts {
  programmeId: string;
  /** The step whose decisions to load (a stage continuing as new keeps its own). */
  stepKey?: string;
  cursor?: string;
}

/** The items of a bulk input (a scope's AI systems, an audit's findings), a page at a time. */
export interface ReadItems {
  programmeId: string;
  kind: InputKind;
  ref: BodyRef;
  offset: number;
}

export interface ItemsPage<T = unknown> {
  items: T[];
  next?: number;
}

export interface ProgrammeRecord {
  programmeId: string;
  organisation: string;
  name: string;
  workflowId: string;
  config: ProgrammeConfig;
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

export interface ProgrammeStatusRecord {
  programmeId: string;
  status: ProgrammeStatus;
  cycle: number;
  step: string | null;
  stage: string | null;
  overdue: boolean;
  nextDueAt: string | null;
  certificate?: { number: string; status: CertificateStatus; expiresOn: string };
}

/** What changes within a step: its next deadline, whether it is overdue, the certificate. */
export type ProgrammeProgressRecord = Pick<
  ProgrammeStatusRecord,
  'programmeId' | 'overdue' | 'nextDueAt' | 'certificate'
>;

/** The AI systems in scope a scan or import found, a page at a time. */
export interface ReadDiscoveries {
  programmeId: string;
  scanId: string;
  offset: number;
}

export interface PersistenceActivities {
  /**
   * Upsert the programme row (the API may have inserted it already) and, unless they exist, the
   * facts a new programme starts from.
   */
  recordProgramme(programme: ProgrammeRecord): Promise<void>;
  /**
   * Append a stage transition (idempotent by id) and update the programme's current status.
   * With the audit trail on, also appends its audit event and answers the chain's head, which
   * the workflow keeps as an anchor (workflows/audit-anchor.ts).
   */
  recordTransition(transition: TransitionRecord, status: ProgrammeStatusRecord): Promise<AuditHead | void>;
  /**
   * Update the programme row's next deadline, overdue flag and certificate between transitions,
   * so that lists read from the database agree with the workflow (last write wins; idempotent).
   */
  recordProgress(progress: ProgrammeProgressRecord): Promise<void>;
  /** Writes the records (and facts) an accepted input, decision or deadline changed. */
  saveRecords(save: SaveRecords): Promise<void>;
  /** A page of the facts a stage starts from. */
  loadFacts(request: LoadFacts): Promise<FactsPage>;
  /** A page of the items of a stored bulk input. */
  readItems(request: ReadItems): Promise<ItemsPage>;
  /** A page of the new AI systems in scope a scan found. */
  readDiscoveries(request: ReadDiscoveries): Promise<ItemsPage<DiscoveredSystemFact>>;
}
