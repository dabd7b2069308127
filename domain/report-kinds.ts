/**
 * THE table of report kinds: for each kind its title, its formats, how its versions are keyed,
 * the clauses it is the documented information of, and the approvals it backs. Keyed by
 * `ReportKind`, so a kind named in REPORT_KINDS without its definition does not compile; the
 * services build each kind's content through their own table of the same keys
 * (services/reports/kinds/). Also defines how a report version is identified: (programme, kind,
 * key, version), with the SHA-256 of every rendered file and of the report's canonical content.
 * Pure data, also imported by workflows.
 */
import { STEPS } from './process-model';
import type { ArtefactKind, InputKind } from './vocabulary';

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

export const CONTENT_TYPES: Readonly<Record<ReportFormat, string>> = {
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json',
};

/** How the reports of a kind are told apart: the `key` of a report version. */
export type ReportKeying =
  /** One report per programme: no key. */
  | { per: 'programme' }
  /** One per cycle if asked for (key `c2`); without a key, the latest cycle audited. */
  | { per: 'cycle' }
  /**
   * One per AI system (the key is its id, required): one for each stored record of `input`,
   * generated when such an input is accepted.
   */
  | { per: 'aiSystem'; input: InputKind };

export interface ReportKindDefinition {
  title: string;
  /** PDF for people, XLSX/CSV for working lists, JSON for machines. */
  formats: readonly ReportFormat[];
  key: ReportKeying;
  /** Catalogue ids (clauses, Annex A controls) the report is documented information of, as the audit pack lists them. */
  supports: readonly string[];
  /** Where the report comes in the audit pack, ascending. */
  packOrder: number;
  /**
   * The artefacts whose approval the report backs: when an approval request for one goes out,
   * the report of that version is generated, and the approval binds it.
   */
  approves: readonly ArtefactKind[];
}

/** THE table of report kinds (content: services/reports/kinds/<kind>.ts). */
export const REPORTS: Readonly<Record<ReportKind, ReportKindDefinition>> = {
  inventory: {
    title: 'AI system inventory',
    formats: REPORT_FORMATS,
    key: { per: 'programme' },
    supports: [],
    packOrder: 4,
    approves: [],
  },
  'gap-analysis': {
    title: 'Gap analysis and roadmap',
    formats: REPORT_FORMATS,
    key: { per: 'programme' },
    supports: [],
    packOrder: 3,
    approves: ['roadmap'],
  },
  soa: {
    title: 'Statement of Applicability',
    formats: REPORT_FORMATS,
    key: { per: 'programme' },
    supports: ['6.1.3'],
    packOrder: 1,
    approves: ['soa'],
  },
  'risk-treatment-plan': {
    title: 'AI risk register and treatment plan',
    formats: REPORT_FORMATS,
    key: { per: 'programme' },
    supports: ['6.1.3', '8.3'],
    packOrder: 2,
    approves: ['riskTreatmentPlan'],
  },
  // An impact assessment is no list: no XLSX or CSV.
  'impact-assessment': {
    title: 'AI system impact assessment',
    formats: ['pdf', 'json'],
    key: { per: 'aiSystem', input: 'impactAssessment' },
    supports: ['6.1.4', '8.4'],
    packOrder: 7,
    approves: [],
  },
  'internal-audit': {
    title: 'Internal audit report',
    formats: ['pdf', 'json'],
    key: { per: 'cycle' },
    supports: ['9.2.1', '9.2.2', '10.2'],
    packOrder: 5,
    approves: [],
  },
  'management-review': {
    title: 'Management review minutes',
    formats: ['pdf', 'json'],
    key: { per: 'programme' },
    supports: ['9.3.1', '9.3.2', '9.3.3'],
    packOrder: 6,
    approves: [],
  },
};

/**
 * The report an approval gate decides on, by gate name (the gates of the process model's
 * approvals, through the artefact each decides on). An approval binds the report version it was
 * shown: (kind, key, version, sha256) as listed by GET /programmes/{id}/reports.
 */
export const REPORT_FOR_GATE: Readonly<Partial<Record<string, ReportKind>>> = Object.fromEntries(
  STEPS.flatMap((step) => step.approvals).flatMap((approval) => {
    const kind = REPORT_KINDS.find((k) => REPORTS[k].approves.includes(approval.artefact));
    return kind ? [[approval.gate, kind] as const] : [];
  }),
);

/** Impact-assessment reports are per AI system: the key is required. */
export const needsKey = (kind: ReportKind): boolean => REPORTS[kind].key.per === 'aiSystem';

/** Internal audit reports can be asked for one cycle (`c2`); without a key, the latest audited cycle. */
export const takesCycleKey = (kind: ReportKind): boolean => REPORTS[kind].key.per === 'cycle';

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
