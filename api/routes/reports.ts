/**
 * Gap analysis and report routes: the versioned catalogue, the prioritised roadmap, report
 * generation (a workflow on the workers), the list of every report version with its hashes,
 * and downloads that carry the SHA-256 of their bytes (ETag, Digest, Repr-Digest) so that an
 * approval can bind, and an auditor verify, the exact version it concerns.
 */
import { CONTRIBUTES, READERS } from '../../domain/roles';
import { z } from 'zod';
import { catalogueDocument } from '../../domain/catalogue/profiles';
import type { ReportRepository } from '../../db/report-repository';
import type { ProgrammeRepository } from '../../db/repository';
import { prioritiseGaps, resolveGapScoring, isTaskOverdue } from '../../domain/gap-scoring';
import { addDurationIso } from '../../domain/durations';
import { GapScoringConfig, RoadmapPlanBody, type StageInput } from '../../domain/schemas';
import type { RoadmapTask } from '../../domain/records';
import type { InputAccepted } from '../../domain/views';
import type { StoredAssessment } from '../../db/repository';
import { currentAssessments } from '../../services/reports/models';
import {
  CONTENT_TYPES,
  REPORT_FORMATS,
  REPORT_KINDS,
  REPORTS,
  needsKey,
  takesCycleKey,
  CYCLE_KEY,
  type ReportKind,
  type ReportVersionSummary,
} from '../../domain/report-kinds';
import type { AnalysisGateway } from '../analysis-gateway';
import { acceptInput, programmePath, requireProgramme } from '../handlers';
import { ProgrammeParams } from '../params';
import { HttpProblem, validationProblem } from '../problem';
import { defineRoute, type HandlerContext, type Route } from '../route';
import { NoBody, NoParams, NoQuery } from '../validate';

const TAG = 'Gap analysis and reports';

const ReportKindParams = ProgrammeParams.extend({ kind: z.enum(REPORT_KINDS) });
const Key = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'an AI system id')
  .optional()
  .meta({
    description: 'AI system id (impact-assessment reports); cycle such as c1 (internal-audit reports)',
  });
const ReportGenerateQuery = z.object({ key: Key }).strict();
const ReportDownloadQuery = z
  .object({
    format: z.enum(REPORT_FORMATS).default('json'),
    key: Key,
    version: z.coerce
      .number()
      .int()
      .min(1)
      .optional()
      .meta({ description: 'A past version; the newest when absent' }),
  })
  .strict();

const ReportFile = z.object({
  format: z.enum(REPORT_FORMATS),
  contentType: z.string(),
  sha256: z.string().meta({ description: 'SHA-256 of the file, also its ETag' }),
  bytes: z.number().int(),
  href: z.string(),
});

export const ReportVersion = z.object({
  programmeId: z.string(),
  kind: z.enum(REPORT_KINDS),
  key: z.string(),
  version: z.number().int(),
  sha256: z.string().meta({ description: 'SHA-256 of the JSON rendition: the identity an approval binds' }),
  sourceSha256: z.string().meta({ description: 'SHA-256 of the data the report was built from' }),
  generatedAt: z.string(),
  artefactVersion: z
    .number()
    .int()
    .optional()
    .meta({ description: 'Version of the SoA, plan or assessment reported on' }),
  created: z
    .boolean()
    .meta({ description: 'False when nothing had changed and the stored version is returned' }),
  files: z.array(ReportFile),
});
const ReportVersionList = z.object({ items: z.array(ReportVersion) });

const Factors = z.object({
  inherentRisk: z.number(),
  regulatoryExposure: z.number(),
  customerTrust: z.number(),
  implementationComplexity: z.number(),
});
const RoadmapGap = z.object({
  rank: z.number().int(),
  requirementId: z.string(),
  title: z.string(),
  kind: z.enum(['clause', 'control']),
  status: z.string(),
  score: z.number().meta({ description: '0-100, higher first; boosted objectives can exceed 100' }),
  factors: Factors,
  weightedFactor: z.number(),
  severity: z.number(),
  boost: z.number(),
  boostedBy: z.array(z.string()),
  reuseFrom27001: z.boolean(),
  planned: z.boolean(),
  tasks: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      owner: z.string(),
      deadline: z.string(),
      status: z.string(),
      overdue: z.boolean(),
    }),
  ),
});
export const Roadmap = z.object({
  scoring: z.object({ weights: Factors, objectiveBoost: z.record(z.string(), z.number()) }),
  summary: z.object({
    gaps: z.number().int(),
    unplanned: z.number().int(),
    openTasks: z.number().int(),
    overdueTasks: z.number().int(),
  }),
  items: z.array(RoadmapGap),
});

export const Catalogue = z
  .object({
    version: z.string(),
    clauses: z.array(z.looseObject({ id: z.string(), title: z.string(), iso27001Shared: z.boolean() })),
    controlGroups: z.array(z.looseObject({ id: z.string(), title: z.string() })),
    controls: z.array(z.looseObject({ id: z.string(), group: z.string(), title: z.string() })),
    annexC: z.object({
      objectives: z.array(z.object({ id: z.string(), name: z.string(), description: z.string() })),
      riskSources: z.array(z.object({ id: z.string(), name: z.string(), description: z.string() })),
    }),
  })
  .meta({ description: 'Clauses 4-10, Annex A and Annex C with profiles for gap analysis' });

/** Any shape: the PDF, XLSX and CSV renditions are bytes, the JSON one is the report as a document. */
const ReportBinary = z.unknown().meta({ description: 'The report as PDF, XLSX or CSV bytes, or as JSON' });

const PlannedTasks = z.object({
  items: z.array(
    z.object({
      rank: z.number().int(),
      requirementId: z.string(),
      score: z.number(),
      taskId: z.string(),
      deadline: z.string(),
    }),
  ),
});

const COMPONENTS = {
  ReportVersion,
  ReportVersionList,
  ReportFile,
  Roadmap,
  RoadmapGap,
  Catalogue,
  ReportBinary,
  PlannedTasks,
};

export interface ReportRouteDeps {
  gateway: AnalysisGateway;
  reports: Pick<ReportRepository, 'list' | 'getFile'>;
  programmes: Pick<ProgrammeRepository, 'listAssessments' | 'listTasks'>;
}

const reportPath = (programmeId: string, kind: ReportKind) => `${programmePath(programmeId)}/reports/${kind}`;

function withLinks(v: ReportVersionSummary): z.input<typeof ReportVersion> {
  const query = (format: string) =>
    `?format=${format}${v.key ? `&key=${encodeURIComponent(v.key)}` : ''}&version=${v.version}`;
  return {
    ...v,
    files: v.files.map((f) => ({ ...f, href: `${reportPath(v.programmeId, v.kind)}${query(f.format)}` })),
  };
}

/** Impact-assessment reports are per AI system; internal audit reports optionally per cycle; the others are one per programme. */
function checkKey(kind: ReportKind, key: string | undefined): string {
  if (takesCycleKey(kind)) {
    if (key !== undefined && !CYCLE_KEY.test(key))
      throw validationProblem([
        { pointer: '/query/key', detail: `${kind} reports take a cycle as key, such as c1` },
      ]);
    return key ?? '';
  }
  if (needsKey(kind) && !key)
    throw validationProblem([
      { pointer: '/query/key', detail: `the AI system id is required for ${kind} reports` },
    ]);
  if (!needsKey(kind) && key)
    throw validationProblem([{ pointer: '/query/key', detail: `${kind} reports have no key` }]);
  return key ?? '';
}

const EXTENSIONS: Record<string, string> = { pdf: 'pdf', xlsx: 'xlsx', csv: 'csv', json: 'json' };

/** The programme's gaps in priority order, from its latest assessments, tasks and scoring settings. */
async function roadmapOf(deps: ReportRouteDeps, ctx: HandlerContext, programmeId: string, now: number) {
  const programme = await requireProgramme(ctx.store, programmeId);
  const [assessments, tasks]: [StoredAssessment[], RoadmapTask[]] = await Promise.all([
    deps.programmes.listAssessments(programmeId),
    deps.programmes.listTasks(programmeId),
  ]);
  const configured = GapScoringConfig.safeParse(
    (programme.config as { gapScoring?: unknown } | undefined)?.gapScoring,
  );
  const scoring = configured.success ? configured.data : undefined;
  const items = prioritiseGaps([...currentAssessments(assessments).values()], tasks, scoring, now);
  return { programme, tasks, scoring, items };
}

export function reportRoutes(deps: ReportRouteDeps): Route[] {
  return [
    defineRoute({
      method: 'get',
      path: '/catalogue',
      operationId: 'getCatalogue',
      access: READERS,
      summary: 'The versioned ISO/IEC 42001 catalogue: clauses, Annex A controls and Annex C',
      tag: TAG,
      components: COMPONENTS,
      params: NoParams,
      query: NoQuery,
      body: NoBody,
      usesDependencies: false,
      success: { status: 200, description: 'The catalogue', schema: Catalogue },
      handle: () => Promise.resolve({ status: 200, body: catalogueDocument() }),
    }),
    defineRoute({
      method: 'get',
      path: '/programmes/{id}/roadmap',
      operationId: 'getRoadmap',
      access: READERS,
      summary: 'Every gap, scored and ordered, with its roadmap tasks (owner, deadline, overdue)',
      tag: TAG,
      components: COMPONENTS,
      params: ProgrammeParams,
      query: NoQuery,
      body: NoBody,
      success: { status: 200, description: 'The prioritised roadmap', schema: Roadmap },
      handle: async ({ params }, ctx) => {
        const now = Date.now();
        const { tasks, scoring, items } = await roadmapOf(deps, ctx, params.id, now);
        const open = tasks.filter((t) => t.status === 'open');
        const body: z.input<typeof Roadmap> = {
          scoring: resolveGapScoring(scoring),
          summary: {
            gaps: items.length,
            unplanned: items.filter((g) => !g.planned).length,
            openTasks: open.length,
            overdueTasks: open.filter((t) => isTaskOverdue(t, now)).length,
          },
          items,
        };
        return { status: 200, body };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/programmes/{id}/roadmap/tasks',
      operationId: 'planRoadmap',
      audit: { action: 'roadmap.planned' },
      access: CONTRIBUTES,
      summary: 'Open a roadmap task for every gap without one, due in priority order',
      description:
        'Each task is an ordinary roadmap-task input, checked by the running stage (409 when it takes none). With an Idempotency-Key, a retry creates no task twice.',
      tag: TAG,
      components: COMPONENTS,
      params: ProgrammeParams,
      query: NoQuery,
      body: RoadmapPlanBody,
      idempotent: true,
      problems: [409],
      // The answer lists the tasks it opened; there is no one created resource to name in Location.
      success: { status: 201, description: 'The tasks opened, highest priority first', schema: PlannedTasks },
      alsoSucceeds: [
        {
          status: 200,
          description: 'Every gap already has a task: nothing opened, items is empty',
          schema: PlannedTasks,
        },
      ],
      handle: async ({ params, body }, ctx) => {
        const start = body.start ?? new Date().toISOString();
        const { items } = await roadmapOf(deps, ctx, params.id, Date.now());
        const planned: z.input<typeof PlannedTasks>['items'] = [];
        for (const gap of items.filter((g) => !g.planned)) {
          const input: StageInput = {
            kind: 'roadmapTask',
            requirementId: gap.requirementId,
            title: `Close the gap on ${gap.requirementId}: ${gap.title}`.slice(0, 300),
            owner: body.owner,
            deadline: addDurationIso(start, body.spacing, planned.length + 1),
          };
          const key = ctx.idempotencyKey ? `${ctx.idempotencyKey}/${gap.requirementId}` : undefined;
          const { accepted, result } = await acceptInput({ ...ctx, idempotencyKey: key }, params.id, input);
          ctx.onInputAccepted?.(params.id, input, accepted);
          planned.push({
            rank: gap.rank,
            requirementId: gap.requirementId,
            score: gap.score,
            taskId: result.recordId ?? '',
            deadline: input.deadline,
          });
        }
        return { status: planned.length > 0 ? 201 : 200, body: { items: planned } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/programmes/{id}/reports/{kind}',
      operationId: 'generateReport',
      audit: { action: 'report.generated' },
      access: READERS,
      summary: 'Generate a report (a new version only when its content changed)',
      description:
        'Runs on the workers; answers with the version and the SHA-256 of every format. 409 when the report cannot be built yet, e.g. no SoA has been submitted.',
      tag: TAG,
      components: COMPONENTS,
      params: ReportKindParams,
      query: ReportGenerateQuery,
      body: NoBody,
      problems: [409],
      success: {
        status: 201,
        description: 'A new version (created: true); Location is its download',
        schema: ReportVersion,
        location: true,
      },
      alsoSucceeds: [
        {
          status: 200,
          description:
            'Nothing changed since the stored version (created: false), which is returned; Location is its download',
          schema: ReportVersion,
          location: true,
        },
      ],
      handle: async ({ params, query }, ctx) => {
        const key = checkKey(params.kind, query.key);
        const programme = await requireProgramme(ctx.store, params.id);
        const version = await deps.gateway.generateReport(
          { programmeId: params.id, kind: params.kind, key },
          programme.workflowId,
        );
        const linked = withLinks(version);
        return {
          status: version.created ? 201 : 200,
          body: linked,
          location: linked.files.find((f) => f.format === 'pdf')?.href ?? linked.files[0]?.href,
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/programmes/{id}/reports',
      operationId: 'listReports',
      access: READERS,
      summary: 'Every version of every report, with the SHA-256 of each file (for binding approvals)',
      tag: TAG,
      components: COMPONENTS,
      params: ProgrammeParams,
      query: NoQuery,
      body: NoBody,
      success: {
        status: 200,
        description: 'Report versions, newest first per report',
        schema: ReportVersionList,
      },
      handle: async ({ params }, ctx) => {
        await requireProgramme(ctx.store, params.id);
        return { status: 200, body: { items: (await deps.reports.list(params.id)).map(withLinks) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/programmes/{id}/reports/{kind}',
      operationId: 'downloadReport',
      access: READERS,
      summary: 'Download a report version as PDF, XLSX, CSV or JSON',
      description:
        'ETag is the SHA-256 of the body (hex); Digest and Repr-Digest carry it base64-encoded; X-Report-Version and X-Report-Sha256 identify the version.',
      tag: TAG,
      components: COMPONENTS,
      params: ReportKindParams,
      query: ReportDownloadQuery,
      body: NoBody,
      // Each format comes as its own media type.
      responseContentType: [...new Set(Object.values(CONTENT_TYPES).map((type) => type.split(';')[0]))],
      success: { status: 200, description: 'The report file', schema: ReportBinary },
      handle: async ({ params, query }, ctx) => {
        const key = checkKey(params.kind, query.key);
        const formats = REPORTS[params.kind].formats;
        if (!formats.includes(query.format)) {
          throw validationProblem([
            {
              pointer: '/query/format',
              detail: `${params.kind} reports come as ${formats.join(', ')}`,
            },
          ]);
        }
        await requireProgramme(ctx.store, params.id);
        const file = await deps.reports.getFile(params.id, params.kind, key, query.format, query.version);
        if (!file) {
          const which = `${params.kind}${key ? ` ${key}` : ''}${query.version ? ` version ${query.version}` : ''}`;
          throw new HttpProblem(
            'not-found',
            `Programme ${params.id} has no ${which} report; generate it first.`,
          );
        }
        const base64 = Buffer.from(file.sha256, 'hex').toString('base64');
        const name = `${params.kind}${key ? `-${key}` : ''}-v${file.version.version}.${EXTENSIONS[file.format]}`;
        return {
          status: 200,
          body: null,
          raw: {
            contentType: CONTENT_TYPES[file.format],
            data: file.content,
            headers: {
              'Content-Disposition': `attachment; filename="${name}"`,
              ETag: `"${file.sha256}"`,
              Digest: `sha-256=${base64}`,
              'Repr-Digest': `sha-256=:${base64}:`,
              'X-Report-Version': String(file.version.version),
              'X-Report-Sha256': file.version.sha256,
              // A numbered version never changes; "the newest" does.
              'Cache-Control': query.version ? 'private, max-age=31536000, immutable' : 'no-cache',
            },
          },
        };
      },
    }),
  ];
}

/** The report kinds kept one per AI system, each for the records of one input kind (impact assessments). */
const PER_SYSTEM_REPORTS = REPORT_KINDS.flatMap((kind) => {
  const keying = REPORTS[kind].key;
  return keying.per === 'aiSystem' ? [{ kind, input: keying.input }] : [];
});

/**
 * After an input with a per-system report is accepted (an impact assessment): generate the
 * report of the AI system it names. Fire and forget: a failure is logged, the input stays
 * accepted, and the report can still be generated through the API. (The reports approval gates
 * decide on are generated by the stage when its request goes out.)
 */
export function reportsOnInput(
  gateway: AnalysisGateway,
  workflowIdOf: (programmeId: string) => Promise<string | undefined>,
  log: (err: unknown, programmeId: string) => void,
) {
  return (programmeId: string, input: StageInput, result: InputAccepted): void => {
    const kinds = PER_SYSTEM_REPORTS.filter((r) => r.input === input.kind).map((r) => r.kind);
    if (kinds.length === 0 || !('aiSystemId' in input)) return;
    const key = input.aiSystemId;
    void (async () => {
      const workflowId = await workflowIdOf(programmeId);
      if (!workflowId) return;
      for (const kind of kinds)
        await gateway.requestReport(
          { programmeId, kind, key },
          workflowId,
          `submitted-${result.stepKey}-${Date.now()}`,
        );
    })().catch((err: unknown) => log(err, programmeId));
  };
}
