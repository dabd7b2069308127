/**
 * The views of a programme and its running step, as the workflows report them and the API
 * answers them: bounded whatever the programme's size. One definition each, as zod schemas:
 * the OpenAPI document is generated from them and the TypeScript types are inferred from them.
 * This module depends on the vocabulary only, so the workflow-side modules can import its
 * types without a cycle.
 */
import { z } from 'zod';
import {
  APPROVAL_OUTCOMES,
  APPROVER_ROLES,
  ARTEFACT_KINDS,
  AUDIT_KINDS,
  CERTIFICATE_STATUSES,
  DEADLINE_IDS,
  FINDING_GRADES,
  FINDING_STATUSES,
  INPUT_KINDS,
  PROGRAMME_STATUSES,
  STAGE_KINDS,
  STEP_IDS,
} from './vocabulary';

const Timestamp = z.string().meta({ format: 'date-time' });

export const Certificate = z.object({
  number: z.string(),
  decisionDate: Timestamp,
  expiresOn: Timestamp,
  status: z.enum(CERTIFICATE_STATUSES),
  cycle: z.number().int(),
  decisionStepKey: z
    .string()
    .optional()
    .meta({ description: 'The step whose decision issued the certificate' }),
  lapsedAt: Timestamp.optional(),
  scope: z
    .object({ statement: z.string(), aiSystemIds: z.array(z.string()) })
    .optional()
    .meta({ description: 'The scope certified: statement and AI systems in scope at the decision' }),
  replaces: z.string().optional().meta({ description: 'The certificate of the previous cycle' }),
});

export const Transition = z.object({
  id: z.string(),
  cycle: z.number().int(),
  from: z.string().nullable(),
  to: z.string(),
  stage: z.enum([...STAGE_KINDS, 'WITHDRAWN']),
  reason: z.string(),
  at: Timestamp,
});

export const Decision = z.object({
  decisionId: z.string(),
  stepKey: z.string(),
  gate: z.string(),
  artefact: z.enum(ARTEFACT_KINDS),
  artefactVersion: z.number().int(),
  approverRole: z.enum(APPROVER_ROLES),
  outcome: z.enum(APPROVAL_OUTCOMES),
  approver: z.string(),
  comment: z.string().optional(),
  decidedAt: Timestamp,
  artefactSha256: z
    .string()
    .optional()
    .meta({ description: 'SHA-256 of the exact artefact version decided' }),
  requestId: z.string().optional().meta({ description: 'The approval request the decision answered' }),
  channel: z.enum(['api', 'email', 'on-behalf']).optional().meta({
    description:
      "email: by the approver's own link; api: by the approver's own key; on-behalf: recorded by someone else from evidence of the approver's decision",
  }),
  recordedBy: z.string().optional().meta({ description: 'The API key that recorded it (api, on-behalf)' }),
  onBehalfEvidence: z
    .string()
    .optional()
    .meta({ description: "Where the approver's own decision is recorded (minutes, a document id)" }),
  clientIp: z.string().optional(),
  userAgent: z.string().optional(),
  quorum: z.string().optional().meta({ description: 'For k-of-n gates, e.g. "1 of 2"' }),
});

export const UnmetGate = z.object({ gate: z.string(), reason: z.string() });

export const ApprovalRequestSummary = z
  .object({
    requestId: z.string(),
    artefactSha256: z.string(),
    approvers: z.array(z.string()),
    waitingFor: z.array(z.string()),
    quorum: z.number().int(),
    approvals: z.number().int(),
    remindersSent: z.number().int(),
    nextReminderAt: Timestamp.optional(),
    escalationAt: Timestamp.optional(),
    escalatedTo: z.string().optional(),
    dueAt: Timestamp,
    overdue: z.boolean(),
  })
  .meta({ description: 'The e-mail approval request out for this version (see /programmes/{id}/approvals)' });

export const PendingApproval = z.object({
  gate: z.string(),
  artefact: z.enum(ARTEFACT_KINDS),
  artefactVersion: z.number().int(),
  approverRole: z.enum(APPROVER_ROLES),
  approverEmail: z.string().optional(),
  lastOutcome: z.enum(APPROVAL_OUTCOMES).optional(),
  /** Until edits settle, a roadmap version waits this long before its request goes out. */
  requestDueAt: Timestamp.optional().meta({
    description: 'When the approval request for this version goes out (once edits have settled)',
  }),
  request: ApprovalRequestSummary.optional(),
});

export const Deadline = z.object({ id: z.enum(DEADLINE_IDS), dueAt: Timestamp, description: z.string() });

/** The certificate as the workflows know it; the record adds the scope it certifies. */
export const CertificateFacts = Certificate.omit({ scope: true }).extend({
  scopeVersion: z.number().int().optional().meta({ description: 'The version of the scope certified' }),
});

/** The running step as its stage workflow reports it: bounded, whatever the programme's size. */
export const StageView = z.object({
  programmeId: z.string(),
  cycle: z.number().int(),
  step: z.enum(STEP_IDS),
  stage: z.enum(STAGE_KINDS),
  stepKey: z.string(),
  accepts: z.array(z.enum(INPUT_KINDS)).meta({ description: 'Input kinds the current stage accepts' }),
  unmetGates: z.array(UnmetGate),
  pendingApprovals: z.array(PendingApproval),
  nextDeadline: Deadline.optional(),
  overdue: z.boolean(),
  certificate: CertificateFacts.optional(),
});

export const WorkflowProblem = z
  .object({
    workflowId: z.string(),
    cause: z
      .string()
      .meta({ description: 'Why its workflow tasks fail, e.g. WorkflowTaskFailedCausePayloadsTooLarge' }),
    since: Timestamp.optional(),
  })
  .meta({
    description:
      'The programme cannot make progress: a workflow task fails in a way retrying does not cure. Operators are alerted.',
  });

export const ProgrammeView = z.object({
  programmeId: z.string(),
  organisation: z.string(),
  name: z.string(),
  status: z.enum(PROGRAMME_STATUSES),
  cycle: z.number().int(),
  step: z.enum(STEP_IDS).nullable(),
  stage: z.enum([...STAGE_KINDS, 'WITHDRAWN']).nullable(),
  stepKey: z.string().nullable(),
  stageWorkflowId: z.string().nullable(),
  certificate: CertificateFacts.optional(),
  nextDueAt: Timestamp.optional(),
  overdue: z.boolean(),
  /** The latest transitions of this cycle (the history route lists them all). */
  history: z.array(Transition.extend({ programmeId: z.string() })),
});

export const PlannedAuditStatus = z.object({
  id: z.string(),
  title: z.string(),
  scope: z.array(z.string()),
  auditor: z.string(),
  plannedOn: z.string(),
  status: z.enum(['planned', 'overdue', 'held']),
  auditId: z.string().optional(),
  firstDay: z.string().optional(),
  lastDay: z.string().optional(),
});

/** The running cycle's recurring work, internal audit programme and nonconformity follow-up. */
export const ProgrammeWork = z.object({
  cycle: z.number().int(),
  cycleStartedAt: Timestamp.optional(),
  cycleWork: z.array(
    z.object({
      item: z.enum([
        'internalAuditProgramme',
        'managementReview',
        'surveillance1',
        'surveillance2',
        'recertification',
      ]),
      status: z.enum(['todo', 'in_progress', 'done']),
      detail: z.string(),
    }),
  ),
  auditProgramme: z.object({
    cycle: z.number().int(),
    planned: z.boolean(),
    planVersion: z.number().int().optional(),
    universe: z.number().int().meta({ description: 'Clauses 4-10 plus the applicable Annex A controls' }),
    audited: z.number().int(),
    coverage: z.number().meta({ description: 'audited / universe: the audit programme completion KPI' }),
    notYetAudited: z.array(z.string()),
    notPlanned: z.array(z.string()),
    audits: z.array(PlannedAuditStatus),
  }),
  nonconformities: z.array(
    z.object({
      findingId: z.string(),
      grade: z.enum(FINDING_GRADES),
      audit: z.enum(AUDIT_KINDS),
      requirementId: z.string(),
      status: z.enum(FINDING_STATUSES),
      owner: z.string().optional(),
      due: z.string().optional(),
      actionOverdue: z.boolean(),
      escalatedTo: z.string().optional(),
      planDueAt: Timestamp.optional(),
      planOverdue: z.boolean(),
      consequence: z.string().optional(),
      verifyAt: z.string().optional(),
    }),
  ),
  carriedOver: z
    .object({
      fromCycle: z.number().int(),
      openFindings: z.array(z.string()),
      closedFindings: z.number().int(),
      certificate: z.string().optional(),
    })
    .optional(),
});

/** What the stage answers an accepted input with. */
export const InputAccepted = z.object({
  accepted: z.literal(true),
  stepKey: z.string(),
  recordId: z.string().optional().meta({ description: 'Id of the record the input created or changed' }),
  findings: z
    .object({ from: z.number().int(), to: z.number().int() })
    .optional()
    .meta({ description: 'The findings raised with an audit: F-<from> to F-<to>' }),
  view: StageView,
});

export const DecisionAccepted = z.object({
  accepted: z.literal(true),
  gate: z.string(),
  outcome: z.enum(APPROVAL_OUTCOMES),
  view: StageView,
});

export type Certificate = z.output<typeof Certificate>;
export type CertificateFacts = z.output<typeof CertificateFacts>;
export type TransitionRow = z.output<typeof Transition>;
export type DecisionRecord = z.output<typeof Decision>;
export type UnmetGate = z.output<typeof UnmetGate>;
export type PendingApproval = z.output<typeof PendingApproval>;
export type Deadline = z.output<typeof Deadline>;
export type StageView = z.output<typeof StageView>;
export type ProgrammeView = z.output<typeof ProgrammeView>;
export type WorkflowProblem = z.output<typeof WorkflowProblem>;
export type ProgrammeWork = z.output<typeof ProgrammeWork>;
export type InputAccepted = z.output<typeof InputAccepted>;
export type DecisionAccepted = z.output<typeof DecisionAccepted>;
