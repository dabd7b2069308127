/**
 * Idempotency-Key on every API write, on the real stack (Temporal dev server, worker, API,
 * SQLite and MariaDB, an SMTP server): a retry with the same key replays the first response and
 * writes nothing; the same key on another request is a 422; concurrent retries create one thing.
 */
import { randomUUID } from 'node:crypto';
import { testDatabases } from '../support/databases';
import { PEOPLE, scopeBody } from '../support/fixtures';
import { MailCatcher } from '../support/mail';
import { startStack, type Stack } from '../support/stack';
import { useLocalTemporal } from '../support/temporal';
import { Client, countRows, isProblem, type Answer } from './harness';

const temporal = useLocalTemporal();

const PDF = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const key = () => `key-${randomUUID()}`;
const REPLAYED = 'idempotent-replayed';

function expectReplayOf(replay: Answer, first: Answer): void {
  expect(first.headers.get(REPLAYED)).toBeNull();
  expect(replay.headers.get(REPLAYED)).toBe('true');
  expect(replay.status).toBe(first.status);
  expect(replay.json).toEqual(first.json);
  expect(replay.headers.get('location')).toBe(first.headers.get('location'));
  expect(replay.headers.get('content-type')).toBe(first.headers.get('content-type'));
}

function uploadForm(metadata: unknown, name = 'policy.pdf'): FormData {
  const form = new FormData();
  form.append('metadata', JSON.stringify(metadata));
  form.append('file', new Blob([PDF], { type: 'application/pdf' }), name);
  return form;
}

describe.each(testDatabases())('on $name', (db) => {
  let mail: MailCatcher;
  let stack: Stack;
  let api: Client;
  let programmeId: string;
  const count = (table: string) => countRows(stack.dataSource(), table);

  beforeAll(async () => {
    mail = await MailCatcher.start();
    stack = await startStack({
      address: temporal.env.address,
      databaseUrl: await db.freshDatabase('idempotency'),
      workflowBundle: temporal.bundle,
      smtpUrl: mail.url,
    });
    api = new Client(stack);
    const created = await api.send('POST', '/programmes', { organisation: 'Idem Ltd', name: 'AIMS' });
    expect(created.status).toBe(201);
    programmeId = (created.json as { id: string }).id;
    await api.waitForStep(programmeId, 'SCOPING');
  });

  afterAll(async () => {
    await stack?.stop();
    await mail?.stop();
    await db.cleanup();
  });

  test('POST /programmes twice with one key starts one programme and replays the first answer', async () => {
    const k = key();
    const body = { organisation: 'Replay Ltd', name: 'AIMS' };
    const rowsBefore = await count('programmes');
    const first = await api.send('POST', '/programmes', body, { 'idempotency-key': k });
    const again = await api.send('POST', '/programmes', body, { 'idempotency-key': k });
    expect(first.status).toBe(201);
    expectReplayOf(again, first);
    expect(again.headers.get('location')).toBe(`/programmes/${(first.json as { id: string }).id}`);
    expect(await count('programmes')).toBe(rowsBefore + 1);

    // Without a key a retry is a new request: the count shows the first one really was deduplicated.
    const unkeyed = await api.send('POST', '/programmes', body);
    expect(unkeyed.status).toBe(201);
    expect(await count('programmes')).toBe(rowsBefore + 2);
  });

  test('the same key on a different body or path is a 422 problem and writes nothing', async () => {
    const k = key();
    const first = await api.send(
      'POST',
      '/programmes',
      { organisation: 'A Ltd', name: 'AIMS' },
      { 'idempotency-key': k },
    );
    expect(first.status).toBe(201);
    const rows = await count('programmes');
    const otherBody = await api.send(
      'POST',
      '/programmes',
      { organisation: 'B Ltd', name: 'AIMS' },
      { 'idempotency-key': k },
    );
    expect(isProblem(otherBody, 422)).toBe(true);
    const otherPath = await api.send(
      'POST',
      `/programmes/${programmeId}/evidence/links`,
      {
        title: 'x',
        owner: PEOPLE.complianceLead.email,
        requirementIds: ['A.2.2'],
        url: 'https://example.com/x',
      },
      { 'idempotency-key': k },
    );
    expect(isProblem(otherPath, 422)).toBe(true);
    expect(await count('programmes')).toBe(rows);
    expect(await count('evidence')).toBe(0);
  });

  test('concurrent retries with one key start exactly one programme; the others wait (409) or replay', async () => {
    const k = key();
    const body = { organisation: 'Race Ltd', name: 'AIMS' };
    const rows = await count('programmes');
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => api.send('POST', '/programmes', body, { 'idempotency-key': k })),
    );
    const created = answers.filter((a) => a.status === 201);
    const busy = answers.filter((a) => a.status === 409);
    expect(created.length + busy.length).toBe(answers.length);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((a) => (a.json as { id: string }).id)).size).toBe(1);
    expect(created.filter((a) => a.headers.get(REPLAYED) === null)).toHaveLength(1);
    for (const a of busy) expect(isProblem(a, 409)).toBe(true);
    expect(await count('programmes')).toBe(rows + 1);
    // Once the first has finished, a retry replays it.
    const later = await api.send('POST', '/programmes', body, { 'idempotency-key': k });
    expect(later.headers.get(REPLAYED)).toBe('true');
    expect((later.json as { id: string }).id).toBe((created[0].json as { id: string }).id);
  });

  test('a stage input replayed with its key is recorded once', async () => {
    const k = key();
    const scope = scopeBody();
    const first = await api.send('PUT', `/programmes/${programmeId}/scope`, scope, { 'idempotency-key': k });
    expect(first.status).toBe(200);
    const artefacts = await count('artefacts');
    const again = await api.send('PUT', `/programmes/${programmeId}/scope`, scope, { 'idempotency-key': k });
    expectReplayOf(again, first);
    expect(await count('artefacts')).toBe(artefacts);
    const versions = await api.send('GET', `/programmes/${programmeId}/artefacts/scope`);
    expect((versions.json as { items: { version: number }[] }).items.map((i) => i.version)).toEqual([1]);
  });

  test('an evidence upload replayed with its key stores one evidence row and one file', async () => {
    const k = key();
    const metadata = {
      key: 'ai-policy-pdf',
      title: 'AI policy',
      owner: PEOPLE.sponsor.email,
      requirementIds: ['A.2.2'],
    };
    const path = `/programmes/${programmeId}/evidence/files`;
    const rows = await count('evidence');
    const first = await api.raw({
      method: 'POST',
      path,
      headers: { 'idempotency-key': k },
      body: uploadForm(metadata),
    });
    expect(first.status).toBe(201);
    const again = await api.raw({
      method: 'POST',
      path,
      headers: { 'idempotency-key': k },
      body: uploadForm(metadata),
    });
    expectReplayOf(again, first);
    expect(await count('evidence')).toBe(rows + 1);
    // Other bytes under the same key are another request.
    const other = uploadForm(metadata, 'other-name.pdf');
    const reused = await api.raw({ method: 'POST', path, headers: { 'idempotency-key': k }, body: other });
    expect(isProblem(reused, 422)).toBe(true);
    expect(await count('evidence')).toBe(rows + 1);
  });

  test.each([
    {
      what: 'an evidence link',
      method: 'POST',
      path: (id: string) => `/programmes/${id}/evidence/links`,
      body: {
        title: 'Wiki page',
        owner: PEOPLE.complianceLead.email,
        requirementIds: ['A.2.2'],
        url: 'https://example.com/wiki',
      },
      table: 'evidence',
    },
    {
      what: 'an inventory import',
      method: 'POST',
      path: (id: string) => `/programmes/${id}/inventory/import`,
      body: {
        format: 'json',
        content: JSON.stringify([{ id: 'chat-saas', name: 'Chat SaaS' }]),
        source: 'it-register',
      },
      table: 'inventory_scans',
    },
    {
      what: 'a KPI snapshot',
      method: 'POST',
      path: (id: string) => `/programmes/${id}/kpis`,
      body: undefined,
      table: 'kpi_snapshots',
    },
  ])('$what replayed with its key writes once', async ({ method, path, body, table }) => {
    const k = key();
    const rows = await count(table);
    const first = await api.send(method, path(programmeId), body, { 'idempotency-key': k });
    expect(first.status).toBeLessThan(300);
    const again = await api.send(method, path(programmeId), body, { 'idempotency-key': k });
    expectReplayOf(again, first);
    expect(await count(table)).toBe(rows + 1);
  });

  test('a refused input does not hold its key: the retry runs again', async () => {
    const k = key();
    // Scoping does not take a certification body: the stage refuses it with a 409.
    const body = { name: 'Cert Body', accreditationBody: 'UKAS' };
    const path = `/programmes/${programmeId}/certification-body`;
    const first = await api.send('PUT', path, body, { 'idempotency-key': k });
    expect(isProblem(first, 409)).toBe(true);
    const again = await api.send('PUT', path, body, { 'idempotency-key': k });
    expect(again.status).toBe(first.status);
    expect(again.headers.get(REPLAYED)).toBeNull();
  });

  test('every write in the OpenAPI document takes an Idempotency-Key, except the approval-link form and key creation', async () => {
    const doc = (await api.send('GET', '/openapi.json')).json as {
      paths: Record<
        string,
        Record<string, { parameters?: { $ref?: string }[]; responses: Record<string, unknown> }>
      >;
    };
    const writes = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => ['post', 'put', 'patch', 'delete'].includes(method))
        .map(([method, op]) => ({ where: `${method.toUpperCase()} ${path}`, op })),
    );
    expect(writes.length).toBeGreaterThan(20);
    const withoutKey = writes
      .filter(
        ({ op }) => !(op.parameters ?? []).some((p) => p.$ref === '#/components/parameters/IdempotencyKey'),
      )
      .map((w) => w.where);
    // The link form is single-use by itself; a created API key's secret must never be stored
    // to be replayed, so that write is not replayable by design.
    expect(withoutKey.sort()).toEqual(['POST /api-keys', 'POST /approvals/{token}']);
    for (const { op } of writes.filter((w) => !withoutKey.includes(w.where))) {
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['409', '422']));
    }
  });
});
