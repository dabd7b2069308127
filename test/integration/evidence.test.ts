/**
 * The evidence register and the audit pack on real parts (Temporal dev server, worker, API,
 * SQLite and MariaDB, files on disk). Bad uploads are refused before anything is stored.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import yauzl from 'yauzl';
import type { AuditPackManifest } from '../../services/evidence/audit-pack';
import { testDatabases } from '../support/databases';
import { PEOPLE, scopeBody } from '../support/fixtures';
import { http, HttpJourneyPort } from '../support/http-port';
import { startStack, type Stack } from '../support/stack';
import { useLocalTemporal } from '../support/temporal';

const temporal = useLocalTemporal();

const PDF = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const future = '2030-01-01T00:00:00Z';
const past = '2020-01-01T00:00:00Z';

function meta(overrides: Record<string, unknown> = {}) {
  return {
    title: 'Logging configuration export',
    owner: PEOPLE.complianceLead.email,
    requirementIds: ['A.6.2.8'],
    ...overrides,
  };
}

async function upload(
  api: { base: string; auth: Record<string, string> },
  programmeId: string,
  parts: { metadata?: unknown; file?: { data: Buffer; name: string; type: string } },
) {
  const form = new FormData();
  if (parts.metadata !== undefined)
    form.append(
      'metadata',
      typeof parts.metadata === 'string' ? parts.metadata : JSON.stringify(parts.metadata),
    );
  if (parts.file)
    form.append('file', new Blob([parts.file.data], { type: parts.file.type }), parts.file.name);
  const res = await fetch(`${api.base}/programmes/${programmeId}/evidence/files`, {
    method: 'POST',
    body: form,
    headers: api.auth,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, archive) => {
      if (err || !archive) return reject(err ?? new Error('no archive'));
      const files = new Map<string, Buffer>();
      archive.on('entry', (entry: yauzl.Entry) => {
        archive.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            archive.readEntry();
          });
        });
      });
      archive.on('end', () => resolve(files));
      archive.readEntry();
    });
  });
}

function filesOnDisk(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name));
}

describe.each(testDatabases())('on $name', (db) => {
  let stack: Stack;
  let id: string;
  const base = () => stack.baseUrl();
  // Evidence is a contributor's work; the programme itself is started by a manager.
  const target = () => ({ base: base(), auth: stack.authHeader('contributor') });
  const authed = (method: string, path: string, body?: unknown, auth = stack.authHeader()) =>
    http(base(), method, path, body, auth);
  const list = async () =>
    (
      (await authed('GET', `/programmes/${id}/evidence`, undefined, stack.authHeader('auditor'))).body as {
        items: Record<string, unknown>[];
      }
    ).items;

  beforeAll(async () => {
    stack = await startStack({
      address: temporal.env.address,
      databaseUrl: await db.freshDatabase('evidence'),
      workflowBundle: temporal.bundle,
    });
    const res = await http(
      base(),
      'POST',
      '/programmes',
      { organisation: 'Evidence Ltd', name: 'AIMS' },
      stack.authHeader('programme-manager'),
    );
    id = (res.body as { id: string }).id;
    const programme = new HttpJourneyPort(base, id, stack.authHeader('programme-manager'));
    await programme.waitForStep('SCOPING');
    await programme.submit({ kind: 'scope', ...scopeBody() } as never);
  });

  afterAll(async () => {
    await stack?.stop();
    await db.cleanup();
  });

  test('an uploaded file is stored by its hash, versioned under its key, and downloads byte for byte', async () => {
    const first = await upload(target(), id, {
      metadata: meta({ key: 'logging-config', expiresOn: future }),
      file: { data: PDF, name: 'logging.pdf', type: 'application/pdf' },
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      key: 'logging-config',
      version: 1,
      sha256: sha(PDF),
      size: PDF.length,
      current: true,
    });

    const again = await upload(target(), id, {
      metadata: meta({ key: 'logging-config', expiresOn: future }),
      file: { data: PDF, name: 'logging.pdf', type: 'application/pdf' },
    });
    expect(again.body).toMatchObject({ key: 'logging-config', version: 2, sha256: sha(PDF) });
    // Same bytes, one file: content addressing never stores (or overwrites) twice.
    expect(filesOnDisk(stack.evidenceDir)).toHaveLength(1);

    const download = await fetch(`${base()}/programmes/${id}/evidence/${String(again.body.id)}/content`, {
      headers: stack.authHeader('auditor'),
    });
    expect(download.status).toBe(200);
    expect(download.headers.get('etag')).toBe(`"${sha(PDF)}"`);
    expect(Buffer.from(await download.arrayBuffer()).equals(PDF)).toBe(true);
  });

  test('bad uploads are refused with the right status and store nothing', async () => {
    const before = { rows: (await list()).length, files: filesOnDisk(stack.evidenceDir).length };
    const pdf = { data: Buffer.from('%PDF-1.4 other'), name: 'x.pdf', type: 'application/pdf' };

    const badMeta = await upload(target(), id, { metadata: meta({ requirementIds: ['A.99'] }), file: pdf });
    expect(badMeta.status).toBe(400);
    expect((badMeta.body.errors as { pointer: string }[]).map((e) => e.pointer)).toEqual([
      '/body/metadata/requirementIds/0',
    ]);

    expect((await upload(target(), id, { metadata: '{not json', file: pdf })).status).toBe(400);
    expect((await upload(target(), id, { metadata: meta() })).status).toBe(400);
    const fake = await upload(target(), id, {
      metadata: meta(),
      file: { data: Buffer.from('MZ\x90\x00 pretend'), name: 'report.pdf', type: 'application/pdf' },
    });
    expect(fake.status).toBe(415);
    expect(String(fake.body.detail)).toMatch(/content of report.pdf is not application\/pdf/);
    const exe = await upload(target(), id, {
      metadata: meta(),
      file: { data: Buffer.from('MZ'), name: 'tool.exe', type: 'application/x-msdownload' },
    });
    expect(exe.status).toBe(415);
    const traversal = await upload(target(), id, {
      metadata: meta(),
      file: { data: Buffer.from('%PDF-'), name: '../../etc/passwd.txt', type: 'application/pdf' },
    });
    // A name with directory parts is refused as a name before its type is looked at.
    expect(traversal.status).toBe(400);
    const big = await upload(target(), id, {
      metadata: meta(),
      file: {
        data: Buffer.concat([Buffer.from('%PDF-'), Buffer.alloc(5 * 1024 * 1024)]),
        name: 'big.pdf',
        type: 'application/pdf',
      },
    });
    expect(big.status).toBe(413);
    const json = await http(
      base(),
      'POST',
      `/programmes/${id}/evidence/files`,
      { metadata: meta() },
      stack.authHeader('contributor'),
    );
    expect(json.status).toBe(415);
    expect(
      (await upload(target(), '00000000-0000-4000-8000-000000000000', { metadata: meta(), file: pdf }))
        .status,
    ).toBe(404);

    expect((await list()).length).toBe(before.rows);
    expect(filesOnDisk(stack.evidenceDir).length).toBe(before.files);
  });

  test('coverage counts applicable controls with current evidence; missing and expired evidence are gaps', async () => {
    const expired = await upload(target(), id, {
      metadata: meta({
        key: 'provenance-ledger',
        title: 'Data lineage ledger',
        requirementIds: ['A.7.5'],
        expiresOn: past,
      }),
      file: { data: Buffer.from('dataset,source\ncustomers,crm\n'), name: 'lineage.csv', type: 'text/csv' },
    });
    expect(expired.body.current).toBe(false);
    const link = await authed('POST', `/programmes/${id}/evidence/links`, {
      ...meta({ key: 'ai-policy', title: 'Approved AI policy', requirementIds: ['A.2.2', '5.2'] }),
      url: 'https://dms.example.test/policies/ai/v3',
    });
    expect(link.status).toBe(201);

    const coverage = (await authed('GET', `/programmes/${id}/evidence-coverage`)).body as {
      applicable: number;
      covered: number;
      basis: string;
      gaps: { controlId: string; reason: string; expiredOn?: string }[];
    };
    expect(coverage).toMatchObject({ applicable: 38, covered: 2, basis: 'all-controls' });
    expect(coverage.gaps.find((g) => g.controlId === 'A.7.5')).toEqual({
      controlId: 'A.7.5',
      reason: 'expired',
      expiredOn: '2020-01-01T00:00:00.000Z',
    });
    expect(coverage.gaps.find((g) => g.controlId === 'A.9.4')).toEqual({
      controlId: 'A.9.4',
      reason: 'missing',
    });
    expect(coverage.gaps.map((g) => g.controlId)).not.toContain('A.6.2.8');
  });

  test('the audit pack holds artefacts, records and current evidence, and every manifest hash verifies', async () => {
    const res = await fetch(`${base()}/programmes/${id}/audit-pack`, {
      headers: stack.authHeader('auditor'),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const files = await unzip(Buffer.from(await res.arrayBuffer()));
    const manifest = JSON.parse((files.get('manifest.json') as Buffer).toString()) as AuditPackManifest;
    expect(manifest.programme).toMatchObject({ id, organisation: 'Evidence Ltd' });
    for (const entry of manifest.files) {
      const data = files.get(entry.path);
      expect(data).toBeDefined();
      expect({ path: entry.path, sha256: sha(data as Buffer), size: (data as Buffer).length }).toEqual({
        path: entry.path,
        sha256: entry.sha256,
        size: entry.size,
      });
    }
    // Every file in the archive is accounted for by the manifest, except the manifest and index.
    expect([...files.keys()].sort()).toEqual(
      [...manifest.files.map((f) => f.path), 'INDEX.md', 'manifest.json'].sort(),
    );
    const paths = manifest.files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'artefacts/scope/scope-v1.json',
        'records/internal-audit-report.json',
        'records/findings.json',
        'evidence/logging-config/v2/logging.pdf',
        'evidence/ai-policy/v1/link.json',
      ]),
    );
    expect(paths.some((p) => p.startsWith('evidence/provenance-ledger'))).toBe(false);
    expect(manifest.files.find((f) => f.path === 'evidence/logging-config/v2/logging.pdf')?.supports).toEqual(
      ['A.6.2.8'],
    );
    const index = (files.get('INDEX.md') as Buffer).toString();
    expect(index).toContain(`\`${sha(PDF)}\``);
  });

  test('KPIs: the programme clock took its first snapshot, on-demand snapshots add to the series, readiness explains itself', async () => {
    type Series = {
      items: { trigger: string; kpis: Record<string, unknown>; readiness: { score: number } }[];
    };
    let series: Series = { items: [] };
    for (let i = 0; i < 200 && series.items.length === 0; i++) {
      series = (await authed('GET', `/programmes/${id}/kpis`)).body as Series;
      if (series.items.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(series.items[0]).toMatchObject({ trigger: 'schedule' });

    const now = await authed('POST', `/programmes/${id}/kpis`);
    expect(now.status).toBe(201);
    const snapshot = now.body as {
      trigger: string;
      kpis: { evidenceCoverage: number; impactAssessmentCoverage: number };
    };
    expect(snapshot.trigger).toBe('on_demand');
    // Two of 38 controls have current evidence (the uploads above); no impact assessment yet.
    expect(snapshot.kpis.evidenceCoverage).toBeCloseTo(2 / 38);
    expect(snapshot.kpis.impactAssessmentCoverage).toBe(0);
    const after = (await authed('GET', `/programmes/${id}/kpis`)).body as Series;
    expect(after.items.map((s) => s.trigger)).toEqual([...series.items.map((s) => s.trigger), 'on_demand']);

    const ready = (await authed('GET', `/programmes/${id}/readiness`)).body as {
      score: number;
      stage1Blockers: string[];
    };
    expect(ready.score).toBe(0);
    expect(ready.stage1Blockers).toContain('no approved AI policy');
    expect((await authed('GET', '/programmes/00000000-0000-4000-8000-000000000000/readiness')).status).toBe(
      404,
    );

    const review = (await authed('GET', `/programmes/${id}/management-review/inputs`)).body as {
      contextChanges: { scopeVersions: number };
      performance: { latestKpis: { evidenceCoverage: number } | null };
    };
    expect(review.contextChanges.scopeVersions).toBe(1);
    expect(review.performance.latestKpis?.evidenceCoverage).toBeCloseTo(2 / 38);
  });
});
