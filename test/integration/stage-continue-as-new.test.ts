/**
 * A step that takes many inputs keeps its history short: the stage continues as new when the
 * server suggests it, reloads its facts from the database and carries its open approval
 * requests over, while inputs keep arriving. The dev server here suggests continue-as-new
 * after 150 events (the default is thousands), so a few dozen tasks are enough to see it.
 */
import type { StageInput } from '../../domain/schemas';
import { testDatabases } from '../support/databases';
import { GAPS, PEOPLE, assessmentItems, scopeBody } from '../support/fixtures';
import { http, HttpJourneyPort } from '../support/http-port';
import { useStack } from '../support/stack';
import { useLocalTemporal } from '../support/temporal';

const SUGGEST_AFTER = 150;

const temporal = useLocalTemporal({
  extraArgs: ['--dynamic-config-value', `limit.historyCount.suggestContinueAsNew=${SUGGEST_AFTER}`],
});

describe.each(testDatabases())('on $name', (db) => {
  const stack = useStack(temporal, db, 'can');

  const api = (method: string, path: string, body?: unknown) =>
    http(stack.baseUrl(), method, path, body, stack.authHeader());

  /** Every run of a workflow id, oldest first, with its history length. */
  async function runsOf(workflowId: string) {
    const runs: { runId: string; events: number; continuedAsNew: boolean }[] = [];
    for await (const w of stack.client().workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
      const history = await stack.client().workflow.getHandle(workflowId, w.runId).fetchHistory();
      const events = history.events ?? [];
      runs.push({
        runId: w.runId,
        events: events.length,
        continuedAsNew: events.some((e) => e.workflowExecutionContinuedAsNewEventAttributes),
      });
    }
    return runs;
  }

  test('gap analysis with many tasks continues as new, keeps every task, and still completes', async () => {
    const created = await api('POST', '/programmes', {
      organisation: 'Acme Ltd',
      name: 'Many tasks',
      config: { approvalSettle: 'PT0S' },
    });
    expect(created.status).toBe(201);
    const programme = new HttpJourneyPort(
      () => stack.baseUrl(),
      (created.body as { id: string }).id,
      stack.authHeader(),
    );
    await programme.waitForStep('SCOPING');
    await programme.submit({ kind: 'scope', ...scopeBody() } as StageInput);
    await programme.decide({ gate: 'scope', outcome: 'approved', approver: PEOPLE.sponsor.email });
    await programme.waitForStep('GAP_ANALYSIS');
    await programme.submit({ kind: 'assessments', items: assessmentItems() } as StageInput);

    // Sequential tasks first, then a burst sent at once, racing the stage's continue-as-new.
    const gaps = Object.keys(GAPS);
    const task = (i: number) => ({
      kind: 'roadmapTask' as const,
      requirementId: gaps[i % gaps.length],
      title: `Task ${i}`,
      owner: PEOPLE.complianceLead.email,
      deadline: '2027-06-30T00:00:00Z',
    });
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) ids.push((await programme.submit(task(i))).recordId as string);
    const burst = await Promise.all(Array.from({ length: 15 }, (_, i) => programme.submit(task(25 + i))));
    ids.push(...burst.map((r) => r.recordId as string));
    expect(new Set(ids).size).toBe(40);
    expect(ids.every((id) => /^T-\d+$/.test(id))).toBe(true);

    const detail = (await api('GET', `/programmes/${programme.programmeId}`)).body as {
      stepKey: string;
      workflowId: string;
      unmetGates: { gate: string }[];
      pendingApprovals: { gate: string; artefactVersion: number; request?: { requestId: string } }[];
    };
    const stageId = `${detail.workflowId}/${detail.stepKey}`;
    const runs = await runsOf(stageId);
    expect(runs.length).toBeGreaterThan(1);
    // Each run ends once the server suggests it: its history stays near the threshold.
    for (const run of runs) expect(run.events).toBeLessThan(SUGGEST_AFTER * 3);
    expect(runs.filter((r) => r.continuedAsNew).length).toBe(runs.length - 1);

    // The reloaded facts hold every task: the roadmap is complete and awaits its approval.
    expect(detail.unmetGates.map((g) => g.gate)).toEqual(['approval:roadmap']);
    const roadmap = detail.pendingApprovals.find((p) => p.gate === 'roadmap');
    expect(roadmap?.request?.requestId).toMatch(/\/roadmap\/v\d+\/r1$/);
    const tasks = (await api('GET', `/programmes/${programme.programmeId}/tasks`)).body as {
      items: { id: string }[];
    };
    expect(tasks.items.map((t) => t.id).sort()).toEqual([...ids].sort());

    await programme.decide({ gate: 'roadmap', outcome: 'approved', approver: PEOPLE.sponsor.email });
    await programme.waitForStep('IMPLEMENTATION');
  });
});
