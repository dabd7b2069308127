/**
 * Generates one report: a single activity that stores a new version only when the content
 * changed. A workflow rather than a call from the API so that report generation runs on the
 * workers, retried, and appears in the programme's Temporal history.
 */
import { proxyActivities } from '@temporalio/workflow';
import type {
  GenerateReportInput,
  ReportActivities,
  ReportVersionSummary,
} from '../domain/contracts/analysis';

const { generateReport } = proxyActivities<ReportActivities>({
  startToCloseTimeout: '5 minutes',
  // The activity heartbeats between its phases: a worker that dies mid-report is noticed within
  // this, not after the whole start-to-close timeout. (Timeouts are not part of the history's
  // command matching, so this needs no patch: generations already scheduled keep theirs.)
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '30 seconds',
    maximumAttempts: 5,
    nonRetryableErrorTypes: ['ReportUnavailable'],
  },
});

export async function reportWorkflow(input: GenerateReportInput): Promise<ReportVersionSummary> {
  return generateReport(input);
}
