/**
 * The names of the journey: steps, stages, input kinds, artefacts, gates, deadlines, notices,
 * audits, grades and statuses. Every extension point is a registry keyed by one of these lists
 * (`Record<InputKind, …>` in inputs/index.ts, `Record<ArtefactKind, …>` in artefacts.ts, …), so
 * a name added here without its definition, or a definition without its name, fails to
 * compile. This module imports nothing: everything else may use it without a cycle.
 */

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

/** What people submit to a step (domain/inputs/: one definition module each). */
export const INPUT_KINDS = [
  'scope',
  'assessments',
  'roadmapTask',
  'taskUpdate',
  'policy',
  'riskTreatmentPlan',
  'impactAssessment',
  'soa',
  'auditProgramme',
  'audit',
  'finding',
  'correctiveAction',
  'verification',
  'managementReview',
  'certificationBody',
  'certificationDecision',
] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

/** What an approval gate decides on (domain/artefacts.ts). */
export const ARTEFACT_KINDS = [
  'scope',
  'roadmap',
  'aiPolicy',
  'riskTreatmentPlan',
  'soa',
  'managementReview',
  'certificationBody',
] as const;
export type ArtefactKind = (typeof ARTEFACT_KINDS)[number];

/** Exit gates besides the approvals (domain/gates.ts). */
export const GATE_IDS = [
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
] as const;
export type GateId = (typeof GATE_IDS)[number];

/** Durable deadlines of a step (domain/deadlines.ts). */
export const DEADLINE_IDS = [
  'majorNcVerification',
  'surveillanceDue',
  'recertificationDue',
  'restoreWindow',
] as const;
export type DeadlineId = (typeof DEADLINE_IDS)[number];

/** Notification e-mails besides approval requests (domain/notices.ts). */
export const NOTICE_KINDS = [
  'stageEntered',
  'taskAssigned',
  'taskOverdue',
  'auditUpcoming',
  'certificateExpiring',
  'approvalOverdue',
  'correctiveActionOverdue',
  'correctiveActionEscalated',
  'minorNcPlanOverdue',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export const AUDIT_KINDS = ['internal', 'stage1', 'stage2', 'surveillance', 'recertification'] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export const FINDING_GRADES = ['conformity', 'minor_nc', 'major_nc', 'observation', 'ofi'] as const;
export type FindingGrade = (typeof FINDING_GRADES)[number];

export const FINDING_STATUSES = ['open', 'action_planned', 'verified', 'superseded'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

export const ASSESSMENT_STATUSES = [
  'compliant',
  'partially_compliant',
  'not_compliant',
  'not_applicable',
] as const;
export type AssessmentStatus = (typeof ASSESSMENT_STATUSES)[number];

export const TASK_STATUSES = ['open', 'done', 'risk_accepted'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const APPROVAL_OUTCOMES = ['approved', 'rejected', 'changes_requested'] as const;
export type ApprovalOutcome = (typeof APPROVAL_OUTCOMES)[number];

export const APPROVER_ROLES = ['complianceLead', 'sponsor', 'topManagement'] as const;
export type ApproverRole = (typeof APPROVER_ROLES)[number];

/** How people say each role, for anything a person reads (views, mail, pages). */
export const APPROVER_ROLE_LABELS: Record<ApproverRole, string> = {
  complianceLead: 'the compliance lead',
  sponsor: 'the executive sponsor',
  topManagement: 'top management',
};

export const CERTIFICATE_STATUSES = ['ACTIVE', 'LAPSED', 'WITHDRAWN'] as const;
export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];

export const PROGRAMME_STATUSES = ['ACTIVE', 'WITHDRAWN'] as const;
export type ProgrammeStatus = (typeof PROGRAMME_STATUSES)[number];

export const AI_ROLES = [
  'provider',
  'producer',
  'customer',
  'partner',
  'subject',
  'relevant_authority',
] as const;
export type AiRole = (typeof AI_ROLES)[number];

export const INVENTORY_IMPORT_FORMATS = ['csv', 'json', 'yaml'] as const;
export type InventoryImportFormat = (typeof INVENTORY_IMPORT_FORMATS)[number];
