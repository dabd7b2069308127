/**
 * Conversions between the records the workflows produce and table rows. Optional fields become
 * NULL on the way in (so an upsert clears a value the record no longer has) and are omitted on
 * the way out, so a read returns the same shape that was written.
 */
import type { ProgrammeRecord, TransitionRecord } from '../domain/contracts/persistence';
import type { ApprovalState } from '../domain/facts';
import { fingerprint } from '../domain/fingerprint';
import type { AssessmentItem, AuditRecord, Finding, RoadmapTask } from '../domain/records';
import type { Certificate } from '../domain/views';
import type {
  ArtefactRow,
  AssessmentRow,
  AuditRow,
  CertificateRow,
  DecisionRow,
  FindingRow,
  ProgrammeRow,
  TaskRow,
  TransitionRow,
} from './entities';

/** A programme row as the rest of the code sees it: the same columns, the id named for what it is. */
export type StoredProgramme = Omit<ProgrammeRow, 'id'> & { programmeId: string };

/** An assessment item as stored: when it was assessed, and in which cycle. */
export type AssessmentItemRecord = AssessmentItem & { assessedAt: string };
export type StoredAssessment = AssessmentItemRecord & { cycle: number };

export interface StoredArtefact {
  kind: string;
  /** Distinguishes several artefacts of one kind (policy id, AI system id); '' when unique. */
  key: string;
  version: number;
  submittedAt: string;
  body: unknown;
  /** SHA-256 of the canonical JSON of the body. */
  sha256: string;
}
export type ArtefactSummary = Omit<StoredArtefact, 'body'>;
export type StoredDecision = ApprovalState & { decisionId: string; stepKey: string };

/** Drops keys whose value is undefined, so optional fields are absent rather than undefined. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

export function newProgrammeRow(programme: ProgrammeRecord, createdAt: string): ProgrammeRow {
  return {
    id: programme.programmeId,
    organisation: programme.organisation,
    name: programme.name,
    workflowId: programme.workflowId,
    status: 'ACTIVE',
    cycle: 1,
    step: null,
    stage: null,
    certificateStatus: null,
    certificateExpiresOn: null,
    overdue: false,
    nextDueAt: null,
    config: programme.config,
    createdAt,
    updatedAt: createdAt,
  };
}

export function fromProgrammeRow(row: ProgrammeRow): StoredProgramme {
  return {
    programmeId: row.id,
    organisation: row.organisation,
    name: row.name,
    workflowId: row.workflowId,
    status: row.status,
    cycle: row.cycle,
    step: row.step,
    stage: row.stage,
    certificateStatus: row.certificateStatus,
    certificateExpiresOn: row.certificateExpiresOn,
    overdue: row.overdue,
    nextDueAt: row.nextDueAt,
    config: row.config,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function toTransitionRow(t: TransitionRecord): TransitionRow {
  return {
    id: t.id,
    programmeId: t.programmeId,
    cycle: t.cycle,
    fromStep: t.from,
    toStep: t.to,
    stage: t.stage,
    reason: t.reason,
    at: t.at,
  };
}

export function fromTransitionRow(row: TransitionRow): TransitionRecord {
  return {
    id: row.id,
    programmeId: row.programmeId,
    cycle: row.cycle,
    from: row.fromStep,
    to: row.toStep,
    stage: row.stage,
    reason: row.reason,
    at: row.at,
  };
}

export function toAssessmentRow(programmeId: string, cycle: number, a: AssessmentItemRecord): AssessmentRow {
  return {
    programmeId,
    cycle,
    requirementId: a.requirementId,
    status: a.status,
    justification: a.justification ?? null,
    assessor: a.assessor,
    evidence: a.evidence,
    assessedAt: a.assessedAt,
    scoring:
      a.factors === undefined && a.reuseFrom27001 === undefined
        ? null
        : compact({ factors: a.factors, reuseFrom27001: a.reuseFrom27001 }),
  };
}

export function fromAssessmentRow(row: AssessmentRow): StoredAssessment {
  return compact({
    cycle: row.cycle,
    requirementId: row.requirementId,
    status: row.status,
    justification: orUndefined(row.justification),
    assessor: row.assessor,
    evidence: row.evidence,
    assessedAt: row.assessedAt,
    factors: row.scoring?.factors,
    reuseFrom27001: row.scoring?.reuseFrom27001,
  });
}

export function toTaskRow(programmeId: string, t: RoadmapTask): TaskRow {
  return {
    programmeId,
    id: t.id,
    requirementId: t.requirementId,
    title: t.title,
    owner: t.owner,
    deadline: t.deadline,
    status: t.status,
    note: t.note ?? null,
    acceptedBy: t.acceptedBy ?? null,
    closedAt: t.closedAt ?? null,
  };
}

export function fromTaskRow(row: TaskRow): RoadmapTask {
  return compact({
    id: row.id,
    requirementId: row.requirementId,
    title: row.title,
    owner: row.owner,
    deadline: row.deadline,
    status: row.status,
    note: orUndefined(row.note),
    acceptedBy: orUndefined(row.acceptedBy),
    closedAt: orUndefined(row.closedAt),
  });
}

export function toArtefactRow(programmeId: string, a: Omit<StoredArtefact, 'sha256'>): ArtefactRow {
  return {
    programmeId,
    kind: a.kind,
    key: a.key,
    version: a.version,
    body: a.body,
    sha256: fingerprint(a.body),
    submittedAt: a.submittedAt,
  };
}

export function fromArtefactRow(row: ArtefactRow): StoredArtefact {
  return {
    kind: row.kind,
    key: row.key,
    version: row.version,
    submittedAt: row.submittedAt,
    sha256: row.sha256,
    body: row.body,
  };
}

export function toAuditRow(programmeId: string, a: AuditRecord): AuditRow {
  return {
    programmeId,
    id: a.id,
    audit: a.audit,
    stepKey: a.stepKey,
    attempt: a.attempt,
    firstDay: a.firstDay,
    lastDay: a.lastDay,
    auditors: a.auditors,
    independent: a.independent,
    planId: a.planId ?? null,
    scope: a.scope ?? null,
    independence: a.independence ?? null,
  };
}

export function fromAuditRow(row: AuditRow): AuditRecord {
  return compact({
    id: row.id,
    audit: row.audit,
    stepKey: row.stepKey,
    attempt: row.attempt,
    firstDay: row.firstDay,
    lastDay: row.lastDay,
    auditors: row.auditors,
    independent: row.independent,
    planId: orUndefined(row.planId),
    scope: orUndefined(row.scope),
    independence: orUndefined(row.independence),
  });
}

export function toFindingRow(programmeId: string, f: Finding): FindingRow {
  return {
    programmeId,
    id: f.id,
    audit: f.audit,
    auditId: f.auditId,
    stepKey: f.stepKey,
    grade: f.grade,
    requirementId: f.requirementId,
    description: f.description,
    status: f.status,
    raisedAt: f.raisedAt,
    correctiveAction: f.correctiveAction ?? null,
    verification: f.verification ?? null,
    track: f.track ?? null,
  };
}

type Verification = NonNullable<Finding['verification']>;

/**
 * Rows written before db/record-writer.ts trimmed it hold, in a verification made at an audit,
 * the id of the finding the row itself is: not part of a verification record.
 */
function verificationOf(stored: Verification): Verification {
  const { findingId: _finding, ...verification } = stored as Verification & { findingId?: string };
  return verification;
}

function trackOf(stored: NonNullable<Finding['track']>): Finding['track'] {
  const previous = stored.previousActions;
  return previous
    ? {
        ...stored,
        previousActions: previous.map((a) => ({ ...a, verification: verificationOf(a.verification) })),
      }
    : stored;
}

export function fromFindingRow(row: FindingRow): Finding {
  return compact({
    id: row.id,
    audit: row.audit,
    auditId: row.auditId,
    stepKey: row.stepKey,
    grade: row.grade,
    requirementId: row.requirementId,
    description: row.description,
    status: row.status,
    raisedAt: row.raisedAt,
    correctiveAction: orUndefined(row.correctiveAction),
    verification: row.verification ? verificationOf(row.verification) : undefined,
    track: row.track ? trackOf(row.track) : undefined,
  });
}

export function toDecisionRow(programmeId: string, d: StoredDecision): DecisionRow {
  return {
    id: d.decisionId,
    programmeId,
    stepKey: d.stepKey,
    gate: d.gate,
    artefact: d.artefact,
    artefactVersion: d.artefactVersion,
    outcome: d.outcome,
    approver: d.approver,
    approverRole: d.approverRole,
    comment: d.comment ?? null,
    decidedAt: d.decidedAt,
    artefactSha256: d.artefactSha256 ?? null,
    requestId: d.requestId ?? null,
    channel: d.channel ?? null,
    recordedBy: d.recordedBy ?? null,
    onBehalfEvidence: d.onBehalfEvidence ?? null,
    clientIp: d.clientIp ?? null,
    // Browsers send agents of any length; the column keeps the first 500 characters.
    userAgent: d.userAgent?.slice(0, 500) ?? null,
    quorum: d.quorum ?? null,
  };
}

export function fromDecisionRow(row: DecisionRow): StoredDecision {
  return compact({
    decisionId: row.id,
    stepKey: row.stepKey,
    gate: row.gate,
    artefact: row.artefact,
    artefactVersion: row.artefactVersion,
    approverRole: row.approverRole,
    outcome: row.outcome,
    approver: row.approver,
    comment: orUndefined(row.comment),
    decidedAt: row.decidedAt,
    artefactSha256: orUndefined(row.artefactSha256),
    requestId: orUndefined(row.requestId),
    channel: orUndefined(row.channel),
    recordedBy: orUndefined(row.recordedBy),
    onBehalfEvidence: orUndefined(row.onBehalfEvidence),
    clientIp: orUndefined(row.clientIp),
    userAgent: orUndefined(row.userAgent),
    quorum: orUndefined(row.quorum),
  });
}

export function toCertificateRow(programmeId: string, c: Certificate): CertificateRow {
  return {
    programmeId,
    number: c.number,
    cycle: c.cycle,
    decisionStepKey: c.decisionStepKey ?? '',
    decisionDate: c.decisionDate,
    expiresOn: c.expiresOn,
    status: c.status,
    lapsedAt: c.lapsedAt ?? null,
    scope: c.scope ?? null,
    replaces: c.replaces ?? null,
  };
}

export function fromCertificateRow(row: CertificateRow): Certificate {
  return compact({
    number: row.number,
    decisionDate: row.decisionDate,
    expiresOn: row.expiresOn,
    status: row.status,
    cycle: row.cycle,
    decisionStepKey: row.decisionStepKey,
    lapsedAt: orUndefined(row.lapsedAt),
    scope: orUndefined(row.scope),
    replaces: orUndefined(row.replaces),
  });
}
