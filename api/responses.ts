/**
 * Response shapes, for the OpenAPI document. The records and views are defined once, in
 * domain/records.ts and domain/views.ts; this module adds the shapes only the API answers
 * with (pages, problems, the programme's detail). Responses the API builds itself are typed
 * from these schemas (z.input) so the document cannot drift from the code.
 */
import { z } from 'zod';
import { Artefact, ArtefactSummary, Assessment, Audit, Finding, Task } from '../domain/records';
import { ProgrammeConfig } from '../domain/schemas';
import {
  Certificate,
  Decision,
  Deadline,
  InputAccepted,
  DecisionAccepted,
  PendingApproval,
  ProgrammeWork,
  StageView,
  Transition,
  UnmetGate,
  WorkflowProblem,
} from '../domain/views';
import { CERTIFICATE_STATUSES, PROGRAMME_STATUSES, STAGE_KINDS } from '../domain/vocabulary';

export {
  Artefact,
  ArtefactSummary,
  Assessment,
  Audit,
  Certificate,
  Decision,
  Finding,
  ProgrammeWork,
  StageView,
  Task,
  Transition,
};

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
const ProgrammeStatus = z.enum(PROGRAMME_STATUSES);

export const InputResult = InputAccepted.omit({ findings: true }).extend({
  findingIds: z.array(z.string()).optional().meta({ description: 'The findings an audit raised' }),
});

export const DecisionResult = DecisionAccepted;

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
  certificateStatus: z.enum(CERTIFICATE_STATUSES).nullable(),
  certificateExpiresOn: Timestamp.nullable(),
  createdAt: Timestamp.nullable(),
});

export const ProgrammePage = z.object({
  items: z.array(ProgrammeSummary),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});

/** A programme with its live step: gates, approvals, deadlines, the cycle's work. */
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
    description: 'The running cycle, from the facts the workflows keep; null before the programme has any',
  }),
  problem: WorkflowProblem.nullable().optional(),
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
  location: z.string().meta({ description: 'Where to follow progress (as the Location header)' }),
});

export const Health = z.object({ status: z.literal('ok') });
export const Readiness = z.object({ temporal: z.literal('ok'), database: z.literal('ok') });

const itemsOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

export const TransitionList = itemsOf(Transition);
export const AssessmentList = itemsOf(Assessment);
export const TaskList = itemsOf(Task);
export const AuditList = itemsOf(Audit);
export const FindingList = itemsOf(Finding);
export const DecisionList = itemsOf(Decision);
export const CertificateList = itemsOf(
  Certificate.extend({
    status: z.enum([...CERTIFICATE_STATUSES, 'SUPERSEDED']).meta({
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
