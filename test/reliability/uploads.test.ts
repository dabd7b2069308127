/**
 * Hostile uploads and imports on the real stack (Temporal dev server, worker, API, SQLite and
 * MariaDB, an SMTP server): size, count and type limits, path traversal in file names and scan
 * paths, malformed multipart bodies and archive bombs. Each is a 4xx problem, and nothing is
 * written: no evidence row, no file on disk, no scan record, no workflow.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import yazl from 'yazl';
import { INVENTORY_IMPORT_MAX_CHARS } from '../../domain/schemas';
import { MAX_IMPORT_ENTRIES } from '../../services/inventory/import';
import { testDatabases } from '../support/databases';
import { PEOPLE } from '../support/fixtures';
import { MailCatcher } from '../support/mail';
import { startStack, type Stack } from '../support/stack';
import { useLocalTemporal } from '../support/temporal';
import { Client, countRows, isProblem, type Answer } from './harness';

const temporal = useLocalTemporal();

/** The stack's evidence limit (test/support/stack.ts). */
const MAX_EVIDENCE_BYTES = 5 * 1024 * 1024;
const PDF = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const BOUNDARY = 'aimsflow-test-boundary-7d1c';
const METADATA = JSON.stringify({
  title: 'Upload under attack',
  owner: PEOPLE.complianceLead.email,
  requirementIds: ['A.6.2.8'],
});

interface Part {
  name: string;
  /** Sent verbatim in Content-Disposition, so tests control every byte of it. */
  filename?: string;
  type?: string;
  data: Buffer | string;
}

/** A multipart/form-data body built by hand: FormData would normalise the hostile parts away. */
function multipart(parts: Part[], boundary = BOUNDARY): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    // Quoted-string escaping, so that a backslash in a name reaches the server as a backslash.
    const filename = part.filename?.replace(/[\\"]/g, (c) => `\\${c}`);
    const disposition = `form-data; name="${part.name}"${filename === undefined ? '' : `; filename="${filename}"`}`;
    const headers = [
      `Content-Disposition: ${disposition}`,
      ...(part.type ? [`Content-Type: ${part.type}`] : []),
    ];
    chunks.push(Buffer.from(`--${boundary}\r\n${headers.join('\r\n')}\r\n\r\n`, 'latin1'));
    chunks.push(Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

const evidence = (file: Omit<Part, 'name'>, extra: Part[] = []): Buffer =>
  multipart([{ name: 'metadata', data: METADATA }, { name: 'file', ...file }, ...extra]);

function filesUnder(dir: string): { count: number; bytes: number } {
  let count = 0;
  let bytes = 0;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    count++;
    bytes += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return { count, bytes };
}

/** A ZIP whose one entry inflates to `size` zero bytes: a compression bomb of about size / 1000. */
function zipBomb(size: number): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const chunk = Buffer.alloc(1024 * 1024);
  let left = size;
  const zeros = new Readable({
    read() {
      const n = Math.min(left, chunk.length);
      left -= n;
      this.push(n > 0 ? chunk.subarray(0, n) : null);
    },
  });
  zip.addReadStream(zeros, 'xl/worksheets/sheet1.xml', { compress: true });
  zip.end();
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => out.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(out)));
    zip.outputStream.on('error', reject);
  });
}

describe.each(testDatabases())('on $name', (db) => {
  let mail: MailCatcher;
  let stack: Stack;
  let api: Client;
  let programmeId: string;
  let scanRoot: string;
  let outside: string;
  const evidencePath = () => `/programmes/${programmeId}/evidence/files`;

  const upload = (body: Buffer, headers: Record<string, string> = {}) =>
    api.raw({
      method: 'POST',
      path: evidencePath(),
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, ...headers },
      body,
    });

  /** Everything an upload or import could have written. */
  async function written() {
    const ds = stack.dataSource();
    const workflows: string[] = [];
    for await (const w of stack.client().workflow.list({ query: `TaskQueue="${stack.taskQueue}"` }))
      workflows.push(w.workflowId);
    return {
      evidence: await countRows(ds, 'evidence'),
      scans: await countRows(ds, 'inventory_scans'),
      systems: await countRows(ds, 'ai_systems'),
      idempotency: await countRows(ds, 'idempotency_records'),
      files: filesUnder(stack.evidenceDir),
      workflows: workflows.sort(),
    };
  }

  async function expectRefused(
    answers: Answer[],
    status: number,
    before: Awaited<ReturnType<typeof written>>,
  ) {
    for (const answer of answers) {
      if (!isProblem(answer, status))
        throw new Error(`expected a ${status} problem, got ${answer.status}: ${answer.text}`);
    }
    expect(await written()).toEqual(before);
  }

  beforeAll(async () => {
    scanRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'aimsflow-scan-root-'));
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'aimsflow-outside-'));
    fs.mkdirSync(path.join(scanRoot, 'repo'));
    fs.writeFileSync(path.join(outside, 'requirements.txt'), 'openai==1.0\n');
    fs.symlinkSync(outside, path.join(scanRoot, 'escape'));
    mail = await MailCatcher.start();
    stack = await startStack({
      address: temporal.env.address,
      databaseUrl: await db.freshDatabase('uploads'),
      workflowBundle: temporal.bundle,
      smtpUrl: mail.url,
      scanRoots: [scanRoot],
    });
    api = new Client(stack);
    const created = await api.send('POST', '/programmes', { organisation: 'Upload Ltd', name: 'AIMS' });
    programmeId = (created.json as { id: string }).id;
    await api.waitForStep(programmeId, 'SCOPING');
  });

  afterAll(async () => {
    await stack?.stop();
    await mail?.stop();
    await db.cleanup();
    fs.rmSync(scanRoot, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  test('a well-formed upload is accepted (the baseline the refusals below differ from)', async () => {
    const before = await written();
    const answer = await upload(evidence({ filename: 'policy.pdf', type: 'application/pdf', data: PDF }));
    expect(answer.status).toBe(201);
    const after = await written();
    expect(after.evidence).toBe(before.evidence + 1);
    expect(after.files.count).toBe(before.files.count + 1);
  });

  test('size: a file over the limit is a 413, and a JSON body over 1 MB is a 413', async () => {
    const before = await written();
    const big = Buffer.concat([PDF, Buffer.alloc(MAX_EVIDENCE_BYTES + 1 - PDF.length, 0x20)]);
    const file = await upload(evidence({ filename: 'big.pdf', type: 'application/pdf', data: big }), {
      'idempotency-key': 'big-file',
    });
    const json = await api.send('POST', `/programmes/${programmeId}/inventory/import`, {
      format: 'csv',
      content: 'x'.repeat(1024 * 1024 + 1),
    });
    await expectRefused([file, json], 413, before);
  });

  test('count: a second file, a file under another field, too many fields are 400s', async () => {
    const before = await written();
    const pdf = { filename: 'a.pdf', type: 'application/pdf', data: PDF };
    const answers = await Promise.all([
      upload(evidence(pdf, [{ name: 'file', ...pdf, filename: 'b.pdf' }])),
      upload(evidence(pdf, [{ name: 'attachment', ...pdf }])),
      upload(
        evidence(pdf, [
          { name: 'extra1', data: 'x' },
          { name: 'extra2', data: 'y' },
        ]),
      ),
      upload(
        multipart([
          { name: 'metadata', data: 'x'.repeat(64 * 1024 + 1) },
          { name: 'file', ...pdf },
        ]),
      ),
    ]);
    await expectRefused(answers, 400, before);
  });

  test('type: archives, executables, mismatched content and non-multipart bodies are 415s', async () => {
    const before = await written();
    const bomb = await zipBomb(64 * 1024 * 1024);
    const answers = await Promise.all([
      upload(evidence({ filename: 'bundle.zip', type: 'application/zip', data: bomb })),
      upload(
        evidence({ filename: 'tool.exe', type: 'application/x-msdownload', data: Buffer.from('MZ\x90\x00') }),
      ),
      upload(
        evidence({
          filename: 'policy.pdf',
          type: 'application/pdf',
          data: Buffer.from('MZ\x90\x00 not a pdf'),
        }),
      ),
      upload(
        evidence({ filename: 'notes.txt', type: 'text/plain', data: Buffer.from([0x00, 0x01, 0xff, 0xfe]) }),
      ),
      upload(evidence({ filename: 'policy.pdf.exe', type: 'application/pdf', data: PDF })),
      api.send('POST', evidencePath(), { metadata: METADATA }),
      api.raw({
        method: 'POST',
        path: `/programmes/${programmeId}/inventory/import`,
        headers: { 'content-type': 'text/csv' },
        body: 'id,name\na,b\n',
      }),
    ]);
    await expectRefused(answers, 415, before);
  });

  test('traversal in file names: directory parts, absolute, encoded and NUL names are 400s', async () => {
    const before = await written();
    const names = [
      '../../../../tmp/evil.pdf',
      '..\\..\\evil.pdf',
      '/etc/cron.d/evil.pdf',
      'C:\\Windows\\evil.pdf',
      '..%2F..%2Fevil.pdf',
      '%2e%2e%2f%2e%2e%2fevil.pdf',
      'sub/dir/evil.pdf',
      'evil\u0000.pdf',
      '..',
    ];
    const answers = await Promise.all(
      names.map((filename) => upload(evidence({ filename, type: 'application/pdf', data: PDF }))),
    );
    await expectRefused(answers, 400, before);
    for (const answer of answers)
      expect((answer.json as { errors?: { pointer: string }[] }).errors?.[0]?.pointer).toMatch(/^\/body/);
    expect(fs.existsSync(path.join(os.tmpdir(), 'evil.pdf'))).toBe(false);
  });

  test('malformed multipart bodies are 400 problems, never 500s', async () => {
    const before = await written();
    const good = evidence({ filename: 'a.pdf', type: 'application/pdf', data: PDF });
    const answers = await Promise.all([
      upload(good.subarray(0, good.length - 40)),
      upload(
        Buffer.from(
          '--other-boundary\r\nContent-Disposition: form-data; name="metadata"\r\n\r\nx\r\n--other-boundary--\r\n',
        ),
      ),
      upload(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: nonsense\r\n\r\nx\r\n--${BOUNDARY}--\r\n`)),
      api.raw({
        method: 'POST',
        path: evidencePath(),
        headers: { 'content-type': 'multipart/form-data' },
        body: good,
      }),
    ]);
    await expectRefused(answers, 400, before);
  });

  test('a ZIP bomb inside an accepted container type is stored as sent, never expanded', async () => {
    const inflated = 256 * 1024 * 1024;
    const bomb = await zipBomb(inflated);
    expect(bomb.length).toBeLessThan(inflated / 500);
    const before = await written();
    const answer = await upload(
      evidence({
        filename: 'register.xlsx',
        type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        data: bomb,
      }),
    );
    expect(answer.status).toBe(201);
    expect((answer.json as { size: number }).size).toBe(bomb.length);
    const after = await written();
    expect(after.files.count).toBe(before.files.count + 1);
    expect(after.files.bytes - before.files.bytes).toBe(bomb.length);
    const download = await api.raw({
      method: 'GET',
      path: `${evidencePath().replace(/\/files$/, '')}/${(answer.json as { id: string }).id}/content`,
    });
    expect(Number(download.headers.get('content-length'))).toBe(bomb.length);
    expect(download.headers.get('etag')).toBe(`"${createHash('sha256').update(bomb).digest('hex')}"`);
  });

  test('imports: too many entries, too long content, an alias bomb and bad rows are 400s', async () => {
    const before = await written();
    const many = Array.from({ length: MAX_IMPORT_ENTRIES + 1 }, (_, i) => ({ id: `s-${i}`, name: 'S' }));
    const laughs = [
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      ...Array.from({ length: 9 }, (_, i) => {
        const prev = String.fromCharCode(97 + i);
        const next = String.fromCharCode(98 + i);
        return `${next}: &${next} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`;
      }),
      'systems: *j',
    ].join('\n');
    const importPath = `/programmes/${programmeId}/inventory/import`;
    const answers = await Promise.all([
      api.send('POST', importPath, { format: 'json', content: JSON.stringify(many) }),
      api.send('POST', importPath, { format: 'json', content: JSON.stringify({ systems: many }) }),
      api.send('POST', importPath, { format: 'csv', content: 'x'.repeat(INVENTORY_IMPORT_MAX_CHARS + 1) }),
      api.send('POST', importPath, { format: 'yaml', content: laughs }),
      api.send('POST', importPath, { format: 'csv', content: 'id,name,secret\na,b,c\n' }),
      api.send('POST', importPath, { format: 'xml', content: '<systems/>' }),
      api.send('POST', importPath, { format: 'json', content: '[{"id":"../../etc","name":"x"}]' }),
    ]);
    await expectRefused(answers, 400, before);
  });

  test('traversal in scan paths: relative, dot-dot, encoded, NUL, outside and symlinked-out paths are 400s', async () => {
    const before = await written();
    const paths = [
      'repo',
      '../../etc',
      `${scanRoot}/../../etc`,
      `${scanRoot}/repo/../../${path.basename(outside)}`,
      `${scanRoot}/%2e%2e/%2e%2e/etc`,
      `${scanRoot}/repo\u0000/../../etc`,
      '/etc',
      '/etc/passwd',
      '/no/such/directory/anywhere',
      outside,
      path.join(scanRoot, 'escape'),
      path.join(scanRoot, 'escape', 'sub'),
      path.join(scanRoot, 'missing'),
    ];
    const answers = await Promise.all(
      paths.map((p) => api.send('POST', `/programmes/${programmeId}/inventory/scans`, { path: p })),
    );
    await expectRefused(answers, 400, before);
    const details = answers.map(
      (a) => (a.json as { errors: { pointer: string; detail: string }[] }).errors[0],
    );
    for (const d of details) expect(d.pointer).toBe('/body/path');
    // Outside the roots, existence is never revealed: the same answer for a file, a directory and nothing.
    const outsideDetails = new Set(details.slice(6, 10).map((d) => d.detail));
    expect(outsideDetails.size).toBe(1);
    expect([...outsideDetails][0]).toMatch(/outside/);
    expect(details[10].detail).toMatch(/outside/);

    // The root itself is scannable: the refusals above are about the paths, not the route.
    const ok = await api.send('POST', `/programmes/${programmeId}/inventory/scans`, {
      path: path.join(scanRoot, 'repo'),
    });
    expect(ok.status).toBe(202);
  });
});
