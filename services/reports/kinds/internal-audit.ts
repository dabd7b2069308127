/** The internal audit report of a cycle (clause 9.2, with the corrective actions of 10.2). */
import { internalAuditDocument, internalAuditModel, type InternalAuditModel } from '../audit-reports';
import { auditSources, orUnavailable } from './audit-sources';
import type { ReportKindBuilder } from './definition';

export const internalAudit: ReportKindBuilder<InternalAuditModel> = {
  reads: ['auditRecords', 'auditProgramme'],
  model: (s, key) => orUnavailable(() => internalAuditModel(auditSources(s), key)),
  document: (model, stamp, key) => internalAuditDocument(model, key, stamp),
};
