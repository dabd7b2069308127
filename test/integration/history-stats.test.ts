/**
 * bench/history-stats.ts on a real dev server: a programme driven through scoping into gap
 * analysis (far enough for a stage to start an approval report) is measured, and every figure
 * is checked against the histories read independently here.
 */
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { formatBytes, programmeHistoryStats, type HistoryStats } from '../../bench/history-stats';
import { testDatabases } from '../support/databases';
import { http, HttpJourneyPort, runToRoadmapRequest } from '../support/http-port';
import { useStack } from '../support/stack';
import { useLocalTemporal } from '../support/temporal';

const server = useLocalTemporal();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every workflow id of the programme that visibility lists, with its run ids. */
async function listed(client: Client, workflowId: string): Promise<Map<string, string[]>> {
  const ids = new Map<string, string[]>();
  const query = `WorkflowId = '${workflowId}' OR WorkflowId STARTS_WITH '${workflowId}/'`;
  for await (const w of client.workflow.list({ query }))
    ids.set(w.workflowId, [...(ids.get(w.workflowId) ?? []), w.runId]);
  return ids;
}

/**
 * Waits until no workflow of the programme has a workflow task or activity in flight and no
 * history grew between two looks: then the histories hold still while they are measured.
 */
async function settle(client: Client, workflowId: string): Promise<void> {
  let previous = '';
  for (let i = 0; i < 300; i++) {
    const states = await Promise.all(
      [...(await listed(client, workflowId)).keys()].sort().map(async (id) => {
        const d = await client.workflow.getHandle(id).describe();
        const busy =
          d.status.name === 'RUNNING' &&
          ((d.raw.pendingActivities?.length ?? 0) > 0 || !!d.raw.pendingWorkflowTask);
        return { id, runId: d.runId, events: d.historyLength, status: d.status.name, busy };
      }),
    );
    const now = JSON.stringify(states);
    if (now === previous && states.every((s) => !s.busy)) return;
    previous = now;
    await sleep(250);
  }
  throw new Error(`workflows of ${workflowId} did not settle: ${previous}`);
}

/** The largest Payload of a history, read from its proto JSON form (base64), not from the objects. */
function largestPayloadFromJson(history: temporal.api.history.v1.IHistory): number {
  let largest = 0;
  const walk = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach(walk);
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    const looksLikePayload =
      keys.length > 0 &&
      keys.every((k) => k === 'metadata' || k === 'data' || k === 'externalPayloads') &&
      (o.metadata === undefined ||
        (typeof o.metadata === 'object' &&
          o.metadata !== null &&
          Object.values(o.metadata).every((v) => typeof v === 'string'))) &&
      (o.data === undefined || typeof o.data === 'string');
    if (looksLikePayload) {
      const b64 = (s: unknown) => (typeof s === 'string' ? Buffer.from(s, 'base64').length : 0);
      const bytes =
        b64(o.data) +
        Object.values((o.metadata ?? {}) as Record<string, string>).reduce((n, v) => n + b64(v), 0);
      largest = Math.max(largest, bytes);
      return;
    }
    Object.values(o).forEach(walk);
  };
  walk(JSON.parse(historyToJSON(history)));
  return largest;
}

describe.each(testDatabases().slice(0, 1))('on $name', (db) => {
  const stack = useStack(server, db, 'history-stats');

  test('finds every run of a programme and measures each one as its history reads', async () => {
    const created = await http(
      stack.baseUrl(),
      'POST',
      '/programmes',
      { organisation: 'Acme Ltd', name: 'History stats', config: { approvalSettle: 'PT0S' } },
      stack.authHeader(),
    );
    expect(created.status).toBe(201);
    const { id: programmeId, workflowId } = created.body as { id: string; workflowId: string };
    const programme = new HttpJourneyPort(() => stack.baseUrl(), programmeId, stack.authHeader());

    // Scoping, then gap analysis up to the roadmap's approval request (which asks for a report).
    await runToRoadmapRequest(programme);
    const client = stack.client();
    await settle(client, workflowId);

    const stats: HistoryStats = await programmeHistoryStats(client, programmeId);

    // Which workflows there are, read independently: the stages' StartChild events and visibility.
    const scopingId = `${workflowId}/c1.SCOPING.1`;
    const gapId = `${workflowId}/c1.GAP_ANALYSIS.1`;
    const histories = new Map<string, temporal.api.history.v1.IHistory>();
    for (const run of stats.runs)
      histories.set(run.runId, await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory());
    const startedByStages = stats.runs
      .filter((r) => r.workflowId === scopingId || r.workflowId === gapId)
      .flatMap((r) => histories.get(r.runId)?.events ?? [])
      .flatMap((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? []);
    expect(startedByStages.length).toBeGreaterThan(0);
    expect(startedByStages.every((id) => id.startsWith(`${workflowId}/report/`))).toBe(true);

    const visible = await listed(client, workflowId);
    const found = new Map<string, string[]>();
    for (const r of stats.runs) found.set(r.workflowId, [...(found.get(r.workflowId) ?? []), r.runId]);
    expect([...found.keys()].sort()).toEqual([...visible.keys()].sort());
    for (const [id, runIds] of visible) expect([...(found.get(id) ?? [])].sort()).toEqual([...runIds].sort());
    expect([...found.keys()]).toEqual(
      expect.arrayContaining([workflowId, scopingId, gapId, `${workflowId}/kpis`, ...startedByStages]),
    );
    expect(found.get(workflowId)).toHaveLength(1);
    expect(new Set(stats.runs.map((r) => r.runId)).size).toBe(stats.runs.length);
    expect(stats.enumeration.startsWith).toBe(true);

    // Without STARTS_WITH, walking the histories finds the same runs (nothing here was started by a client).
    const walked = await programmeHistoryStats(client, programmeId, { startsWith: false });
    expect(walked.enumeration.startsWith).toBe(false);
    expect(walked.runs.map((r) => r.runId).sort()).toEqual(stats.runs.map((r) => r.runId).sort());
    expect(walked.totals).toEqual(stats.totals);

    // Each run as its history reads.
    for (const run of stats.runs) {
      const history = histories.get(run.runId) as temporal.api.history.v1.IHistory;
      const events = history.events ?? [];
      expect(run.events).toBe(events.length);
      expect(run.cycle).toBe(1);
      // The events one by one take a little less than the whole history: a tag and a length each.
      const whole = temporal.api.history.v1.History.encode(history).finish().length;
      expect(run.bytes).toBeGreaterThan(0);
      expect(whole - run.bytes).toBeGreaterThanOrEqual(2 * events.length);
      expect(whole - run.bytes).toBeLessThanOrEqual(4 * events.length);
      expect(run.largestPayload.bytes).toBe(largestPayloadFromJson(history));
      expect(run.largestEventPayloads.bytes).toBeGreaterThanOrEqual(run.largestPayload.bytes);
      const peak = events.find((e) => e.eventId?.toString() === String(run.largestPayload.eventId));
      expect(peak).toBeDefined();
    }

    // The programme's start input is one payload: its run's largest is at least that big.
    const parent = stats.runs.find((r) => r.workflowId === workflowId);
    expect(parent).toMatchObject({ workflowType: 'programmeWorkflow', cycle: 1, continuedAsNew: false });
    const started = histories.get(parent?.runId ?? '')?.events?.[0]?.workflowExecutionStartedEventAttributes;
    const input = started?.input?.payloads?.[0];
    const inputBytes =
      (input?.data?.length ?? 0) + Object.values(input?.metadata ?? {}).reduce((n, v) => n + v.length, 0);
    expect(inputBytes).toBeGreaterThan(0);
    expect(parent?.largestPayload.bytes).toBeGreaterThanOrEqual(inputBytes);
    expect(stats.largestPayload.bytes).toBe(Math.max(...stats.runs.map((r) => r.largestPayload.bytes)));
    expect(stats.largestPayload.bytes).toBeGreaterThanOrEqual(inputBytes);

    // Totals and the one cycle.
    const sum = (f: (r: (typeof stats.runs)[number]) => number) => stats.runs.reduce((n, r) => n + f(r), 0);
    expect(stats.totals).toEqual({
      runs: stats.runs.length,
      events: sum((r) => r.events),
      bytes: sum((r) => r.bytes),
    });
    expect([...stats.byCycle.keys()]).toEqual([1]);
    expect(stats.byCycle.get(1)).toEqual({
      runs: stats.runs.length,
      events: stats.totals.events,
      bytes: stats.totals.bytes,
      maxEventsInRun: Math.max(...stats.runs.map((r) => r.events)),
      largestPayload: stats.largestPayload.bytes,
      largestEventPayloads: stats.largestEventPayloads.bytes,
    });
    expect(stats.maxEventsInRun.events).toBe(stats.byCycle.get(1)?.maxEventsInRun);

    if (process.env.HISTORY_STATS_PRINT) {
      const rows = stats.runs.map(
        (r) =>
          `${r.workflowId.slice(workflowId.length) || '(programme)'} ${r.workflowType} c${r.cycle}: ` +
          `${r.events} events, ${r.bytes} B (${formatBytes(r.bytes)}), largest payload ${r.largestPayload.bytes} B ` +
          `(${r.largestPayload.eventType} #${r.largestPayload.eventId}), largest event ${r.largestEventPayloads.bytes} B`,
      );
      process.stdout.write(
        `${rows.join('\n')}\n${JSON.stringify({ ...stats, runs: undefined, byCycle: [...stats.byCycle] }, null, 1)}\n`,
      );
    }
  });
});
