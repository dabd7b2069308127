/**
 * Lays each report model out as a ReportDocument: the sections a person reads in the PDF, the
 * sheets of the working XLSX, the CSV list and the JSON data. Each kind's layout is in its
 * module in kinds/; wording is ours, every number comes from the model.
 */
import type { ReportDocument, ReportStamp } from './document';
import { reportBuilder, type ReportModel } from './kinds';

export { STATUS_LABELS } from './document-parts';

/** `key` names the report instance (AI system, cycle); '' when the kind has one per programme. */
export function toDocument(model: ReportModel, stamp: ReportStamp, key = ''): ReportDocument {
  return reportBuilder(model.kind).document(model, stamp, key);
}
