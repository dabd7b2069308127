/**
 * Response shapes, for the OpenAPI document. Responses the API builds itself are typed from
 * these schemas (z.input) so the document cannot drift from the code; records read from the
 * store are documented from domain/types.ts and passed through.
 */
import { z } from 'zod';
import {
  APPROVAL_OUTCOMES,
  ASSESSMENT_STATUSES,
  AUDIT_KINDS,
  CorrectiveActionBody,
  FINDING_GRADES,
  ProgrammeConfig,
  VerificationBody,
} from '../domain/schemas';
import { STAGE_KINDS, STEP_IDS } from '../domain/types';

export const Problem = z
  .object({
    type: z.string().meta({ description: 'Problem type (a tag URI); switch on this, not on the title' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().meta({ description: 'The request path' }),
    errors: z
      .array(
        z.object({
          pointer: z
            .string()
            .meta({ description: 'JSON Pointer into the request', examples: ['/body/items/0/status'] }),
          detail: z.string(),
        }),
      )
      .optional(),
  })
  .meta({ description: 'RFC 9457 problem details' });

const Timestamp = z.string().meta({ format: 'date-time' });
const Stage = z.enum([...STAGE_KINDS, 'WITHDRAWN']);
const ProgrammeStatus = z.enum(['ACTIVE', 'WITHDRAWN']);

export const Certificate = z.object({
  number: z.string(),
  decisionDate: Timestamp,
  expiresOn: Timestamp,
  status: z.enum(['ACTIVE', 'LAPSED', 'WITHDRAWN']),
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

const UnmetGate = z.object({ gate: z.string(), reason: z.string() });
const PendingApproval = z.object({
  gate: z.string(),
  artefact: z.string(),
  artefactVersion: z.number().int(),
  approverRole: z.enum(['sponsor', 'topManagement', 'complianceLead']),
  approverEmail: z.string().optional(),
  lastOutcome: z.enum(APPROVAL_OUTCOMES).optional(),
  request: z
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
    .optional()
    .meta({
      description: 'The e-mail approval request out for this version (see /programmes/{id}/approvals)',
    }),
});
const Deadline = z.object({ id: z.string(), dueAt: Timestamp, description: z.string() });

export const StageView = z.object({
  programmeId: z.string(),
  cycle: z.number().int(),
  step: z.enum(STEP_IDS),
  stage: z.enum(STAGE_KINDS),
  stepKey: z.string(),
  accepts: z.array(z.string()).meta({ description: 'Input kinds the current stage accepts' }),
  unmetGates: z.array(UnmetGate),
  pendingApprovals: z.array(PendingApproval),
  nextDeadline: Deadline.optional(),
  overdue: z.boolean(),
  certificate: Certificate.optional(),
});

export const InputResult = z.object({
  accepted: z.literal(true),
  stepKey: z.string(),
  recordId: z.string().optional().meta({ description: 'Id of the record the input created or changed' }),
  view: StageView,
});

export const DecisionResult = z.object({
  accepted: z.literal(true),
  gate: z.string(),
  outcome: z.enum(APPROVAL_OUTCOMES),
  view: StageView,
});

export const ProgrammeCreated = z.object({
  id: z.string(),
  workflowId: z.string(),
  organisation: z.string(),
  name: z.string(),
  config: ProgrammeConfig,
  createdAt: Timestamp,
});

export const ProgrammeSummary = z.object({
  id: z.string(),
  workflowId: z.string(),
  organisation: z.string(),
  name: z.string(),
  status: ProgrammeStatus,
  cycle: z.number().int(),
  step: z.string().nullable(),
  stage: z
    .string()
    .nullable()
    .meta({ examples: [...STAGE_KINDS, 'WITHDRAWN'] }),
  overdue: z.boolean(),
  nextDueAt: Timestamp.nullable(),
  certificateStatus: z.enum(['ACTIVE', 'LAPSED', 'WITHDRAWN']).nullable(),
  certificateExpiresOn: Timestamp.nullable(),
  createdAt: Timestamp.nullable(),
});

export const ProgrammePage = z.object({
  items: z.array(ProgrammeSummary),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});

const PlannedAuditStatus = z.object({
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
      status: z.enum(['open', 'action_planned', 'verified', 'superseded']),
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

export const ProgrammeDetail = ProgrammeSummary.extend({
  config: z.unknown().meta({ description: 'The programme configuration with defaults applied' }),
  stepKey: z.string().nullable(),
  certificate: Certificate.nullable().meta({ description: 'From the live workflow; null when not live' }),
  live: z.boolean().meta({
    description: 'False when the workflow could not be queried and the state comes from the last record',
  }),
  accepts: z.array(z.string()),
  unmetGates: z.array(UnmetGate),
  pendingApprovals: z.array(PendingApproval),
  nextDeadline: Deadline.nullable(),
  programmeWork: ProgrammeWork.nullable().meta({
    description: 'From the live stage; null when not live or for stages begun before it was kept',
  }),
  overdueTasks: z
    .array(
      z.object({
        id: z.string(),
        requirementId: z.string(),
        title: z.string(),
        owner: z.string(),
        deadline: Timestamp,
      }),
    )
    .meta({ description: 'Open roadmap tasks past their deadline' }),
});

export const Accepted = z.object({
  accepted: z.literal(true),
  status: z.string().meta({ description: 'Where to follow progress' }),
});

export const Health = z.object({ status: z.literal('ok') });
export const Readiness = z.object({ temporal: z.literal('ok'), database: z.literal('ok') });

const itemsOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

export const Transition = z.object({
  id: z.string(),
  cycle: z.number().int(),
  from: z.string().nullable(),
  to: z.string(),
  stage: Stage,
  reason: z.string(),
  at: Timestamp,
});

export const Assessment = z.object({
  cycle: z.number().int(),
  requirementId: z.string(),
  status: z.enum(ASSESSMENT_STATUSES),
  justification: z.string().optional(),
  assessor: z.string(),
  evidence: z.array(z.string()),
  assessedAt: Timestamp,
});

export const Task = z.object({
  id: z.string(),
  requirementId: z.string(),
  title: z.string(),
  owner: z.string(),
  deadline: Timestamp,
  status: z.enum(['open', 'done', 'risk_accepted']),
  note: z.string().optional(),
  acceptedBy: z.string().optional(),
  closedAt: Timestamp.optional(),
});

export const Audit = z.object({
  id: z.string(),
  audit: z.enum(AUDIT_KINDS),
  stepKey: z.string(),
  attempt: z.number().int(),
  firstDay: Timestamp,
  lastDay: Timestamp,
  auditors: z.array(z.string()),
  independent: z.boolean(),
  planId: z.string().optional().meta({ description: 'The planned audit of the internal audit programme' }),
  scope: z.array(z.string()).optional().meta({ description: 'Requirements examined' }),
  independence: z
    .object({ statement: z.string(), auditorResponsibleFor: z.array(z.string()) })
    .optional()
    .meta({ description: "The auditor's independence statement and own areas (none in scope)" }),
});

export const Finding = z.object({
  id: z.string(),
  audit: z.enum(AUDIT_KINDS),
  auditId: z.string(),
  stepKey: z.string(),
  grade: z.enum(FINDING_GRADES),
  requirementId: z.string(),
  description: z.string(),
  status: z.enum(['open', 'action_planned', 'verified', 'superseded']),
  raisedAt: Timestamp,
  correctiveAction: CorrectiveActionBody.extend({
    recordedAt: Timestamp,
    remindedAt: Timestamp.optional(),
    escalatedAt: Timestamp.optional(),
    escalatedTo: z.string().optional(),
  }).optional(),
  verification: VerificationBody.extend({ verifiedAt: Timestamp, auditId: z.string().optional() }).optional(),
  track: z
    .object({
      planDueAt: Timestamp.optional(),
      planOverdueAt: Timestamp.optional(),
      consequence: z.string().optional(),
      escalatedTo: z.string().optional(),
      escalatedFrom: z.string().optional(),
      previousActions: z.array(z.looseObject({})).optional(),
    })
    .optional()
    .meta({
      description: 'Follow-up: plan deadline and overdue flag, escalation, earlier ineffective actions',
    }),
});

export const Decision = z.object({
  decisionId: z.string(),
  stepKey: z.string(),
  gate: z.string(),
  artefact: z.string(),
  artefactVersion: z.number().int(),
  approverRole: z.string(),
  outcome: z.enum(APPROVAL_OUTCOMES),
  approver: z.string(),
  comment: z.string().optional(),
  decidedAt: Timestamp,
  artefactSha256: z
    .string()
    .optional()
    .meta({ description: 'SHA-256 of the exact artefact version decided' }),
  requestId: z.string().optional().meta({ description: 'The approval request the decision answered' }),
  channel: z.enum(['api', 'email']).optional(),
  clientIp: z.string().optional(),
  userAgent: z.string().optional(),
  quorum: z.string().optional().meta({ description: 'For k-of-n gates, e.g. "1 of 2"' }),
});

export const ArtefactSummary = z.object({
  kind: z.string(),
  key: z.string().meta({ description: 'Policy id or AI system id; empty for kinds with one artefact' }),
  version: z.number().int(),
  submittedAt: Timestamp,
  sha256: z.string().meta({ description: 'Hash of the canonical JSON of the body' }),
});

export const Artefact = ArtefactSummary.extend({
  body: z.unknown().meta({ description: 'The submitted input, as validated' }),
});

export const TransitionList = itemsOf(Transition);
export const AssessmentList = itemsOf(Assessment);
export const TaskList = itemsOf(Task);
export const AuditList = itemsOf(Audit);
export const FindingList = itemsOf(Finding);
export const DecisionList = itemsOf(Decision);
export const CertificateList = itemsOf(
  Certificate.extend({
    status: z.enum(['ACTIVE', 'LAPSED', 'WITHDRAWN', 'SUPERSEDED']).meta({
      description: 'SUPERSEDED once the next cycle’s certificate replaced it',
    }),
    replacedBy: z.string().optional().meta({ description: 'The certificate of the next cycle' }),
  }),
);
export const ArtefactList = itemsOf(ArtefactSummary);
export const ArtefactOrList = z.union([Artefact, ArtefactList]);

export const OpenApiDocument = z.object({
  openapi: z.literal('3.1.0'),
  info: z.object({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
  components: z.record(z.string(), z.unknown()),
});

/** Non-JSON documents of the operations routes, described for the OpenAPI document. */
export const BpmnXml = z.string().meta({ description: 'BPMN 2.0 XML with diagram interchange' });
export const SvgImage = z.string().meta({ description: 'SVG image' });
export const HtmlPage = z.string().meta({ description: 'HTML page' });
export const PrometheusText = z.string().meta({ description: 'Prometheus text exposition format 0.0.4' });
