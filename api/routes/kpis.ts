/** KPI time series, on-demand snapshots, and the readiness score with its reasons. */
import { CONTRIBUTES, READERS } from '../../domain/roles';
import { z } from 'zod';
import type { KpiService } from '../../services/kpi/service';
import { requireProgramme } from '../handlers';
import { ProgrammeParams } from '../params';
import { defineRoute, type Route } from '../route';
import { NoBody, NoQuery } from '../validate';

const TAG = 'KPIs and readiness';
const ratio = z.number().min(0).max(1).nullable();

const Kpis = z.object({
  inventoryCompleteness: ratio.meta({
    description:
      'Active AI systems with a complete record (registered, purpose, owner, life-cycle stage, impact assessment when in scope) over all active systems',
  }),
  impactAssessmentCoverage: ratio,
  soaImplementationRate: ratio,
  evidenceCoverage: ratio,
  openNonconformities: z.number().int(),
  openCorrectiveActions: z
    .number()
    .int()
    .optional()
    .meta({ description: 'Nonconformities with a planned corrective action not yet verified' }),
  overdueCorrectiveActions: z.number().int(),
  medianOpenNcAgeDays: z.number().nullable(),
  oldestOpenNcAgeDays: z.number().nullable().optional(),
  openRoadmapTasks: z.number().int(),
  overdueRoadmapTasks: z.number().int(),
  auditProgrammeCompletion: z.number(),
  overdueApprovals: z.number().int().nullable(),
});
/** A programme's readiness for certification (not the service's: that is /readyz). */
const ProgrammeReadiness = z.object({
  score: z.number().int().min(0).max(100),
  stage1Blockers: z.array(z.string()),
  stage2Blockers: z.array(z.string()),
  closingRatePerWeek: z.number(),
  forecastReadyOn: z.string().nullable(),
});
const KpiSnapshot = z.object({
  id: z.string(),
  cycle: z.number().int(),
  trigger: z.enum(['schedule', 'on_demand']),
  takenAt: z.string(),
  kpis: Kpis,
  readiness: ProgrammeReadiness,
});
const KpiSeries = z.object({ items: z.array(KpiSnapshot) });
const ReviewInputs = z.object({
  previousActions: z.array(
    z.object({
      topic: z.string(),
      decision: z.string(),
      owner: z.string().optional(),
      due: z.string().optional(),
      overdue: z.boolean(),
    }),
  ),
  contextChanges: z.object({
    scopeVersions: z.number().int(),
    aiSystemsAdded: z.array(z.string()),
    aiSystemsRemoved: z.array(z.string()),
    interestedPartiesAdded: z.array(z.string()),
    issuesAdded: z.array(z.string()),
  }),
  performance: z.object({
    latestKpis: Kpis.nullable(),
    kpiTrend: z.array(
      z.object({ takenAt: z.string(), openNonconformities: z.number(), soaImplementationRate: ratio }),
    ),
    nonconformitiesByAudit: z.array(
      z.object({
        audit: z.string(),
        auditId: z.string(),
        minor: z.number(),
        major: z.number(),
        open: z.number(),
      }),
    ),
    correctiveActions: z.object({ planned: z.number(), verified: z.number(), overdue: z.number() }),
    roadmap: z.object({ open: z.number(), done: z.number(), riskAccepted: z.number() }),
  }),
  improvementOpportunities: z.array(
    z.object({ findingId: z.string(), requirementId: z.string(), description: z.string() }),
  ),
});
const COMPONENTS = { Kpis, ProgrammeReadiness, KpiSnapshot, KpiSeries, ManagementReviewInputs: ReviewInputs };

export function kpiRoutes(service: KpiService, now: () => number = Date.now): Route[] {
  const common = { tag: TAG, components: COMPONENTS, params: ProgrammeParams, query: NoQuery, body: NoBody };
  return [
    defineRoute({
      ...common,
      method: 'get',
      path: '/programmes/{id}/kpis',
      operationId: 'listKpiSnapshots',
      access: READERS,
      summary: 'KPI snapshots over time (quarterly by default, plus on-demand ones)',
      success: { status: 200, description: 'Time series', schema: KpiSeries },
      handle: async ({ params }, ctx) => {
        await requireProgramme(ctx.store, params.id);
        const items = (await service.list(params.id)).map(({ programmeId: _p, ...s }) => s);
        return { status: 200, body: { items } };
      },
    }),
    defineRoute({
      ...common,
      method: 'post',
      path: '/programmes/{id}/kpis',
      operationId: 'takeKpiSnapshot',
      audit: { action: 'kpi.snapshot.taken' },
      access: CONTRIBUTES,
      summary: 'Take a KPI snapshot now',
      success: { status: 201, description: 'The snapshot', schema: KpiSnapshot },
      handle: async ({ params }, ctx) => {
        await requireProgramme(ctx.store, params.id);
        const at = now();
        const snapshot = await service.snapshot(
          params.id,
          `on-demand/${new Date(at).toISOString()}/${ctx.newId()}`,
          'on_demand',
          at,
        );
        const { programmeId: _p, ...body } = snapshot as NonNullable<typeof snapshot>;
        return { status: 201, body };
      },
    }),
    defineRoute({
      ...common,
      method: 'get',
      path: '/programmes/{id}/management-review/inputs',
      operationId: 'managementReviewInputs',
      access: READERS,
      summary:
        'Inputs for the management review, compiled from the records (actions, context, performance, OFIs)',
      success: { status: 200, description: 'Review inputs', schema: ReviewInputs },
      handle: async ({ params }, ctx) => {
        await requireProgramme(ctx.store, params.id);
        return { status: 200, body: await service.reviewInputs(params.id, now()) };
      },
    }),
    defineRoute({
      ...common,
      method: 'get',
      path: '/programmes/{id}/readiness',
      operationId: 'readiness',
      access: READERS,
      summary: 'Readiness score, what blocks stage 1 and stage 2, and a forecast date',
      success: { status: 200, description: 'Readiness', schema: ProgrammeReadiness },
      handle: async ({ params }, ctx) => {
        await requireProgramme(ctx.store, params.id);
        const report = await service.compute(params.id, now());
        return { status: 200, body: report?.readiness };
      },
    }),
  ];
}
