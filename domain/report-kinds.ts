/**
 * The reports auditors ask for, the formats each comes in, and how a report version is
 * identified: (programme, kind, key, version), with the SHA-256 of every rendered file and of
 * the report's canonical content. Pure data, also imported (as types) by workflows.
 */

export const REPORT_KINDS = [
  'inventory',
  'gap-analysis',
  'soa',
  'risk-treatment-plan',
  'impact-assessment',
  'internal-audit',
  'management-review',
] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export const REPORT_FORMATS = ['pdf', 'xlsx', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** PDF for people, XLSX/CSV for working lists, JSON for machines; an impact assessment is no list. */
export const FORMATS_OF: Readonly<Record<ReportKind, readonly ReportFormat[]>> = {
  inventory: REPORT_FORMATS,
  'gap-analysis': REPORT_FORMATS,
  soa: REPORT_FORMATS,
  'risk-treatment-plan': REPORT_FORMATS,
  'impact-assessment': ['pdf', 'json'],
  'internal-audit': ['pdf', 'json'],
  'management-review': ['pdf', 'json'],
};

export const CONTENT_TYPES: Readonly<Record<ReportFormat, string>> = {
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json',
};

export const REPORT_TITLES: Readonly<Record<ReportKind, string>> = {
  inventory: 'AI system inventory',
  'gap-analysis': 'Gap analysis and roadmap',
  soa: 'Statement of Applicability',
  'risk-treatment-plan': 'AI risk register and treatment plan',
  'impact-assessment': 'AI system impact assessment',
  'internal-audit': 'Internal audit report',
  'management-review': 'Management review minutes',
};

/**
 * The report an approval gate decides on. An approval binds the report version it was shown:
 * (kind, key, version, sha256) as listed by GET /programmes/{id}/reports.
 */
export const REPORT_FOR_GATE: Readonly<Record<string, ReportKind>> = {
  roadmap: 'gap-analysis',
  soa: 'soa',
  risk_treatment_plan: 'risk-treatment-plan',
};

export const needsKey = (kind: ReportKind): boolean => kind === 'impact-assessment';

/** Internal audit reports can be asked for one cycle (`c2`); without a key, the latest audited cycle. */
export const takesCycleKey = (kind: ReportKind): boolean => kind === 'internal-audit';

/** `c<n>` names cycle n. */
export const CYCLE_KEY = /^c([1-9][0-9]{0,3})$/;

export interface ReportFileSummary {
  format: ReportFormat;
  contentType: string;
  sha256: string;
  bytes: number;
}

export interface ReportVersionSummary {
  programmeId: string;
  kind: ReportKind;
  key: string;
  version: number;
  /** SHA-256 of the JSON rendition: the identity of this version's content. */
  sha256: string;
  /** SHA-256 of the data the report was built from; a new version is made only when it changes. */
  sourceSha256: string;
  generatedAt: string;
  /** The artefact version reported on (SoA, risk treatment plan, impact assessment), if any. */
  artefactVersion?: number;
  /** False when the data had not changed and the existing version was returned. */
  created: boolean;
  files: ReportFileSummary[];
}

/** The failure type of a report whose records do not exist yet; the API answers it with 409. */
export const REPORT_UNAVAILABLE = 'ReportUnavailable';
