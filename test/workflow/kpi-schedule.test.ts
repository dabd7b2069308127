/** The KPI clock on the time-skipping server: snapshots on schedule for years, stopping at withdrawal. */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { KpiActivities } from '../../domain/contracts/kpis';
import type { kpiScheduleWorkflow } from '../../workflows';
import { useTimeSkipping } from '../support/temporal';

const temporal = useTimeSkipping();

function recorder(withdrawAfter = Infinity) {
  const calls: { snapshotId: string; at: string }[] = [];
  const activities: KpiActivities = {
    takeKpiSnapshot: ({ snapshotId, at }) => {
      calls.push({ snapshotId, at });
      return Promise.resolve({ status: calls.length >= withdrawAfter ? 'WITHDRAWN' : 'ACTIVE' });
    },
  };
  return { calls, activities };
}

/** Runs one programme's KPI clock on a fresh worker while `check` runs. */
async function withClock(
  activities: KpiActivities,
  programmeId: string,
  check: (handle: WorkflowHandle<typeof kpiScheduleWorkflow>) => Promise<void>,
): Promise<void> {
  const taskQueue = `kpi-${randomUUID()}`;
  const worker = await Worker.create({
    connection: temporal.env.nativeConnection,
    taskQueue,
    workflowBundle: temporal.bundle,
    activities,
  });
  await worker.runUntil(async () => {
    const handle = await temporal.env.client.workflow.start<typeof kpiScheduleWorkflow>(
      'kpiScheduleWorkflow',
      {
        taskQueue,
        workflowId: `programme-${programmeId}/kpis-${randomUUID()}`,
        args: [{ programmeId, interval: 'P3M' }],
      },
    );
    await check(handle);
  });
}

test('quarterly snapshots happen on schedule, each three calendar months after the last', async () => {
  const { calls, activities } = recorder();
  await withClock(activities, 'p1', async (handle) => {
    await temporal.env.sleep('366 days');
    // A year later: the first snapshot plus four quarterly ones.
    expect(calls).toHaveLength(5);
    const months = calls.map((c) => {
      const d = new Date(c.at);
      return d.getUTCFullYear() * 12 + d.getUTCMonth();
    });
    expect(months.slice(1).map((m, i) => m - months[i])).toEqual([3, 3, 3, 3]);
    expect(new Set(calls.map((c) => c.snapshotId)).size).toBe(5);
    await handle.terminate('test over');
  });
});

test('the clock stops once the programme is withdrawn', async () => {
  const { calls, activities } = recorder(2);
  await withClock(activities, 'p2', async (handle) => {
    await handle.result();
    expect(calls).toHaveLength(2);
  });
});
