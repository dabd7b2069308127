/**
 * Table mappings as TypeORM EntitySchemas: no decorators, so the row types stay plain
 * interfaces. The schema itself is owned by the migrations; these mappings must agree with
 * them (the integration test checks that TypeORM sees no difference).
 *
 * JSON columns need a different SQL type per dialect (MySQL TEXT stops at 64 KB), so the
 * schemas are built per DataSource by `buildEntities(kind)`.
 */
import { EntitySchema, type EntitySchemaColumnOptions, type ValueTransformer } from 'typeorm';
import type { ProgrammeConfig } from '../domain/config';
import type { TransitionRecord } from '../domain/contracts/persistence';
import type { ApprovalState } from '../domain/facts';
import { canonicalJson } from '../domain/fingerprint';
import type { AssessmentItem, AuditRecord, Finding, RoadmapTask } from '../domain/records';
import type { Certificate } from '../domain/views';
import type { AssessmentStatus, CertificateStatus, ProgrammeStatus } from '../domain/vocabulary';
import type { DatabaseKind } from './database-url';

export const ENTITY = {
  programme: 'Programme',
  transition: 'StageTransition',
  assessment: 'Assessment',
  task: 'RoadmapTask',
  artefact: 'Artefact',
  audit: 'Audit',
  finding: 'Finding',
  decision: 'ApprovalDecision',
  certificate: 'Certificate',
} as const;

export interface ProgrammeRow {
  id: string;
  organisation: string;
  name: string;
  workflowId: string;
  status: ProgrammeStatus;
  cycle: number;
  step: string | null;
  stage: string | null;
  certificateStatus: CertificateStatus | null;
  certificateExpiresOn: string | null;
  overdue: boolean;
  nextDueAt: string | null;
  config: ProgrammeConfig;
  createdAt: string;
  updatedAt: string;
}

export interface TransitionRow {
  id: string;
  programmeId: string;
  cycle: number;
  fromStep: TransitionRecord['from'];
  toStep: TransitionRecord['to'];
  stage: TransitionRecord['stage'];
  reason: string;
  at: string;
}

export interface AssessmentRow {
  programmeId: string;
  cycle: number;
  requirementId: string;
  status: AssessmentStatus;
  justification: string | null;
  assessor: string;
  evidence: string[];
  assessedAt: string;
  /** Gap-scoring details (factors, ISO 27001 reuse); null when the assessment gave none. */
  scoring: Pick<AssessmentItem, 'factors' | 'reuseFrom27001'> | null;
}

export interface TaskRow {
  programmeId: string;
  id: string;
  requirementId: string;
  title: string;
  owner: string;
  deadline: string;
  status: RoadmapTask['status'];
  note: string | null;
  acceptedBy: string | null;
  closedAt: string | null;
}

export interface ArtefactRow {
  programmeId: string;
  kind: string;
  key: string;
  version: number;
  body: unknown;
  sha256: string;
  submittedAt: string;
}

/** The domain audit; the optional parts are NULL columns rather than absent keys. */
export type AuditRow = Omit<AuditRecord, 'planId' | 'scope' | 'independence'> & {
  programmeId: string;
  planId: string | null;
  scope: string[] | null;
  independence: AuditRecord['independence'] | null;
};

/** The domain finding; the optional parts are NULL columns rather than absent keys. */
export type FindingRow = Omit<Finding, 'correctiveAction' | 'verification' | 'track'> & {
  programmeId: string;
  correctiveAction: Finding['correctiveAction'] | null;
  verification: Finding['verification'] | null;
  track: Finding['track'] | null;
};

export interface DecisionRow {
  id: string;
  programmeId: string;
  stepKey: string;
  gate: string;
  artefact: ApprovalState['artefact'];
  artefactVersion: number;
  outcome: ApprovalState['outcome'];
  approver: string;
  approverRole: ApprovalState['approverRole'];
  comment: string | null;
  decidedAt: string;
  artefactSha256: string | null;
  requestId: string | null;
  channel: ApprovalState['channel'] | null;
  recordedBy: string | null;
  onBehalfEvidence: string | null;
  clientIp: string | null;
  userAgent: string | null;
  quorum: string | null;
}

export interface CertificateRow {
  programmeId: string;
  number: string;
  cycle: number;
  decisionStepKey: string;
  decisionDate: string;
  expiresOn: string;
  status: Certificate['status'];
  lapsedAt: string | null;
  scope: Certificate['scope'] | null;
  replaces: string | null;
}

/** Stored as canonical JSON so the text in the column is exactly what sha256 was taken of. */
const jsonTransformer: ValueTransformer = {
  to: (value: unknown): string | null =>
    value === null || value === undefined ? null : canonicalJson(value),
  from: (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value),
};

const OFFSET_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Timestamps are stored as ISO-8601 UTC text so that ordering and comparison are plain string
 * operations on both databases; an instant given with an offset is rewritten to UTC first.
 * Anything else (a bare date, an unparseable value) is stored untouched rather than rejected,
 * because a persistence activity that can never succeed would retry forever.
 */
export function toUtcTimestamp(value: string): string {
  if (!OFFSET_TIMESTAMP.test(value)) return value;
  const instant = new Date(value);
  return Number.isNaN(instant.getTime()) ? value : instant.toISOString();
}

const timestampTransformer: ValueTransformer = {
  to: (value: unknown): unknown => (typeof value === 'string' ? toUtcTimestamp(value) : value),
  from: (value: unknown): unknown => value,
};

/** Column helpers shared by every entity mapping (also those defined in other modules). */
export function entityColumns(kind: DatabaseKind) {
  const text = (name: string, length: number, nullable = false): EntitySchemaColumnOptions => ({
    name,
    type: 'varchar',
    length,
    nullable,
  });
  return {
    id: (name: string, length: number): EntitySchemaColumnOptions => ({
      ...text(name, length),
      primary: true,
    }),
    text,
    longText: (name: string, nullable = false): EntitySchemaColumnOptions => ({
      name,
      type: 'text',
      nullable,
    }),
    int: (name: string, primary = false): EntitySchemaColumnOptions => ({ name, type: 'int', primary }),
    bool: (name: string): EntitySchemaColumnOptions => ({ name, type: 'boolean' }),
    timestamp: (name: string, nullable = false): EntitySchemaColumnOptions => ({
      ...text(name, 40, nullable),
      transformer: timestampTransformer,
    }),
    json: (name: string, nullable = false): EntitySchemaColumnOptions => ({
      name,
      type: kind === 'mysql' ? 'longtext' : 'text',
      nullable,
      transformer: jsonTransformer,
    }),
  };
}

/** Builds fresh schemas for one DataSource; schemas are not shared between DataSources. */
export function buildEntities(kind: DatabaseKind): EntitySchema[] {
  const c = entityColumns(kind);
  const programme = new EntitySchema<ProgrammeRow>({
    name: ENTITY.programme,
    tableName: 'programmes',
    columns: {
      id: c.id('id', 64),
      organisation: c.text('organisation', 200),
      name: c.text('name', 200),
      workflowId: c.text('workflow_id', 200),
      status: c.text('status', 20),
      cycle: c.int('cycle'),
      step: c.text('step', 40, true),
      stage: c.text('stage', 40, true),
      certificateStatus: c.text('certificate_status', 20, true),
      certificateExpiresOn: c.timestamp('certificate_expires_on', true),
      overdue: c.bool('overdue'),
      nextDueAt: c.timestamp('next_due_at', true),
      config: c.json('config'),
      createdAt: c.timestamp('created_at'),
      updatedAt: c.timestamp('updated_at'),
    },
    indices: [
      { name: 'IDX_programmes_stage', columns: ['stage'] },
      { name: 'IDX_programmes_organisation', columns: ['organisation'] },
      { name: 'IDX_programmes_created_at', columns: ['createdAt'] },
    ],
  });
  const transition = new EntitySchema<TransitionRow>({
    name: ENTITY.transition,
    tableName: 'stage_transitions',
    columns: {
      id: c.id('id', 128),
      programmeId: c.text('programme_id', 64),
      cycle: c.int('cycle'),
      fromStep: c.text('from_step', 40, true),
      toStep: c.text('to_step', 40),
      stage: c.text('stage', 40),
      reason: c.longText('reason'),
      at: c.timestamp('at'),
    },
    indices: [{ name: 'IDX_stage_transitions_programme', columns: ['programmeId', 'at'] }],
  });
  const assessment = new EntitySchema<AssessmentRow>({
    name: ENTITY.assessment,
    tableName: 'assessments',
    columns: {
      programmeId: c.id('programme_id', 64),
      cycle: c.int('cycle', true),
      requirementId: c.id('requirement_id', 40),
      status: c.text('status', 40),
      justification: c.longText('justification', true),
      assessor: c.text('assessor', 320),
      evidence: c.json('evidence'),
      assessedAt: c.timestamp('assessed_at'),
      scoring: c.json('scoring', true),
    },
  });
  const task = new EntitySchema<TaskRow>({
    name: ENTITY.task,
    tableName: 'roadmap_tasks',
    columns: {
      programmeId: c.id('programme_id', 64),
      id: c.id('id', 64),
      requirementId: c.text('requirement_id', 40),
      title: c.text('title', 300),
      owner: c.text('owner', 320),
      deadline: c.timestamp('deadline'),
      status: c.text('status', 20),
      note: c.longText('note', true),
      acceptedBy: c.text('accepted_by', 320, true),
      closedAt: c.timestamp('closed_at', true),
    },
  });
  const artefact = new EntitySchema<ArtefactRow>({
    name: ENTITY.artefact,
    tableName: 'artefacts',
    columns: {
      programmeId: c.id('programme_id', 64),
      kind: c.id('kind', 40),
      key: c.id('key', 128),
      version: c.int('version', true),
      body: c.json('body'),
      sha256: c.text('sha256', 64),
      submittedAt: c.timestamp('submitted_at'),
    },
  });
  const audit = new EntitySchema<AuditRow>({
    name: ENTITY.audit,
    tableName: 'audits',
    columns: {
      programmeId: c.id('programme_id', 64),
      id: c.id('id', 64),
      audit: c.text('audit', 40),
      stepKey: c.text('step_key', 100),
      attempt: c.int('attempt'),
      firstDay: c.timestamp('first_day'),
      lastDay: c.timestamp('last_day'),
      auditors: c.json('auditors'),
      independent: c.bool('independent'),
      planId: c.text('plan_id', 64, true),
      scope: c.json('scope', true),
      independence: c.json('independence', true),
    },
  });
  const finding = new EntitySchema<FindingRow>({
    name: ENTITY.finding,
    tableName: 'findings',
    columns: {
      programmeId: c.id('programme_id', 64),
      id: c.id('id', 64),
      audit: c.text('audit', 40),
      auditId: c.text('audit_id', 64),
      stepKey: c.text('step_key', 100),
      grade: c.text('grade', 40),
      requirementId: c.text('requirement_id', 40),
      description: c.longText('description'),
      status: c.text('status', 40),
      raisedAt: c.timestamp('raised_at'),
      correctiveAction: c.json('corrective_action', true),
      verification: c.json('verification', true),
      track: c.json('track', true),
    },
  });
  const decision = new EntitySchema<DecisionRow>({
    name: ENTITY.decision,
    tableName: 'approval_decisions',
    columns: {
      id: c.id('id', 128),
      programmeId: c.text('programme_id', 64),
      stepKey: c.text('step_key', 100),
      gate: c.text('gate', 100),
      artefact: c.text('artefact', 40),
      artefactVersion: c.int('artefact_version'),
      outcome: c.text('outcome', 40),
      approver: c.text('approver', 320),
      approverRole: c.text('approver_role', 40),
      comment: c.longText('comment', true),
      decidedAt: c.timestamp('decided_at'),
      artefactSha256: c.text('artefact_sha256', 64, true),
      requestId: c.text('request_id', 200, true),
      channel: c.text('channel', 20, true),
      recordedBy: c.text('recorded_by', 100, true),
      onBehalfEvidence: c.text('on_behalf_evidence', 500, true),
      clientIp: c.text('client_ip', 64, true),
      userAgent: c.text('user_agent', 500, true),
      quorum: c.text('quorum', 20, true),
    },
    indices: [{ name: 'IDX_approval_decisions_programme', columns: ['programmeId', 'decidedAt'] }],
  });
  const certificate = new EntitySchema<CertificateRow>({
    name: ENTITY.certificate,
    tableName: 'certificates',
    columns: {
      programmeId: c.id('programme_id', 64),
      number: c.id('number', 100),
      cycle: c.int('cycle'),
      decisionStepKey: c.text('decision_step_key', 100),
      decisionDate: c.timestamp('decision_date'),
      expiresOn: c.timestamp('expires_on'),
      status: c.text('status', 20),
      lapsedAt: c.timestamp('lapsed_at', true),
      scope: c.json('scope', true),
      replaces: c.text('replaces', 100, true),
    },
  });
  return [programme, transition, assessment, task, artefact, audit, finding, decision, certificate];
}
