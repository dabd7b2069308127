/**
 * THE table of report builders: for each report kind, the records it reads, its model and its
 * document (one module per kind). Typed by `ReportKind`, so a kind named in
 * domain/report-kinds.ts without its builder (or the reverse) does not compile. The generator,
 * buildModel (../models.ts) and toDocument (../documents.ts) all dispatch through it.
 */
import type { ReportKind } from '../../../domain/report-kinds';
import type { ReportKindBuilder } from './definition';
import { gapAnalysis } from './gap-analysis';
import { impactAssessment } from './impact-assessment';
import { internalAudit } from './internal-audit';
import { inventory } from './inventory';
import { managementReview } from './management-review';
import { riskTreatmentPlan } from './risk-treatment-plan';
import { soa } from './soa';

export type { ReportKindBuilder, ReportRead } from './definition';

export const REPORT_BUILDERS = {
  inventory,
  'gap-analysis': gapAnalysis,
  soa,
  'risk-treatment-plan': riskTreatmentPlan,
  'impact-assessment': impactAssessment,
  'internal-audit': internalAudit,
  'management-review': managementReview,
} satisfies { [K in ReportKind]: ReportKindBuilder<{ kind: K }> };

type Builders = typeof REPORT_BUILDERS;

/** The model of a report of kind K. */
export type ModelOf<K extends ReportKind> = ReturnType<Builders[K]['model']>;
export type ReportModel = { [K in ReportKind]: ModelOf<K> }[ReportKind];

/** The table seen through one kind-agnostic interface, for code that dispatches on `kind`. */
export const reportBuilder = (kind: ReportKind): ReportKindBuilder<ReportModel> => REPORT_BUILDERS[kind];
