/** The internal audit report and the management review minutes (../audit-reports.ts) read the same records. */
import { AuditReportUnavailable, type AuditReportSources } from '../audit-reports';
import { reportHeader, ReportUnavailableError, type ReportSources } from '../sources';

export function auditSources(s: ReportSources): AuditReportSources {
  return {
    header: reportHeader(s),
    cycle: s.cycle ?? 1,
    audits: s.audits ?? [],
    findings: s.findings ?? [],
    evidence: s.evidence ?? [],
    ...(s.soa ? { soa: s.soa } : {}),
    ...(s.managementReview ? { managementReview: s.managementReview } : {}),
    ...(s.auditProgramme ? { auditProgramme: s.auditProgramme } : {}),
    ...(s.reviewInputs ? { reviewInputs: s.reviewInputs } : {}),
    now: s.now,
  };
}

/** Builds an audit report, answering a missing record as every report does. */
export function orUnavailable<T>(build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (err instanceof AuditReportUnavailable) throw new ReportUnavailableError(err.message);
    throw err;
  }
}
