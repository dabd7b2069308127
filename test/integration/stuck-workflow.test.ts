/**
 * A workflow whose tasks keep failing cannot make progress, and retrying does not cure it: the
 * API says so (500 `workflow-stuck`, not a 503 that invites a retry), the programme's detail
 * shows the problem, and /metrics counts it. The dev server here allows payloads of only
 * LIMIT bytes, so a scope whose save is larger fails its workflow task for ever (the worker
 * refuses to upload it: TMPRL1103), while a small programme on the same server runs normally.
 */
import { testDatabases } from '../support/databases';
import { PEOPLE, scopeBody } from '../support/fixtures';
import { http, HttpJourneyPort } from '../support/http-port';
import { useStack } from '../support/stack';
import { useLocalTemporal } from '../support/temporal';

const LIMIT = 9 * 1024;

const temporal = useLocalTemporal({
  extraArgs: ['--dynamic-config-value', `limit.blobSize.error=${LIMIT}`],
});

/** A scope whose page of AI systems fits under LIMIT, but whose save (systems and facts) does not. */
function largeScope() {
  const aiSystems = Array.from({ length: 120 }, (_, i) => ({
    id: `credit-decisioning-model-${String(i).padStart(15, '0')}`,
    name: `Model ${i}`,
    type: 'model' as const,
    inScope: true,
  }));
  return { ...scopeBody(), aiSystems };
}

describe.each(testDatabases().slice(0, 1))('on $name', (db) => {
  const stack = useStack(temporal, db, 'stuck');

  const api = (method: string, path: string, body?: unknown) =>
    http(stack.baseUrl(), method, path, body, stack.authHeader());

  async function newProgramme(name: string): Promise<string> {
    const created = await api('POST', '/programmes', { organisation: 'Acme Ltd', name });
    expect(created.status).toBe(201);
    return (created.body as { id: string }).id;
  }

  const scoping = (id: string) =>
    new HttpJourneyPort(() => stack.baseUrl(), id, stack.authHeader()).waitForStep('SCOPING');

  test('a stage whose workflow task keeps failing is reported, not retried as unavailable', async () => {
    // On the same server, with the same limit, a programme of ordinary size goes on.
    const small = await newProgramme('Ordinary');
    await scoping(small);
    const ordinary = await api('PUT', `/programmes/${small}/scope`, scopeBody());
    expect(ordinary.status).toBe(200);
    expect((await api('GET', `/programmes/${small}`)).body).toMatchObject({ problem: null });

    const large = await newProgramme('Too large for this server');
    await scoping(large);
    const scope = largeScope();
    const items = scope.aiSystems.map((s) => ({ id: s.id, inScope: s.inScope }));
    expect(Buffer.byteLength(JSON.stringify({ items }))).toBeLessThan(LIMIT);

    const answer = await api('PUT', `/programmes/${large}/scope`, scope);
    expect(answer.status).toBe(500);
    expect(answer.headers.get('retry-after')).toBeNull();
    const problem = answer.body as {
      type: string;
      detail: string;
      workflow: { workflowId: string; cause: string };
    };
    expect(problem.type).toBe('tag:aimsflow,2025:problem/workflow-stuck');
    expect(problem.workflow.workflowId).toMatch(new RegExp(`^programme-${large}/c1\\.SCOPING\\.1$`));
    expect(problem.workflow.cause).toMatch(/PayloadsTooLarge|WorkflowTaskFailed/);

    // The detail shows it, with the stored state, while the small programme stays well.
    const detail = (await api('GET', `/programmes/${large}`)).body as {
      problem: { workflowId: string; cause: string; since?: string } | null;
    };
    expect(detail.problem).toMatchObject({ workflowId: problem.workflow.workflowId });
    expect(Date.parse(detail.problem?.since ?? '')).toBeLessThanOrEqual(Date.now());
    expect((await api('GET', `/programmes/${small}`)).body).toMatchObject({ problem: null });

    // Operators see it in /metrics once the server's visibility has caught up.
    for (;;) {
      const metrics = await fetch(`${stack.baseUrl()}/metrics`, { headers: stack.authHeader() });
      expect(metrics.status).toBe(200);
      const line = (await metrics.text())
        .split('\n')
        .find((l) => l.startsWith('aimsflow_workflows_failing '));
      expect(line).toBeDefined();
      if (line === 'aimsflow_workflows_failing 1') break;
    }

    // Nothing was recorded: the scope's save never ran.
    const scopes = (await api('GET', `/programmes/${large}/artefacts`)).body as { items: { kind: string }[] };
    expect(scopes.items.filter((a) => a.kind === 'scope')).toEqual([]);
    const decision = await api('POST', `/programmes/${large}/decisions`, {
      gate: 'scope',
      outcome: 'approved',
      approver: PEOPLE.sponsor.email,
      onBehalfOf: { evidence: 'steering committee minutes' },
    });
    expect(decision.status).toBe(500);

    // Stop the failing task from retrying for the rest of the suite's run.
    await stack.client().workflow.getHandle(problem.workflow.workflowId).terminate('test over');
  });
});
