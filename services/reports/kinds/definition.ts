/**
 * What the services know about one report kind: the records it reads, how its model (the
 * content) is built from them, and how the model is laid out as a ReportDocument. The facts of
 * a kind (title, formats, key, ...) are in domain/report-kinds.ts; the table of builders is
 * index.ts.
 */
import type { ReportKind } from '../../../domain/report-kinds';
import type { ReportDocument, ReportStamp } from '../document';
import type { ReportSources } from '../sources';

/**
 * Records a kind reads besides the common ones (programme, assessments, tasks, decisions,
 * scope, SoA, risk treatment plan, inventory); generator.ts gathers them.
 * - impactAssessment: the impact assessment the report key names
 * - auditRecords: audits, findings, the evidence register and the management review
 * - auditProgramme: the audit programme of the cycle reported on
 * - reviewInputs: the inputs of the latest management review, compiled as they stood then
 */
export type ReportRead = 'impactAssessment' | 'auditRecords' | 'auditProgramme' | 'reviewInputs';

export interface ReportKindBuilder<M extends { kind: ReportKind }> {
  reads: readonly ReportRead[];
  /**
   * The report's content: pure, so the same records give the same model. `key` names the
   * report instance (AI system, cycle); '' when the kind has one per programme.
   * @throws ReportUnavailableError when the records for the report do not exist yet
   */
  model(s: ReportSources, key: string): M;
  document(model: M, stamp: ReportStamp, key: string): ReportDocument;
  /** The artefact version the report is on, which approvals bind; none for a report of many records. */
  artefactVersion?(model: M): number;
}
