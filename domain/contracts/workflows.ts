/**
 * The workflows as the API and the tests start them: their names, inputs and results. The
 * implementations in workflows/ are checked against these signatures (workflows/index.ts), so
 * the API can start a workflow without importing workflow code.
 */
import type { ApprovalRequest } from '../approvals';
import type { AuditAnchor } from '../audit-chain';
import type { ProgrammeConfig } from '../config';
import type { InventoryImportFormat } from '../vocabulary';
import type { BodyRef } from './persistence';
import type { CertificateFacts, ProgrammeView } from '../views';
import type { StepId } from '../vocabulary';
import type { GenerateReportInput, ReportVersionSummary, ScanSummary } from './analysis';

export type ScanSource =
  | { kind: 'scan'; path: string; inScope: boolean }
  /** The register's content is stored by the API: an import may be close to a megabyte. */
  | { kind: 'import'; format: InventoryImportFormat; content: BodyRef; register: string };

export interface ProgrammeWorkflowInput {
  programmeId: string;
  organisation: string;
  name: string;
  config: ProgrammeConfig;
  /** Present when continuing as new into a later cycle. */
  resume?: { cycle: number; step: StepId; certificate?: CertificateFacts };
  /** The audit trail's latest anchors, carried from run to run (workflows/audit-anchor.ts). */
  auditAnchors?: AuditAnchor[];
}

/**
 * One step of the journey. Its facts come from the database, not from this input, so the input
 * stays the same size however large the programme grows.
 */
export interface StageWorkflowInput {
  programmeId: string;
  step: StepId;
  /** `c<cycle>.<STEP>.<visit>`: the child's workflow id ends with it. */
  stepKey: string;
  /** Present when the stage continued as new to keep its history short. */
  resume?: StageCarry;
}

/** What a stage carries across its own continue-as-new: the open approval requests. */
export interface StageCarry {
  requests: ApprovalRequest[];
  /** Roadmap versions edited but not yet sent for approval: when their request falls due. */
  settling: Record<string, string>;
  /** Runs of this stage so far (the first is 1). */
  run: number;
}

export type StageOutcome =
  | { type: 'completed'; cycle: number; certificate?: CertificateFacts }
  /** The stage could not complete and the journey goes back to an earlier step. */
  | { type: 'loopBack'; to: StepId; reason: string; cycle: number; certificate?: CertificateFacts };

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
  inventoryScanWorkflow: (input: InventoryScanInput) => Promise<ScanSummary>;
  reportWorkflow: (input: GenerateReportInput) => Promise<ReportVersionSummary>;
  kpiScheduleWorkflow: (input: KpiScheduleInput) => Promise<void>;
}

export type ProgrammeWorkflow = WorkflowSignatures['programmeWorkflow'];
export type StageWorkflow = WorkflowSignatures['stageWorkflow'];
export type InventoryScanWorkflow = WorkflowSignatures['inventoryScanWorkflow'];
export type ReportWorkflow = WorkflowSignatures['reportWorkflow'];
export type KpiScheduleWorkflow = WorkflowSignatures['kpiScheduleWorkflow'];
