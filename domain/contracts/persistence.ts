/**
 * The activity interface the workflows depend on. Workflows import this with `import type`
 * only; implementations live beside it and are registered by the worker.
 * Every activity is idempotent: it upserts by natural key, so a retry or a replay after a
 * crash writes the same rows again and nothing twice.
 */
import type { AuditHead } from '../audit-chain';
import type { ProgrammeConfig } from '../schemas';
import type {
  ApprovalState,
  AssessmentItemRecord,
  AuditRecord,
  Certificate,
  Finding,
  RoadmapTask,
  TransitionRecord,
} from './records';

export interface ArtefactRecord {
  kind: string;
  /** Distinguishes several artefacts of one kind (policy id, AI system id); '' when unique. */
  key: string;
  version: number;
  submittedAt: string;
  body: unknown;
}

export interface DomainRecords {
  assessments?: AssessmentItemRecord[];
  tasks?: RoadmapTask[];
  artefacts?: ArtefactRecord[];
  audits?: AuditRecord[];
  findings?: Finding[];
  approvals?: (ApprovalState & { decisionId: string; stepKey: string })[];
  certificate?: Certificate;
}

export interface ProgrammeRecord {
  programmeId: string;
  organisation: string;
  name: string;
  workflowId: string;
  config: ProgrammeConfig;
}

export interface ProgrammeStatusRecord {
  programmeId: string;
  status: 'ACTIVE' | 'WITHDRAWN';
  cycle: number;
  step: string | null;
  stage: string | null;
  overdue: boolean;
  nextDueAt: string | null;
  certificate?: Certificate;
}

export interface PersistenceActivities {
  /** Upsert the programme row (the API may have inserted it already). */
  recordProgramme(programme: ProgrammeRecord): Promise<void>;
  /**
   * Append a stage transition (idempotent by id) and update the programme's current status.
   * With the audit trail on, also appends its audit event and answers the chain's head, which
   * the workflow keeps as an anchor (workflows/audit-anchor.ts).
   */
  recordTransition(transition: TransitionRecord, status: ProgrammeStatusRecord): Promise<AuditHead | void>;
  /** Upsert the domain records an accepted input or decision produced. */
  saveRecords(programmeId: string, cycle: number, records: DomainRecords): Promise<void>;
}
