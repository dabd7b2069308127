/**
 * The whole service on real parts: a Temporal dev server, the real worker and API, and each
 * test database (SQLite always, MariaDB when TEST_MYSQL_URL is set). HTTP calls drive a
 * programme through every stage into its second cycle.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Worker } from '@temporalio/worker';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporalCliPath } from '../../infra/temporal-binaries';
import { REQUIREMENTS } from '../../domain/catalogue/iso42001';
import { testDatabases } from '../support/databases';
import type { StageInput } from '../../domain/schemas';
import { createAuditTrail } from '../../services/audit-trail';
import { PEOPLE, scopeBody } from '../support/fixtures';
import { http, HttpJourneyPort } from '../support/http-port';
import { grantCertificate, passAudit, runToCertification } from '../support/journey';
import { eventually } from '../support/processes';
import { startStack, type Stack } from '../support/stack';
import { useLocalTemporal } from '../support/temporal';

const run = promisify(execFile);

const temporal = useLocalTemporal();

const address = () => temporal.env.address;

describe.each(testDatabases())('on $name', (db) => {
  let stack: Stack;
  let programme: HttpJourneyPort;

  beforeAll(async () => {
    stack = await startStack({
      address: address(),
      databaseUrl: await db.freshDatabase('main'),
      workflowBundle: temporal.bundle,
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await db.cleanup();
  });

  const api = (method: string, p: string, body?: unknown) =>
    http(stack.baseUrl(), method, p, body, stack.authHeader());

  test('a programme manager creates a programme and it starts in scoping', async () => {
    const res = await api('POST', '/programmes', { organisation: 'Acme Ltd', name: 'AIMS certification' });
    expect(res.status).toBe(201);
    const body = res.body as { id: string; workflowId: string };
    expect(res.headers.get('location')).toBe(`/programmes/${body.id}`);
    programme = new HttpJourneyPort(() => stack.baseUrl(), body.id, stack.authHeader());
    const detail = await programme.waitForStep('SCOPING');
    expect(detail).toMatchObject({ stage: 'SCOPING', cycle: 1, status: 'ACTIVE', live: true });
    expect(detail.unmetGates).toEqual([
      { gate: 'scopeDefined', reason: 'the AIMS scope has not been submitted' },
      { gate: 'approval:scope', reason: 'AIMS scope: nothing submitted for approval yet' },
    ]);
  });

  test('bad input is a 400 problem with field detail and writes nothing', async () => {
    const res = await api('POST', `/programmes/${programme.programmeId}/assessments`, {
      items: [{ requirementId: '4.1', status: 'not_applicable', assessor: 'not-an-email' }],
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const pointers = (res.body as { errors: { pointer: string }[] }).errors.map((e) => e.pointer).sort();
    expect(pointers).toEqual(
      expect.arrayContaining([
        '/body/items/0/assessor',
        '/body/items/0/justification',
        '/body/items/0/status',
      ]),
    );
    expect((await api('GET', `/programmes/${programme.programmeId}/assessments`)).body).toEqual({
      items: [],
    });
  });

  test('an input the current stage does not take is a 409 with the reason, and writes nothing', async () => {
    const res = await api('POST', `/programmes/${programme.programmeId}/findings`, {
      audit: 'stage2',
      grade: 'major_nc',
      requirementId: '8.4',
      description: 'Impact assessments missing',
    });
    expect(res.status).toBe(409);
    expect((res.body as { detail: string }).detail).toMatch(/step SCOPING .* does not accept finding/);
    expect((await api('GET', `/programmes/${programme.programmeId}/findings`)).body).toEqual({ items: [] });

    const early = await api('POST', `/programmes/${programme.programmeId}/decisions`, {
      gate: 'scope',
      outcome: 'approved',
      approver: PEOPLE.sponsor.email,
      onBehalfOf: { evidence: 'steering committee minutes' },
    });
    expect(early.status).toBe(409);
    expect((await api('GET', `/programmes/${programme.programmeId}/decisions`)).body).toEqual({ items: [] });
    expect((await api('GET', '/programmes/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  test("a key records only its holder's decision; one made elsewhere needs onBehalfOf, evidence and the permission, and says so", async () => {
    const created = await api('POST', '/programmes', { organisation: 'Acme Ltd', name: 'On behalf' });
    const id = (created.body as { id: string }).id;
    const other = new HttpJourneyPort(() => stack.baseUrl(), id, stack.authHeader());
    await other.waitForStep('SCOPING');
    const keyFor = async (body: Record<string, unknown>) =>
      ((await api('POST', '/api-keys', { role: 'programme-manager', ...body })).body as { key: string }).key;
    const decideWith = (key: string, decision: Record<string, unknown>) =>
      http(stack.baseUrl(), 'POST', `/programmes/${id}/decisions`, decision, {
        authorization: `Bearer ${key}`,
      });
    const sponsorDecision = { gate: 'scope', outcome: 'approved', approver: PEOPLE.sponsor.email };

    // A programme manager's own key cannot pass the sponsor's gate in the sponsor's name.
    const pm = await keyFor({ name: 'pm', holder: 'pat@acme.test' });
    const impersonation = await decideWith(pm, sponsorDecision);
    expect(impersonation.status).toBe(403);
    expect((impersonation.body as { detail: string }).detail).toMatch(/only its holder's own decision/);
    const unpermitted = await decideWith(pm, { ...sponsorDecision, onBehalfOf: { evidence: 'minutes 12' } });
    expect(unpermitted.status).toBe(403);
    expect((unpermitted.body as { detail: string }).detail).toMatch(/record decisions for others/);
    // The sponsor's own key may record the sponsor's decision (here too early: 409, not 403).
    const own = await keyFor({ name: 'sponsor', holder: PEOPLE.sponsor.email.toUpperCase() });
    expect((await decideWith(own, sponsorDecision)).status).toBe(409);
    expect((await api('GET', `/programmes/${id}/decisions`)).body).toEqual({ items: [] });

    // Once the scope is in, a decision taken at a meeting is recorded, and marked, on its behalf.
    const office = await keyFor({ name: 'office', recordsForOthers: true });
    await other.submit({ kind: 'scope', ...scopeBody() } as StageInput);
    const recorded = await decideWith(office, {
      ...sponsorDecision,
      onBehalfOf: { evidence: 'Steering committee minutes 2026-12-04, item 3' },
    });
    expect(recorded.status).toBe(200);
    const decisions = (
      (await api('GET', `/programmes/${id}/decisions`)).body as { items: Record<string, unknown>[] }
    ).items;
    expect(decisions).toEqual([
      expect.objectContaining({
        gate: 'scope',
        approver: PEOPLE.sponsor.email,
        channel: 'on-behalf',
        recordedBy: expect.any(String) as unknown,
        onBehalfEvidence: 'Steering committee minutes 2026-12-04, item 3',
      }),
    ]);
    const trail = await createAuditTrail(stack.dataSource()).list(id);
    expect(trail.filter((e) => e.action === 'approval.recorded-on-behalf').map((e) => e.subject)).toEqual([
      'scope',
    ]);
    await other.waitForStep('GAP_ANALYSIS');
  });

  test('HTTP calls drive the programme through every stage, surveillance and recertification into cycle 2', async () => {
    await runToCertification(programme);
    await grantCertificate(programme, 'AIMS-2027-001');
    await passAudit(programme, 'SURVEILLANCE_1', 'surveillance');
    await passAudit(programme, 'SURVEILLANCE_2', 'surveillance');
    await passAudit(programme, 'RECERTIFICATION', 'recertification');
    await grantCertificate(programme, 'AIMS-2030-001');
    const detail = await programme.waitFor(
      (p) => p.cycle === 2 && p.step === 'SURVEILLANCE_1' && p.accepts.length > 0,
      'cycle 2 running',
    );
    expect(detail).toMatchObject({
      stage: 'SURVEILLANCE',
      certificate: { number: 'AIMS-2030-001', status: 'ACTIVE', cycle: 2 },
    });
  });

  test('the programme list agrees with the programme: next deadline, overdue flag, certificate', async () => {
    type Detail = { nextDueAt: string | null; overdue: boolean; certificate: { status: string } | null };
    // Surveillance 1 of cycle 2 is due: the workflow knows when, and so must the list.
    const detail = await eventually('the programme to show its next deadline', async () => {
      const body = (await api('GET', `/programmes/${programme.programmeId}`)).body as Detail;
      return body.nextDueAt ? body : undefined;
    });
    const listed = await eventually('the list to show the next deadline', async () => {
      const items = ((await api('GET', '/programmes')).body as { items: Record<string, unknown>[] }).items;
      const item = items.find((p) => p.id === programme.programmeId);
      return item?.nextDueAt === detail.nextDueAt ? item : undefined;
    });
    expect(listed).toMatchObject({
      nextDueAt: detail.nextDueAt,
      overdue: detail.overdue,
      certificateStatus: detail.certificate?.status,
      step: 'SURVEILLANCE_1',
    });
  });

  test('every domain record of the journey is in the database and readable through the API', async () => {
    const id = programme.programmeId;
    const items = async (p: string) =>
      ((await api('GET', `/programmes/${id}/${p}`)).body as { items: Record<string, unknown>[] }).items;

    expect((await items('history')).map((t) => t.to)).toEqual([
      'SCOPING',
      'GAP_ANALYSIS',
      'IMPLEMENTATION',
      'INTERNAL_AUDIT',
      'MANAGEMENT_REVIEW',
      'CERTIFICATION',
      'SURVEILLANCE_1',
      'SURVEILLANCE_2',
      'RECERTIFICATION',
      'CYCLE_END',
      'SURVEILLANCE_1',
    ]);
    expect(await items('assessments')).toHaveLength(REQUIREMENTS.length);
    const tasks = await items('tasks');
    expect(tasks.map((t) => t.status)).toEqual(['done', 'done', 'done', 'done', 'done']);
    const findings = await items('findings');
    expect(findings.map((f) => [f.grade, f.status])).toEqual([
      ['conformity', 'verified'],
      ['minor_nc', 'action_planned'],
    ]);
    const decisions = await items('decisions');
    expect(decisions.map((d) => d.gate).sort()).toEqual(
      [
        'ai_policy',
        'certification_body',
        'management_review',
        'risk_treatment_plan',
        'roadmap',
        'scope',
        'soa',
      ].sort(),
    );
    // The recertification's certificate replaced the first cycle's, which now shows as superseded.
    expect(
      (await items('certificates'))
        .map((c) => [c.number, c.status, c.replacedBy ?? null, c.replaces ?? null])
        .sort(),
    ).toEqual([
      ['AIMS-2027-001', 'SUPERSEDED', 'AIMS-2030-001', null],
      ['AIMS-2030-001', 'ACTIVE', null, 'AIMS-2027-001'],
    ]);
    const audits = await items('audits');
    // The internal audit programme plans two internal audits, and both are held (journey.ts).
    expect(audits.map((a) => a.audit)).toEqual([
      'internal',
      'internal',
      'stage1',
      'stage2',
      'surveillance',
      'surveillance',
      'recertification',
    ]);

    const list = await api('GET', '/programmes?stage=SURVEILLANCE');
    expect((list.body as { items: { id: string }[] }).items.map((p) => p.id)).toContain(id);
    const scoping = await api('GET', '/programmes?stage=SCOPING');
    expect((scoping.body as { items: { id: string }[] }).items.map((p) => p.id)).not.toContain(id);
  });

  test('operators find the programme by stage in Temporal visibility, from the CLI too', async () => {
    const id = programme.programmeId;
    // The step running carries the same stage, cycle and programme id: the type keeps one row.
    const query = `AimsStage = 'SURVEILLANCE' AND AimsProgrammeId = '${id}' AND AimsCycle = 2 AND WorkflowType = 'programmeWorkflow'`;
    const listed = async () => {
      const ids: string[] = [];
      for await (const wf of stack.client().workflow.list({ query })) ids.push(wf.workflowId);
      return ids;
    };
    let ids: string[] = [];
    for (let i = 0; i < 100 && ids.length === 0; i++) {
      ids = await listed();
      if (ids.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(ids).toEqual([`programme-${id}`]);

    const { stdout } = await run(temporalCliPath(), [
      'workflow',
      'list',
      '--address',
      address(),
      '--query',
      query,
      '--output',
      'json',
    ]);
    const rows = JSON.parse(stdout) as { execution: { workflowId: string } }[];
    expect(rows.map((r) => r.execution.workflowId)).toEqual([`programme-${id}`]);
  });

  test('the histories this run produced replay cleanly against the current workflow code', async () => {
    const client = stack.client();
    const histories = [];
    for await (const wf of client.workflow.list({
      query: `WorkflowId STARTS_WITH 'programme-${programme.programmeId}'`,
    })) {
      histories.push({
        workflowId: wf.workflowId,
        history: await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory(),
      });
    }
    // Parent runs of both cycles plus one child per step.
    expect(histories.length).toBeGreaterThanOrEqual(12);
    const results = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: temporal.bundle, replayName: 'integration' },
      histories,
    )) {
      results.push(result);
    }
    expect(results.filter((r) => r.error)).toEqual([]);
    expect(results).toHaveLength(histories.length);

    if (process.env.RECORD_REPLAY_HISTORIES && db.name === 'sqlite') {
      // Before the first release the fixtures are re-recorded whenever the workflows change;
      // from 1.0.0 on each release records its own folder (docs/architecture.md, Versioning).
      const dir = path.join(__dirname, '..', 'replay', 'histories', process.env.RECORD_REPLAY_HISTORIES);
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
      const runs = new Map<string, number>();
      for (const h of histories) {
        const name = h.workflowId.replace(/^programme-[^/]+/, 'programme').replaceAll('/', '__');
        runs.set(name, (runs.get(name) ?? 0) + 1);
        // The workflow id is part of what replay checks (child ids derive from it).
        const record = { workflowId: h.workflowId, history: JSON.parse(historyToJSON(h.history)) as unknown };
        fs.writeFileSync(path.join(dir, `${name}.run${runs.get(name)}.json`), JSON.stringify(record));
      }
    }
  });
});
