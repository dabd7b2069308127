/**
 * The acceptance path of the inventory and gap-analysis feature, through the HTTP API on real
 * parts (a Temporal dev server, the real worker and API, SQLite and MariaDB): a programme
 * manager scans a source tree, re-scans it, imports a CSV inventory, assesses the whole
 * catalogue, reads the prioritised roadmap, and downloads the gap report and the SoA as PDF,
 * XLSX and JSON, each with headers carrying the SHA-256 of its body.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundle } from '@temporalio/worker';
import { CONTROLS, REQUIREMENTS } from '../../domain/catalogue/iso42001';
import { scanTree } from '../../services/inventory/scanner';
import { testDatabases } from '../support/databases';
import { PEOPLE, assessmentItems, soaEntries } from '../support/fixtures';
import { http, HttpJourneyPort } from '../support/http-port';
import { createFixtureRepo, type FixtureRepo } from '../support/inventory-fixtures';
import { completeScoping } from '../support/journey';
import { pdfText } from '../support/pdf-text';
import { startStack, type Stack } from '../support/stack';
import { createLocalEnv } from '../support/temporal';

const LIMITS = { maxFileBytes: 64 * 1024, maxFiles: 1000, maxDepth: 20 };

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  env = await createLocalEnv();
  bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: new DefaultLogger('WARN'),
  });
});

afterAll(async () => {
  await env?.teardown();
});

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < 600; i++) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} not reached; last: ${JSON.stringify(last)}`);
}

interface Problem {
  errors?: { pointer: string; detail: string }[];
  detail: string;
}
interface ScanView {
  id: string;
  status: string;
  filesSeen: number;
  filesScanned: number;
  findings: number;
  result: {
    diff: { new: string[]; changed: string[]; gone: string[]; unchanged: number };
    newInScope: { id: string }[];
  } | null;
}
interface ReportVersion {
  kind: string;
  version: number;
  sha256: string;
  created: boolean;
  artefactVersion?: number;
  files: { format: string; sha256: string; bytes: number; href: string }[];
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();

/** Our sheets hold plain strings, numbers and booleans; anything else shows as JSON. */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
    ? String(v)
    : JSON.stringify(v);
}

describe.each(testDatabases())('on $name', (db) => {
  let stack: Stack;
  let repo: FixtureRepo;
  let port: HttpJourneyPort;
  let pid: string;

  const api = (method: string, p: string, body?: unknown) =>
    http(stack.baseUrl(), method, p, body, stack.authHeader());
  const programme = (p = '') => `/programmes/${pid}${p}`;

  /** Downloads a file and checks that every digest header names the SHA-256 of the bytes received. */
  async function download(
    href: string,
    contentType: RegExp,
  ): Promise<{ body: Buffer; version: string; reportSha: string }> {
    const res = await fetch(`${stack.baseUrl()}${href}`, { headers: stack.authHeader('auditor') });
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    const digest = sha256(body);
    expect(res.headers.get('content-type')).toMatch(contentType);
    expect(res.headers.get('etag')).toBe(`"${digest.toString('hex')}"`);
    expect(res.headers.get('digest')).toBe(`sha-256=${digest.toString('base64')}`);
    expect(res.headers.get('repr-digest')).toBe(`sha-256=:${digest.toString('base64')}:`);
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="[a-z-]+-v\d+\.(pdf|xlsx|json|csv)"$/,
    );
    return {
      body,
      version: res.headers.get('x-report-version') ?? '',
      reportSha: res.headers.get('x-report-sha256') ?? '',
    };
  }

  async function scan(p: string): Promise<ScanView> {
    const started = await api('POST', programme('/inventory/scans'), { path: p });
    expect(started.status).toBe(202);
    const location = started.headers.get('location') as string;
    expect(location).toMatch(new RegExp(`^/programmes/${pid}/inventory/scans/scan-`));
    return until(
      async () => (await api('GET', location)).body as ScanView,
      (s) => s.status === 'completed' || s.status === 'failed',
      'scan finished',
    );
  }

  async function sheetRows(buffer: Buffer, name: string): Promise<string[][]> {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
    const rows: string[][] = [];
    workbook
      .getWorksheet(name)
      ?.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map(cellText)));
    return rows;
  }

  beforeAll(async () => {
    repo = createFixtureRepo();
    stack = await startStack({
      address: env.address,
      databaseUrl: await db.freshDatabase('inventory'),
      workflowBundle: bundle,
      scanRoots: [path.dirname(repo.root)],
      scan: { limits: LIMITS },
    });
    const created = await api('POST', '/programmes', {
      organisation: 'Acme Ltd',
      name: 'AIMS certification',
    });
    pid = (created.body as { id: string }).id;
    port = new HttpJourneyPort(() => stack.baseUrl(), pid, stack.authHeader());
    await completeScoping(port);
    await port.waitForStep('GAP_ANALYSIS');
  });

  afterAll(async () => {
    await stack?.stop();
    await db.cleanup();
    repo?.cleanup();
  });

  test('a scan outside SCAN_ROOTS, or of a relative path, is a 400 on the path and records nothing', async () => {
    for (const bad of ['/etc', 'acme', path.join(repo.root, 'missing')]) {
      const res = await api('POST', programme('/inventory/scans'), { path: bad });
      expect(res.status).toBe(400);
      expect((res.body as Problem).errors?.map((e) => e.pointer)).toEqual(['/body/path']);
    }
    expect((await api('GET', programme('/inventory/scans'))).body).toEqual({ items: [] });
  });

  test('scanning a source tree finds exactly its AI evidence and opens impact-assessment tasks for new systems in scope', async () => {
    const done = await scan(repo.root);
    const expected = await scanTree(repo.root, LIMITS);
    expect(done).toMatchObject({
      status: 'completed',
      filesSeen: 30,
      filesScanned: 30,
      findings: expected.findings.length,
    });
    expect(done.result?.diff).toEqual({
      new: ['acme', 'fraud-model', 'go-gateway', 'jvm-scoring', 'rust-infer', 'support-bot'],
      changed: [],
      gone: [],
      unchanged: 0,
    });
    // fraud-model and support-bot are in the scope already: their assessments are required anyway.
    expect(done.result?.newInScope.map((s) => s.id)).toEqual([
      'acme',
      'go-gateway',
      'jvm-scoring',
      'rust-infer',
    ]);
    const findings = (await api('GET', programme(`/inventory/scans/${done.id}/findings`))).body as {
      items: unknown[];
    };
    expect(findings.items).toEqual(
      expected.findings.map(
        (f) => expect.objectContaining({ id: f.id, signature: f.signature, path: f.path }) as unknown,
      ),
    );

    const tasks = await until(
      async () =>
        (
          (await api('GET', programme('/tasks'))).body as {
            items: { requirementId: string; title: string }[];
          }
        ).items,
      (items) => items.length >= 4,
      'impact-assessment tasks',
    );
    expect(tasks.map((t) => [t.requirementId, t.title]).sort()).toEqual(
      ['acme', 'go-gateway', 'jvm-scoring', 'rust-infer'].map((id) => [
        '8.4',
        `Impact assessment of newly discovered AI system ${id} (${id})`,
      ]),
    );
  });

  test('a re-scan reports what is new, changed and gone', async () => {
    fs.rmSync(path.join(repo.root, 'rust-infer'), { recursive: true });
    fs.appendFileSync(
      path.join(repo.root, 'go-gateway/go.mod'),
      'require github.com/anthropics/anthropic-sdk-go v0.2.0\n',
    );
    fs.mkdirSync(path.join(repo.root, 'new-agent'));
    fs.writeFileSync(
      path.join(repo.root, 'new-agent/package.json'),
      JSON.stringify({ name: 'new-agent', dependencies: { '@anthropic-ai/sdk': '1' } }),
    );
    const done = await scan(repo.root);
    expect(done.result?.diff).toEqual({
      new: ['new-agent'],
      changed: ['go-gateway'],
      gone: ['rust-infer'],
      unchanged: 4,
    });
    expect(done.result?.newInScope.map((s) => s.id)).toEqual(['new-agent']);
  });

  test('a CSV import with bad rows is a 400 pointing at each row and field, and imports nothing', async () => {
    const before = ((await api('GET', programme('/inventory/scans'))).body as { items: unknown[] }).items
      .length;
    const res = await api('POST', programme('/inventory/import'), {
      format: 'csv',
      content:
        'id,name,lifecycleStage,inScope\nchat-assist,Chat,operation_monitoring,yes\nBad Id,,shipping,perhaps\n',
    });
    expect(res.status).toBe(400);
    expect((res.body as Problem).errors?.map((e) => e.pointer)).toEqual([
      '/body/content/1/id',
      '/body/content/1/name',
      '/body/content/1/lifecycleStage',
      '/body/content/1/inScope',
    ]);
    expect(
      ((await api('GET', programme('/inventory/scans'))).body as { items: unknown[] }).items,
    ).toHaveLength(before);
  });

  test('a CSV inventory registers what no scan sees; the completeness KPI follows', async () => {
    const csv = [
      'id,name,purpose,owner,lifecycleStage,aiRole,thirdPartyServices,inScope',
      'chat-assist,Internal chat assistant,Answers staff questions,it@acme.test,operation_monitoring,customer,OpenAI,yes',
      'hr-screening,CV screening trial,Ranks applicants,hr@acme.test,verification_validation,customer,TalentAI,no',
      'go-gateway,Model gateway,Routes prompts to providers,platform@acme.test,operation_monitoring,provider,,yes',
    ].join('\n');
    const res = await api('POST', programme('/inventory/import'), {
      format: 'csv',
      content: csv,
      source: 'it-register',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      kind: 'import',
      status: 'completed',
      result: {
        diff: { new: ['chat-assist', 'hr-screening'], changed: ['go-gateway'], gone: [], unchanged: 0 },
        newInScope: [{ id: 'chat-assist' }],
      },
    });
    const inventory = (await api('GET', programme('/inventory'))).body as {
      kpi: unknown;
      systems: {
        id: string;
        name: string;
        registered: boolean;
        discovered: boolean;
        status: string;
        thirdPartyServices: string[];
      }[];
    };
    expect(inventory.kpi).toEqual({
      registered: 5,
      discovered: 6,
      discoveredAndRegistered: 3,
      unregistered: ['acme', 'jvm-scoring', 'new-agent'],
      completeness: 0.5,
    });
    expect(inventory.systems.find((s) => s.id === 'go-gateway')).toMatchObject({
      name: 'Model gateway',
      registered: true,
      discovered: true,
      thirdPartyServices: ['Anthropic', 'Azure OpenAI', 'OpenAI'],
    });
    expect(inventory.systems.find((s) => s.id === 'rust-infer')?.status).toBe('gone');
  });

  test('the whole catalogue is assessed and the roadmap orders the gaps by score', async () => {
    const items = assessmentItems().map((a) =>
      a.requirementId === 'A.7.5'
        ? {
            ...a,
            factors: { inherentRisk: 5, implementationComplexity: 5 },
            evidence: ['dms://lineage/gap-note'],
          }
        : a.requirementId === '7.2'
          ? { ...a, reuseFrom27001: true, evidence: ['ISMS training records'] }
          : a,
    );
    expect(items).toHaveLength(REQUIREMENTS.length);
    expect((await api('POST', programme('/assessments'), { items })).status).toBe(200);

    // Every gap without a task gets one, due in priority order; 8.4 already has the
    // impact-assessment tasks the scans opened. Starting 20 days ago, only the first is overdue.
    const start = new Date(Date.now() - 20 * 86_400_000).toISOString();
    const plan = await api('POST', programme('/roadmap/tasks'), {
      owner: PEOPLE.complianceLead.email,
      start,
      spacing: 'P14D',
    });
    expect(plan.status).toBe(201);
    const planned = (
      plan.body as { items: { rank: number; requirementId: string; taskId: string; deadline: string }[] }
    ).items;
    expect(planned.map((p) => [p.rank, p.requirementId])).toEqual([
      [1, '6.1.4'],
      [3, 'A.5.2'],
      [4, 'A.7.5'],
      [5, 'A.6.2.8'],
    ]);
    expect(planned.map((p) => Date.parse(p.deadline) - Date.parse(start))).toEqual(
      [14, 28, 42, 56].map((d) => d * 86_400_000),
    );
    expect(new Set(planned.map((p) => p.taskId)).size).toBe(4);
    // Nothing left to plan: a second call opens no task.
    const again = await api('POST', programme('/roadmap/tasks'), { owner: PEOPLE.complianceLead.email });
    expect(again).toMatchObject({ status: 200, body: { items: [] } });

    const roadmap = (await api('GET', programme('/roadmap'))).body as {
      summary: unknown;
      items: {
        requirementId: string;
        score: number;
        rank: number;
        planned: boolean;
        tasks: { overdue: boolean }[];
      }[];
    };
    // A.7.5 with its assessor's factors (risk 5, complexity 5) now outranks A.6.2.8.
    expect(roadmap.items.map((g) => [g.rank, g.requirementId, g.score])).toEqual([
      [1, '6.1.4', 94],
      [2, '8.4', 94],
      [3, 'A.5.2', 94],
      [4, 'A.7.5', 52.2],
      [5, 'A.6.2.8', 46.8],
    ]);
    expect(roadmap.items.every((g) => g.planned)).toBe(true);
    expect(roadmap.items.find((g) => g.requirementId === '6.1.4')?.tasks.map((t) => t.overdue)).toEqual([
      true,
    ]);
    expect(roadmap.items.find((g) => g.requirementId === 'A.6.2.8')?.tasks.map((t) => t.overdue)).toEqual([
      false,
    ]);
    expect(roadmap.summary).toMatchObject({ gaps: 5, unplanned: 0, overdueTasks: 1 });
    // The overdue task shows in the programme's status too.
    const status = (await api('GET', programme())).body as { overdueTasks: { requirementId: string }[] };
    expect(status.overdueTasks.map((t) => t.requirementId)).toEqual(['6.1.4']);
  });

  test('the gap report is generated by the workers and downloads as PDF, XLSX and JSON with matching SHA-256', async () => {
    const generated = await api('POST', programme('/reports/gap-analysis'));
    expect([200, 201]).toContain(generated.status);
    const version = generated.body as ReportVersion;
    expect(version.files.map((f) => f.format)).toEqual(['pdf', 'xlsx', 'csv', 'json']);

    const pdf = await download(version.files[0].href, /^application\/pdf/);
    expect(pdf.version).toBe(String(version.version));
    expect(sha256(pdf.body).toString('hex')).toBe(version.files[0].sha256);
    const text = (await pdfText(pdf.body)).text;
    expect(text).toContain('Gap analysis and roadmap');
    expect(text).toContain('Acme Ltd: AIMS certification');
    const list = text.slice(text.indexOf('Prioritised gap list'));
    const order = ['6.1.4', '8.4', 'A.5.2', 'A.7.5', 'A.6.2.8'].map((id) => list.indexOf(`${id} `));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);

    const xlsx = await download(version.files[1].href, /spreadsheetml/);
    expect((await sheetRows(xlsx.body, 'Prioritised gaps')).slice(1).map((r) => r[1])).toEqual([
      '6.1.4',
      '8.4',
      'A.5.2',
      'A.7.5',
      'A.6.2.8',
    ]);
    expect(await sheetRows(xlsx.body, 'Assessments')).toHaveLength(REQUIREMENTS.length + 1);

    const json = await download(version.files[3].href, /^application\/json/);
    expect(sha256(json.body).toString('hex')).toBe(version.sha256);
    expect(json.reportSha).toBe(version.sha256);
    const data = JSON.parse(json.body.toString('utf8')) as {
      report: { version: number };
      summary: { reusedFrom27001: number };
    };
    expect(data.report.version).toBe(version.version);
    expect(data.summary.reusedFrom27001).toBe(1);

    const listed = (await api('GET', programme('/reports'))).body as { items: ReportVersion[] };
    expect(listed.items.find((r) => r.kind === 'gap-analysis' && r.version === version.version)?.sha256).toBe(
      version.sha256,
    );
  });

  test('a report that cannot be built yet is a 409 with the reason; a format a kind lacks is a 400', async () => {
    const res = await api('POST', programme('/reports/risk-treatment-plan'));
    expect(res.status).toBe(409);
    expect((res.body as Problem).detail).toBe('no risk treatment plan has been submitted yet');
    const csv = await api('GET', programme('/reports/impact-assessment?format=csv&key=fraud-model'));
    expect(csv.status).toBe(400);
    expect((csv.body as Problem).errors?.map((e) => e.pointer)).toEqual(['/query/format']);
  });

  test('submitting the SoA generates its report for the approval; it downloads in every format', async () => {
    await port.decide({ gate: 'roadmap', outcome: 'approved', approver: PEOPLE.sponsor.email });
    await port.waitForStep('IMPLEMENTATION');
    expect((await api('PUT', programme('/soa'), { entries: soaEntries() })).status).toBe(200);

    // Generated on submission, without being asked: the version an approver will be shown.
    const soa = await until(
      async () =>
        ((await api('GET', programme('/reports'))).body as { items: ReportVersion[] }).items.find(
          (r) => r.kind === 'soa',
        ),
      (r) => r !== undefined,
      'SoA report generated on submission',
    );
    expect(soa).toMatchObject({ version: 1, artefactVersion: 1 });
    const again = await api('POST', programme('/reports/soa'));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ version: 1, created: false, sha256: soa?.sha256 });

    const files = Object.fromEntries((soa?.files ?? []).map((f) => [f.format, f.href]));
    const xlsx = await download(files.xlsx, /spreadsheetml/);
    const rows = await sheetRows(xlsx.body, 'Statement of Applicability');
    expect(rows.slice(1).map((r) => r[0])).toEqual(CONTROLS.map((c) => c.id));
    expect(
      rows
        .slice(1)
        .filter((r) => r[3] === 'No')
        .map((r) => r[0]),
    ).toEqual(['A.10.4']);

    const json = await download(files.json, /^application\/json/);
    const data = JSON.parse(json.body.toString('utf8')) as {
      rows: { controlId: string; applicable: boolean }[];
      soa: { version: number };
    };
    expect(data.soa.version).toBe(1);
    expect(data.rows).toHaveLength(38);

    const pdf = await download(files.pdf, /^application\/pdf/);
    const text = (await pdfText(pdf.body)).text;
    expect(text).toContain('Statement of Applicability');
    expect(text).toContain('Top management: no decision recorded for this version yet');
    for (const c of CONTROLS) expect(text).toContain(c.id);
  });
});
