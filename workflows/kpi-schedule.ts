/**
 * A programme's KPI clock: a snapshot now and then every `interval` (a quarter by default),
 * durable across restarts, until the programme is withdrawn. It runs beside the programme
 * workflow rather than inside it, so the journey's history stays free of it.
 */
import { continueAsNew, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { KpiActivities } from '../domain/contracts/kpis';
import type { KpiScheduleInput } from '../domain/contracts/workflows';
import { addDuration } from '../domain/durations';

const { takeKpiSnapshot } = proxyActivities<KpiActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes' },
});

/** Snapshots per run before continuing as new (ten years of quarters). */
const SNAPSHOTS_PER_RUN = 40;

export async function kpiScheduleWorkflow(input: KpiScheduleInput): Promise<void> {
  let taken = input.taken ?? 0;
  const parentId = workflowInfo().workflowId;
  for (let i = 0; i < SNAPSHOTS_PER_RUN; i++) {
    const at = Date.now();
    const result = await takeKpiSnapshot({
      programmeId: input.programmeId,
      snapshotId: `${parentId}/${++taken}`,
      at: new Date(at).toISOString(),
    });
    if (!result || result.status === 'WITHDRAWN') return;
    await sleep(addDuration(at, input.interval) - at);
  }
  await continueAsNew<typeof kpiScheduleWorkflow>({ ...input, taken });
}
