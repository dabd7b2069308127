/**
 * One inventory scan or import, started by the API. The scan activity heartbeats its progress
 * and, retried after a crash or a lost worker, resumes after its last checkpoint; the findings
 * are then applied to the inventory in one transaction. New AI systems in scope are signalled
 * to the programme, whose running stage opens an impact-assessment task for each. A failure is
 * recorded on the scan before the workflow fails, so the API can report it.
 */
import {
  ApplicationFailure,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  proxyActivities,
} from '@temporalio/workflow';
import type { InventoryActivities, ScanSummary } from '../domain/contracts/analysis';
import type { InventoryScanInput } from '../domain/contracts/workflows';
import { aiSystemsDiscoveredSignal } from '../domain/messages';

/** Failure types that no retry can fix. */
const NON_RETRYABLE = ['ScanRejected'];

const { scanSource } = proxyActivities<InventoryActivities>({
  startToCloseTimeout: '2 hours',
  // A worker that dies mid-scan is noticed within this; the retry resumes from its checkpoint.
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '30 seconds',
    maximumAttempts: 10,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

const { applyScan, applyImport, failScan } = proxyActivities<InventoryActivities>({
  startToCloseTimeout: '5 minutes',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '30 seconds',
    maximumAttempts: 10,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

function describe(err: unknown): string {
  if (err instanceof ApplicationFailure || err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${err.message}${cause}`;
  }
  return String(err);
}

export async function inventoryScanWorkflow(input: InventoryScanInput): Promise<ScanSummary> {
  const { programmeId, scanId, source } = input;
  let outcome: ScanSummary;
  try {
    if (source.kind === 'scan') {
      const scanned = await scanSource({ programmeId, scanId, path: source.path });
      outcome = await applyScan({ programmeId, scanId, inScope: source.inScope, scanned });
    } else {
      outcome = await applyImport({
        programmeId,
        scanId,
        format: source.format,
        content: source.content,
        register: source.register,
      });
    }
  } catch (err) {
    if (!isCancellation(err)) await failScan({ programmeId, scanId, error: describe(err) });
    throw err;
  }
  if (outcome.newInScope > 0) {
    try {
      // The stage reads the systems from the scan's record.
      await getExternalWorkflowHandle(input.programmeWorkflowId).signal(aiSystemsDiscoveredSignal, {
        scanId,
      });
    } catch (err) {
      // A withdrawn or finished programme has no stage to plan impact assessments in.
      if (isCancellation(err)) throw err;
      log.warn('programme did not take the discovered AI systems', { programmeId, error: describe(err) });
    }
  }
  return outcome;
}
