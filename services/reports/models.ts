/**
 * Report content, built from the programme's records: what each report says, before any
 * layout. Pure and deterministic: the same records give the same model, so its hash tells
 * whether a report needs a new version. Each kind's model is built by its module in kinds/,
 * through the table in kinds/index.ts.
 */
import type { ReportKind } from '../../domain/report-kinds';
import { reportBuilder, type ReportModel } from './kinds';
import type { ReportSources } from './sources';

export type { Approval, Header, StoredArtefactLike } from './model-parts';
export { currentAssessments, ReportUnavailableError, type ReportSources } from './sources';
export type { ModelOf, ReportModel } from './kinds';
export type { GapModel, GroupScore, StatusCounts } from './kinds/gap-analysis';
export type { SoaModel, SoaRow } from './kinds/soa';
export type { RiskRow, RiskTreatmentModel } from './kinds/risk-treatment-plan';
export type { ImpactAssessmentModel } from './kinds/impact-assessment';
export type { InventoryModel } from './kinds/inventory';

/**
 * @param key names the report instance (AI system, cycle); '' when the kind has one per programme
 * @throws ReportUnavailableError when the records for the report do not exist yet
 */
export function buildModel(kind: ReportKind, key: string, s: ReportSources): ReportModel {
  return reportBuilder(kind).model(s, key);
}

/** The artefact version a report reports on, for binding approvals. */
export function artefactVersionOf(model: ReportModel): number | undefined {
  return reportBuilder(model.kind).artefactVersion?.(model);
}
