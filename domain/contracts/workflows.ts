/**
 * The workflows as the API and the tests start them: their names, inputs and results. The
 * implementations in workflows/ are checked against these signatures (workflows/index.ts), so
 * the API can start a workflow without importing workflow code.
 */
import type { ProgrammeView, ProgrammeWorkflowInput, StageOutcome, StageWorkflowInput } from '../types';
import type { InventoryImportFormat } from '../schemas';
import type { GenerateReportInput, ReportVersionSummary, ScanOutcome } from './analysis';

export type ScanSource =
  | { kind: 'scan'; path: string; inScope: boolean }
  | { kind: 'import'; format: InventoryImportFormat; content: string; register: string };

export interface InventoryScanInput {
  programmeId: string;
  /** The programme workflow to tell about new AI systems in scope. */
  programmeWorkflowId: string;
  scanId: string;
  source: ScanSource;
}

export interface KpiScheduleInput {
  programmeId: string;
  interval: string;
  /** Snapshots taken by earlier runs; numbers the snapshot ids. */
  taken?: number;
}

export interface WorkflowSignatures {
  programmeWorkflow: (input: ProgrammeWorkflowInput) => Promise<ProgrammeView>;
  stageWorkflow: (input: StageWorkflowInput) => Promise<StageOutcome>;
  inventoryScanWorkflow: (input: InventoryScanInput) => Promise<ScanOutcome>;
  reportWorkflow: (input: GenerateReportInput) => Promise<ReportVersionSummary>;
  kpiScheduleWorkflow: (input: KpiScheduleInput) => Promise<void>;
}

export type ProgrammeWorkflow = WorkflowSignatures['programmeWorkflow'];
export type StageWorkflow = WorkflowSignatures['stageWorkflow'];
export type InventoryScanWorkflow = WorkflowSignatures['inventoryScanWorkflow'];
export type ReportWorkflow = WorkflowSignatures['reportWorkflow'];
export type KpiScheduleWorkflow = WorkflowSignatures['kpiScheduleWorkflow'];
