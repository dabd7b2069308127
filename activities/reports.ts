/**
 * The report activity: generation itself lives in services/reports/generator.ts; this adapter
 * heartbeats between its phases and turns "the records for it do not exist yet" into a
 * non-retryable failure (retrying cannot create the records), which the API answers with 409.
 */
import { asyncLocalStorage } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ReportActivities } from '../domain/contracts/analysis';
import { REPORT_UNAVAILABLE } from '../domain/report-kinds';
import {
  createReportGenerator,
  ReportUnavailableError,
  type ReportGeneratorDeps,
} from '../services/reports/generator';

export function createReportActivities(deps: Omit<ReportGeneratorDeps, 'heartbeat'>): ReportActivities {
  const generator = createReportGenerator({
    ...deps,
    heartbeat: () => asyncLocalStorage.getStore()?.heartbeat(),
  });
  return {
    async generateReport(input) {
      try {
        return await generator.generate(input);
      } catch (err) {
        if (err instanceof ReportUnavailableError)
          throw ApplicationFailure.nonRetryable(err.message, REPORT_UNAVAILABLE);
        throw err;
      }
    },
  };
}
