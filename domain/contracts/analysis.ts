/**
 * Activities of the inventory and report workflows. Workflows import this file with
 * `import type` only; the implementations (inventory.ts, reports.ts) do the I/O.
 */
import type { ScanSummary, SkippedEntry } from '../inventory/types';
import type { ReportKind, ReportVersionSummary } from '../report-kinds';
import type { InventoryImportFormat } from '../vocabulary';
import type { BodyRef } from './persistence';

export type { ScanOutcome, ScanSummary } from '../inventory/types';
export type { ReportVersionSummary } from '../report-kinds';

export interface ScanSourceInput {
  programmeId: string;
  scanId: string;
  /** The real path the API resolved inside a scan root; the activity checks it again. */
  path: string;
}

export interface ScanSourceResult {
  /** The scanned directory's name: it names the system of findings outside any project. */
  rootName: string;
  filesSeen: number;
  filesScanned: number;
  /** Files this attempt processed (fewer than filesScanned when it resumed from a checkpoint). */
  filesScannedThisAttempt: number;
  findings: number;
  skipped: SkippedEntry[];
  attempt: number;
  /** The checkpoint cursor this attempt resumed after, if any. */
  resumedFrom?: string;
}

export interface ApplyScanInput {
  programmeId: string;
  scanId: string;
  inScope: boolean;
  scanned: ScanSourceResult;
}

export interface ApplyImportInput {
  programmeId: string;
  scanId: string;
  format: InventoryImportFormat;
  /** The register's content, stored by the API (an import may be close to a megabyte). */
  content: BodyRef;
  register: string;
}

export interface InventoryActivities {
  /** Walks the tree with heartbeats; resumes after the last checkpoint on a retry. */
  scanSource(input: ScanSourceInput): Promise<ScanSourceResult>;
  /** Turns the scan's stored findings into AI systems and applies them to the inventory. */
  applyScan(input: ApplyScanInput): Promise<ScanSummary>;
  applyImport(input: ApplyImportInput): Promise<ScanSummary>;
  failScan(input: { programmeId: string; scanId: string; error: string }): Promise<void>;
}

export interface GenerateReportInput {
  programmeId: string;
  kind: ReportKind;
  /** The AI system id for impact assessments; '' for the other kinds. */
  key: string;
}

export interface ReportActivities {
  /** Builds every format of the report; stores a new version only when its content changed. */
  generateReport(input: GenerateReportInput): Promise<ReportVersionSummary>;
}
