/**
 * THE route table. Express registration, request validation, 405 handling and the OpenAPI
 * document are all generated from it: a route that is not here does not exist.
 */
import type { z } from 'zod';
import {
  AssessmentsBody,
  AuditBody,
  AuditProgrammeBody,
  CertificationBodyBody,
  CertificationDecisionBody,
  CorrectiveActionBody,
  CreateProgramme,
  DecisionBody,
  FindingBody,
  ImpactAssessmentBody,
  ManagementReviewBody,
  PolicyBody,
  RiskTreatmentPlanBody,
  RoadmapTaskBody,
  ScopeBody,
  SoaBody,
  TaskUpdateBody,
  VerificationBody,
  WithdrawalBody,
  type StageInput,
  type StageInputKind,
} from '../domain/schemas';
import { CONTRIBUTES, OPERATES, READERS, STEERS, type RouteAccess } from '../domain/roles';
import { certificateHistory } from '../domain/certificate-history';
import * as h from './handlers';
import * as raw from './raw-reply-handlers';
import {
  ArtefactKindParams,
  ArtefactQuery,
  AssessmentQuery,
  AuditParams,
  FindingParams,
  ProgrammeListQuery,
  ProgrammeParams,
  TaskParams,
} from './params';
import * as r from './responses';
import { defineRoute, type HttpMethod, type Route } from './route';
import { NoBody, NoParams, NoQuery } from './validate';

export const TAGS = {
  programmes: 'Programmes',
  records: 'Records',
  inputs: 'Stage inputs',
  approvals: 'Approvals and withdrawal',
  operations: 'Operations',
} as const;

/**
 * Artefact kinds under which the workflows store policies and impact assessments (keyed by
 * policy id and AI system id); used only to build Location headers.
 */
export const ARTEFACT_KIND = { policy: 'policy', impactAssessment: 'impactAssessment' } as const;

/** Programme pages and diagrams: the people on the programme and the operators watching it. */
const WATCHERS: RouteAccess = [...READERS, 'operator'];

const programme = h.programmePath;
const artefactPath = (id: string, kind: string, key: string) =>
  `${programme(id)}/artefacts/${encodeURIComponent(kind)}?key=${encodeURIComponent(key)}`;

interface StageRouteSpec<
  K extends StageInputKind,
  P extends z.ZodType<{ id: string }> & z.ZodObject,
  B extends z.ZodType,
> {
  kind: K;
  method: HttpMethod;
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  access: RouteAccess;
  params: P;
  body: B;
  toInput: (body: z.output<B>, params: z.output<P>) => Extract<StageInput, { kind: K }>;
  /** For inputs that create a record: where the record can be read. Makes the answer 201. */
  created?: (params: z.output<P>, recordId: string) => string;
  /** For inputs about a record named in the path: an unknown one is a 404, as its GET is. */
  about?: h.PathRecord<z.output<P>>;
}

/** A stage input: checked by the API against its schema, then against the stage by the workflow. */
function stageRoute<
  K extends StageInputKind,
  P extends z.ZodType<{ id: string }> & z.ZodObject,
  B extends z.ZodType,
>(spec: StageRouteSpec<K, P, B>): Route {
  const { kind, toInput, created, about, ...meta } = spec;
  return defineRoute({
    ...meta,
    tag: TAGS.inputs,
    query: NoQuery,
    stageInput: kind,
    audit: { action: `stage.input.accepted:${kind}` },
    idempotent: true,
    problems: about ? [404, 409] : [409],
    success: created
      ? {
          status: 201,
          description: 'Accepted; Location names the created record',
          schema: r.InputResult,
          location: true,
        }
      : { status: 200, description: 'Accepted', schema: r.InputResult },
    handle: h.submitInput(toInput, created, about),
  });
}

const TASK_IN_PATH: h.PathRecord<{ id: string; taskId: string }> = {
  what: 'roadmap task',
  id: (p) => p.taskId,
  find: (store, id, taskId) => store.getTask(id, taskId),
};
const FINDING_IN_PATH: h.PathRecord<{ id: string; findingId: string }> = {
  what: 'finding',
  id: (p) => p.findingId,
  find: (store, id, findingId) => store.getFinding(id, findingId),
};

/** Defaults of a read-only route under /programmes/{id}; entries override params and query. */
function recordsRoute(spec: { path: string; operationId: string; summary: string; schema: z.ZodType }) {
  const { schema, ...meta } = spec;
  return {
    ...meta,
    method: 'get' as const,
    tag: TAGS.records,
    access: READERS,
    params: ProgrammeParams,
    query: NoQuery,
    body: NoBody,
    success: { status: 200, description: spec.summary, schema },
  };
}

export function buildRoutes(options: h.CreateOptions): Route[] {
  return [
    defineRoute({
      method: 'post',
      path: '/programmes',
      operationId: 'createProgramme',
      access: STEERS,
      summary: 'Start a certification programme',
      description: 'Records the programme and starts its workflow; unset configuration takes the defaults.',
      tag: TAGS.programmes,
      params: NoParams,
      query: NoQuery,
      body: CreateProgramme,
      problems: [409],
      success: { status: 201, description: 'Started', schema: r.ProgrammeCreated, location: true },
      audit: { action: 'programme.created' },
      handle: h.createProgramme(options),
    }),
    defineRoute({
      method: 'get',
      path: '/programmes',
      operationId: 'listProgrammes',
      access: READERS,
      summary: 'List programmes',
      tag: TAGS.programmes,
      params: NoParams,
      query: ProgrammeListQuery,
      body: NoBody,
      success: { status: 200, description: 'One page of programmes', schema: r.ProgrammePage },
      handle: h.listProgrammes,
    }),
    defineRoute({
      method: 'get',
      path: '/programmes/{id}',
      operationId: 'getProgramme',
      access: READERS,
      summary: 'Programme with its live stage state',
      tag: TAGS.programmes,
      params: ProgrammeParams,
      query: NoQuery,
      body: NoBody,
      success: { status: 200, description: 'The programme', schema: r.ProgrammeDetail },
      handle: h.getProgramme,
    }),
    defineRoute({
      ...recordsRoute({
        path: '/programmes/{id}/history',
        operationId: 'getHistory',
        summary: 'Stage transitions',
        schema: r.TransitionList,
      }),
      handle: h.listOf((store, id) => store.listTransitions(id)),
    }),
    defineRoute({
      ...recordsRoute({
        path: '/programmes/{id}/assessments',
        operationId: 'listAssessments',
        summary: 'Gap assessments',
        schema: r.AssessmentList,
      }),
      query: AssessmentQuery,
      handle: h.listOf((store, id, query: z.output<typeof AssessmentQuery>) =>
        store.listAssessments(id, query.cycle),
      ),
    }),
    defineRoute({
      ...recordsRoute({
        path: '/programmes/{id}/tasks',
        operationId: 'listTasks',
        summary: 'Roadmap tasks',
        schema: r.TaskList,
      }),
      handle: h.listOf((store, id) => store.listTasks(id)),
    }),
    defineRoute({
      ...recordsRoute({
        path: '/programmes/{id}/tasks/{taskId}',
        operationId: 'getTask',
        summary: 'One roadmap task',
        schema: r.Task,
      }),
      params: TaskParams,
      handle: h.oneOf(
        'task',
        (store, id) => store.listTasks(id),
        (p: z.output<typeof TaskParams>) => p.taskId,
      ),
    }),
    defineRoute({
      ...recordsRoute({
        path: '/programmes/{id}/findings',
        operationId: 'listFindings',
        summary: 'Audit findings',
        schema: r.FindingList,
      }),
      handle: h.listOf((store, id) => store.listFindings(id)),
    }),
    defineRoute({
      ...recordsRoute({
        path: '/programmes/{id}/findings/{findingId}',
        operationId: 'getFinding',
        summary: 'One finding',
        schema: r.Finding,
      }),
      params: FindingParams,
      handle: h.oneOf(
        'finding',
        (store, id) => store.listFindings(id),
        (p: z.output<typeof FindingParams>) => p.findingId,
      ),
    }),
    defineRoute({
      ...recordsRoute({
        path: '/programmes/{id}/audits',
        operationId: 'listAudits',
        summary: 'Audits held',
        schema: r.AuditList,
      }),
      handle: h.listOf((store, id) => store.listAudits(id)),
    }),
    defineRoute({
      ...recordsRoute({
        path: '/programmes/{id}/audits/{auditId}',
        operationId: 'getAudit',
        summary: 'One audit',
        schema: r.Audit,
      }),
      params: AuditParams,
      handle: h.oneOf(
        'audit',
        (store, id) => store.listAudits(id),
        (p: z.output<typeof AuditParams>) => p.auditId,
      ),
    }),
    defineRoute({
      ...recordsRoute({
        path: '/programmes/{id}/decisions',
        operationId: 'listDecisions',
        summary: 'Approval decisions',
        schema: r.DecisionList,
      }),
      handle: h.listOf((store, id) => store.listDecisions(id)),
    }),
    defineRoute({
      ...recordsRoute({
        path: '/programmes/{id}/certificates',
        operationId: 'listCertificates',
        summary: 'Certificates',
        schema: r.CertificateList,
      }),
      handle: h.listOf(async (store, id) => certificateHistory(await store.listCertificates(id))),
    }),
    defineRoute({
      ...recordsRoute({
        path: '/programmes/{id}/artefacts',
        operationId: 'listArtefacts',
        summary: 'Latest version of every artefact',
        schema: r.ArtefactList,
      }),
      handle: h.listArtefacts,
    }),
    defineRoute({
      ...recordsRoute({
        path: '/programmes/{id}/artefacts/{kind}',
        operationId: 'getArtefacts',
        summary: 'Artefacts of one kind',
        schema: r.ArtefactOrList,
      }),
      description:
        'Without key or version: the latest version of each artefact of the kind, as { items }. With either: that one artefact (key defaults to empty, version to the latest).',
      params: ArtefactKindParams,
      query: ArtefactQuery,
      handle: h.getArtefacts,
    }),

    stageRoute({
      kind: 'scope',
      method: 'put',
      path: '/programmes/{id}/scope',
      operationId: 'submitScope',
      access: STEERS,
      summary: 'Submit or revise the AIMS scope',
      params: ProgrammeParams,
      body: ScopeBody,
      toInput: (body) => ({ kind: 'scope', ...body }),
    }),
    stageRoute({
      kind: 'assessments',
      method: 'post',
      path: '/programmes/{id}/assessments',
      operationId: 'submitAssessments',
      access: CONTRIBUTES,
      summary: 'Record gap assessments of clauses and controls',
      params: ProgrammeParams,
      body: AssessmentsBody,
      toInput: (body) => ({ kind: 'assessments', ...body }),
    }),
    stageRoute({
      kind: 'roadmapTask',
      method: 'post',
      path: '/programmes/{id}/tasks',
      operationId: 'addRoadmapTask',
      access: CONTRIBUTES,
      summary: 'Add a roadmap task',
      params: ProgrammeParams,
      body: RoadmapTaskBody,
      toInput: (body) => ({ kind: 'roadmapTask', ...body }),
      created: (p, recordId) => `${programme(p.id)}/tasks/${encodeURIComponent(recordId)}`,
    }),
    stageRoute({
      kind: 'taskUpdate',
      method: 'patch',
      path: '/programmes/{id}/tasks/{taskId}',
      operationId: 'updateTask',
      access: CONTRIBUTES,
      summary: 'Close a roadmap task or accept its residual risk',
      params: TaskParams,
      body: TaskUpdateBody,
      toInput: (update, p) => ({ kind: 'taskUpdate', taskId: p.taskId, update }),
      about: TASK_IN_PATH,
    }),
    stageRoute({
      kind: 'policy',
      method: 'post',
      path: '/programmes/{id}/policies',
      operationId: 'submitPolicy',
      access: CONTRIBUTES,
      summary: 'Submit a policy',
      params: ProgrammeParams,
      body: PolicyBody,
      toInput: (body) => ({ kind: 'policy', ...body }),
      created: (p, recordId) => artefactPath(p.id, ARTEFACT_KIND.policy, recordId),
    }),
    stageRoute({
      kind: 'riskTreatmentPlan',
      method: 'put',
      path: '/programmes/{id}/risk-treatment-plan',
      operationId: 'submitRiskTreatmentPlan',
      access: CONTRIBUTES,
      summary: 'Submit or revise the risk treatment plan',
      params: ProgrammeParams,
      body: RiskTreatmentPlanBody,
      toInput: (body) => ({ kind: 'riskTreatmentPlan', ...body }),
    }),
    stageRoute({
      kind: 'impactAssessment',
      method: 'post',
      path: '/programmes/{id}/impact-assessments',
      operationId: 'submitImpactAssessment',
      access: CONTRIBUTES,
      summary: 'Submit an AI system impact assessment',
      params: ProgrammeParams,
      body: ImpactAssessmentBody,
      toInput: (body) => ({ kind: 'impactAssessment', ...body }),
      created: (p, recordId) => artefactPath(p.id, ARTEFACT_KIND.impactAssessment, recordId),
    }),
    stageRoute({
      kind: 'soa',
      method: 'put',
      path: '/programmes/{id}/soa',
      operationId: 'submitSoa',
      access: CONTRIBUTES,
      summary: 'Submit or revise the Statement of Applicability',
      params: ProgrammeParams,
      body: SoaBody,
      toInput: (body) => ({ kind: 'soa', entries: body.entries, submittedBy: body.submittedBy }),
    }),
    stageRoute({
      kind: 'auditProgramme',
      method: 'put',
      path: '/programmes/{id}/audit-programme',
      operationId: 'planAuditProgramme',
      access: STEERS,
      summary: "Plan or revise the cycle's internal audit programme (scope, auditor, independence, dates)",
      params: ProgrammeParams,
      body: AuditProgrammeBody,
      toInput: (body) => ({ kind: 'auditProgramme', ...body }),
    }),
    stageRoute({
      kind: 'audit',
      method: 'post',
      path: '/programmes/{id}/audits',
      operationId: 'recordAudit',
      access: CONTRIBUTES,
      summary: 'Record an audit',
      params: ProgrammeParams,
      body: AuditBody,
      toInput: (body) => ({ kind: 'audit', ...body }),
      created: (p, recordId) => `${programme(p.id)}/audits/${encodeURIComponent(recordId)}`,
    }),
    stageRoute({
      kind: 'finding',
      method: 'post',
      path: '/programmes/{id}/findings',
      operationId: 'raiseFinding',
      access: CONTRIBUTES,
      summary: 'Raise an audit finding',
      params: ProgrammeParams,
      body: FindingBody,
      toInput: (body) => ({ kind: 'finding', ...body }),
      created: (p, recordId) => `${programme(p.id)}/findings/${encodeURIComponent(recordId)}`,
    }),
    stageRoute({
      kind: 'correctiveAction',
      method: 'post',
      path: '/programmes/{id}/findings/{findingId}/corrective-action',
      operationId: 'planCorrectiveAction',
      access: CONTRIBUTES,
      summary: 'Record the correction, root cause and corrective action of a finding',
      params: FindingParams,
      body: CorrectiveActionBody,
      toInput: (action, p) => ({ kind: 'correctiveAction', findingId: p.findingId, action }),
      about: FINDING_IN_PATH,
    }),
    stageRoute({
      kind: 'verification',
      method: 'post',
      path: '/programmes/{id}/findings/{findingId}/verification',
      operationId: 'verifyFinding',
      access: CONTRIBUTES,
      summary: 'Verify the correction of a finding',
      params: FindingParams,
      body: VerificationBody,
      toInput: (verification, p) => ({ kind: 'verification', findingId: p.findingId, verification }),
      about: FINDING_IN_PATH,
    }),
    stageRoute({
      kind: 'managementReview',
      method: 'put',
      path: '/programmes/{id}/management-review',
      operationId: 'submitManagementReview',
      access: STEERS,
      summary: 'Record the management review',
      params: ProgrammeParams,
      body: ManagementReviewBody,
      toInput: (body) => ({ kind: 'managementReview', ...body }),
    }),
    stageRoute({
      kind: 'certificationBody',
      method: 'put',
      path: '/programmes/{id}/certification-body',
      operationId: 'chooseCertificationBody',
      access: STEERS,
      summary: 'Choose the certification body',
      params: ProgrammeParams,
      body: CertificationBodyBody,
      toInput: (body) => ({ kind: 'certificationBody', ...body }),
    }),
    stageRoute({
      kind: 'certificationDecision',
      method: 'post',
      path: '/programmes/{id}/certification-decision',
      operationId: 'recordCertificationDecision',
      access: STEERS,
      summary: "Record the certification body's decision",
      params: ProgrammeParams,
      body: CertificationDecisionBody,
      toInput: (decision) => ({ kind: 'certificationDecision', decision }),
    }),

    defineRoute({
      method: 'post',
      path: '/programmes/{id}/decisions',
      operationId: 'decide',
      access: STEERS,
      summary: 'Approve, reject or request changes at an approval gate',
      tag: TAGS.approvals,
      params: ProgrammeParams,
      query: NoQuery,
      body: DecisionBody,
      idempotent: true,
      problems: [409],
      success: { status: 200, description: 'Decision recorded', schema: r.DecisionResult },
      audit: { action: 'approval.decided' },
      handle: h.decide,
    }),
    defineRoute({
      method: 'post',
      path: '/programmes/{id}/withdrawal',
      operationId: 'withdraw',
      access: STEERS,
      summary: 'Withdraw the programme',
      tag: TAGS.approvals,
      params: ProgrammeParams,
      query: NoQuery,
      body: WithdrawalBody,
      problems: [409],
      success: {
        status: 202,
        description: 'Withdrawal under way; follow the programme at Location',
        schema: r.Accepted,
        location: true,
      },
      audit: { action: 'programme.withdrawal.requested' },
      handle: h.withdraw,
    }),

    defineRoute({
      method: 'get',
      path: '/healthz',
      operationId: 'health',
      access: 'public',
      summary: 'Liveness: the process answers',
      tag: TAGS.operations,
      params: NoParams,
      query: NoQuery,
      body: NoBody,
      usesDependencies: false,
      success: { status: 200, description: 'Alive', schema: r.Health },
      handle: h.health,
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      operationId: 'ready',
      access: OPERATES,
      summary: 'Readiness: Temporal and the database answer',
      tag: TAGS.operations,
      params: NoParams,
      query: NoQuery,
      body: NoBody,
      success: { status: 200, description: 'Ready', schema: r.Readiness },
      handle: h.readiness,
    }),
    defineRoute({
      method: 'get',
      path: '/openapi.json',
      operationId: 'openApi',
      access: 'public',
      summary: 'This OpenAPI 3.1 document',
      tag: TAGS.operations,
      params: NoParams,
      query: NoQuery,
      body: NoBody,
      usesDependencies: false,
      success: { status: 200, description: 'The document', schema: r.OpenApiDocument },
      handle: (_request, ctx) => Promise.resolve({ status: 200, body: ctx.openApi() }),
    }),
    defineRoute({
      method: 'get',
      path: '/metrics',
      operationId: 'metrics',
      access: OPERATES,
      summary: 'Prometheus metrics: HTTP requests, Node process, programmes by stage, NCs, approvals',
      tag: TAGS.operations,
      params: NoParams,
      query: NoQuery,
      body: NoBody,
      responseContentType: 'text/plain; version=0.0.4',
      success: { status: 200, description: 'Metrics', schema: r.PrometheusText },
      handle: raw.getMetrics,
    }),
    defineRoute({
      method: 'get',
      path: '/process.bpmn',
      operationId: 'processBpmn',
      access: 'public',
      summary: 'The process model as BPMN 2.0 XML (opens in bpmn.io and Camunda Modeler)',
      tag: TAGS.operations,
      params: NoParams,
      query: NoQuery,
      body: NoBody,
      usesDependencies: false,
      responseContentType: 'application/xml',
      success: { status: 200, description: 'BPMN 2.0 XML', schema: r.BpmnXml },
      handle: raw.getProcessBpmn,
    }),
    defineRoute({
      method: 'get',
      path: '/programmes/{id}/diagram.svg',
      operationId: 'programmeDiagramSvg',
      access: WATCHERS,
      summary: 'The process diagram with this programme’s completed and current steps and overdue gates',
      tag: TAGS.programmes,
      params: ProgrammeParams,
      query: NoQuery,
      body: NoBody,
      responseContentType: 'image/svg+xml',
      success: { status: 200, description: 'SVG image', schema: r.SvgImage },
      handle: raw.getProgrammeDiagram('svg'),
    }),
    defineRoute({
      method: 'get',
      path: '/programmes/{id}/diagram.html',
      operationId: 'programmeDiagramHtml',
      access: WATCHERS,
      summary: 'The programme’s diagram in a page that lists unmet gates, pending approvals and deadlines',
      tag: TAGS.programmes,
      params: ProgrammeParams,
      query: NoQuery,
      body: NoBody,
      responseContentType: 'text/html',
      success: { status: 200, description: 'HTML page', schema: r.HtmlPage },
      handle: raw.getProgrammeDiagram('html'),
    }),
  ];
}
