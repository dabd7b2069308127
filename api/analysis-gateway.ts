/**
 * What the inventory and report routes need from the workflow engine: start a scan, run an
 * import or a report generation to its end, or request a report without waiting. The Temporal
 * implementation maps a report that cannot be built yet to a ConflictError (409).
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowIdReusePolicy } from '@temporalio/common';
import type { GenerateReportInput, ReportVersionSummary, ScanSummary } from '../domain/contracts/analysis';
import { REPORT_UNAVAILABLE } from '../domain/report-kinds';
import type { InventoryScanInput } from '../domain/contracts/workflows';
import type { InventoryScanWorkflow, ReportWorkflow } from '../domain/contracts/workflows';
import { ConflictError } from './programme-gateway';

export interface AnalysisGateway {
  /** Starts the scan workflow and returns at once; the scan row tracks progress. */
  startScan(input: InventoryScanInput): Promise<void>;
  /** Runs an import to its end (imports are quick) and returns what changed. */
  runImport(input: InventoryScanInput): Promise<ScanSummary>;
  /** @throws ConflictError when the report cannot be built yet (e.g. no SoA) */
  generateReport(input: GenerateReportInput, programmeWorkflowId: string): Promise<ReportVersionSummary>;
  /**
   * Starts a generation without waiting, once per `occasion` (e.g. "soa v3 submitted"): asking
   * again for the same occasion does nothing.
   */
  requestReport(input: GenerateReportInput, programmeWorkflowId: string, occasion: string): Promise<void>;
}

function unavailableReason(err: unknown): string | undefined {
  if (!(err instanceof WorkflowFailedError)) return undefined;
  let cause: unknown = err.cause;
  // The activity's failure arrives wrapped in an ActivityFailure.
  while (cause instanceof Error) {
    if (cause instanceof ApplicationFailure && cause.type === REPORT_UNAVAILABLE) return cause.message;
    cause = cause.cause;
  }
  return undefined;
}

const reportWorkflowId = (programmeWorkflowId: string, input: GenerateReportInput, suffix: string) =>
  `${programmeWorkflowId}/report/${input.kind}/${input.key || '-'}/${suffix}`;

export class TemporalAnalysisGateway implements AnalysisGateway {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly newId: () => string,
  ) {}

  private scanWorkflowId(input: InventoryScanInput): string {
    return `${input.programmeWorkflowId}/${input.source.kind}/${input.scanId}`;
  }

  async startScan(input: InventoryScanInput): Promise<void> {
    await this.client.workflow.start<InventoryScanWorkflow>('inventoryScanWorkflow', {
      taskQueue: this.taskQueue,
      workflowId: this.scanWorkflowId(input),
      args: [input],
      staticSummary: `Inventory scan ${input.scanId}`,
    });
  }

  runImport(input: InventoryScanInput): Promise<ScanSummary> {
    return this.client.workflow.execute<InventoryScanWorkflow>('inventoryScanWorkflow', {
      taskQueue: this.taskQueue,
      workflowId: this.scanWorkflowId(input),
      args: [input],
      staticSummary: `Inventory import ${input.scanId}`,
    });
  }

  async generateReport(
    input: GenerateReportInput,
    programmeWorkflowId: string,
  ): Promise<ReportVersionSummary> {
    try {
      return await this.client.workflow.execute<ReportWorkflow>('reportWorkflow', {
        taskQueue: this.taskQueue,
        workflowId: reportWorkflowId(programmeWorkflowId, input, this.newId()),
        args: [input],
      });
    } catch (err) {
      const reason = unavailableReason(err);
      if (reason) throw new ConflictError(reason);
      throw err;
    }
  }

  async requestReport(
    input: GenerateReportInput,
    programmeWorkflowId: string,
    occasion: string,
  ): Promise<void> {
    try {
      await this.client.workflow.start<ReportWorkflow>('reportWorkflow', {
        taskQueue: this.taskQueue,
        workflowId: reportWorkflowId(programmeWorkflowId, input, occasion),
        // One generation per occasion, even after the first has finished.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        args: [input],
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return;
      throw err;
    }
  }
}
