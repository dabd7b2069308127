/**
 * Kill -9 of the worker process in the middle of every kind of activity: an inventory scan (after
 * a checkpoint), a mail (inside the SMTP DATA phase, before the server accepted it), a report
 * (rendered, not stored) and a database write (rows written, transaction not committed). Fail
 * points make "in the middle" deterministic: the worker blocks there and writes a marker, and the
 * test kills it only once all four are reached. Then a new worker process picks everything up,
 * the programme runs to certification, and the SMTP server has received every notification
 * exactly once. Real Temporal dev server, MariaDB, SMTP server; the worker and API are the
 * production entry points running as processes.
 */
import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import os from 'node:os';
import path from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { FAIL_POINTS } from '../../infra/fail-points';
import { startDevServer, type DevServer } from '../../infra/temporal-server';
import { PEOPLE, scopeBody } from '../support/fixtures';
import type { Target } from '../support/databases';
import { faultSuiteDatabase } from '../support/private-mariadb';
import {
  completeGapAnalysis,
  completeImplementation,
  completeInternalAudit,
  completeManagementReview,
  grantCertificate,
  holdCertificationAudits,
} from '../support/journey';
import { MailCatcher, type HeldMail } from '../support/mail';
import { eventually, Service, within, type ProgrammeClient } from '../support/processes';
import type { StageInput } from '../../domain/schemas';

jest.setTimeout(300_000);

const FILLER_FILES = 1200;

let temporal: DevServer;
let mail: MailCatcher;
let target: Target;
let databaseUrl: string;
let service: Service;
let sources: string;
let programme: ProgrammeClient;
const timings: Record<string, number> = {};

async function count(sql: string, params: unknown[]): Promise<number> {
  const rows = await service.sql<RowDataPacket>(sql, params);
  return Number(rows[0]?.n);
}

/** A project that uses a hosted AI SDK, padded with plain files so the scan checkpoints twice. */
function sourceTree(): string {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'aimsflow-faults-src-'));
  const root = path.join(base, 'support-bot');
  fs.mkdirSync(path.join(root, 'src', 'filler'), { recursive: true });
  fs.writeFileSync(
    path.join(root, 'package.json'),
    JSON.stringify({ name: 'support-bot', author: 'lead@acme.test', dependencies: { openai: '^4.0.0' } }),
  );
  fs.writeFileSync(
    path.join(root, 'src', 'client.ts'),
    "import OpenAI from 'openai';\nexport const ai = new OpenAI();\n",
  );
  for (let i = 0; i < FILLER_FILES; i++)
    fs.writeFileSync(
      path.join(root, 'src', 'filler', `f${String(i).padStart(4, '0')}.ts`),
      `export const n${i} = ${i};\n`,
    );
  return root;
}

beforeAll(async () => {
  const started = Date.now();
  temporal = await startDevServer({ headless: true, logLevel: 'error' });
  mail = await MailCatcher.start();
  target = await faultSuiteDatabase();
  databaseUrl = await target.freshDatabase('kill');
  sources = sourceTree();
  service = await Service.create({
    temporalAddress: temporal.address,
    databaseUrl,
    smtpUrl: mail.url,
    scanRoots: [path.dirname(sources)],
  });
  await service.api.start();
  timings.setup = Date.now() - started;
});

afterAll(async () => {
  await service?.stop();
  await target?.cleanup();
  await mail?.stop();
  await temporal?.stop();
  if (sources) fs.rmSync(path.dirname(sources), { recursive: true, force: true });
  process.stdout.write(`worker-kill timings (ms): ${JSON.stringify(timings)}\n`);
});

/** The cursor in the heartbeat the server holds for the scan's running activity, if any. */
async function heartbeatCursor(workflowId: string): Promise<string | null | undefined> {
  const connection = await Connection.connect({ address: temporal.address });
  try {
    const description = await new Client({ connection }).workflow.getHandle(workflowId).describe();
    const payload = description.raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.[0];
    if (!payload?.data) return undefined;
    const details = JSON.parse(Buffer.from(payload.data).toString('utf8')) as { cursor?: string | null };
    return details.cursor;
  } finally {
    await connection.close();
  }
}

interface ScanView {
  id: string;
  status: string;
  filesSeen: number;
  filesScanned: number;
  findings: number;
  result?: { attempts?: number; resumedFrom?: string } | null;
}

test('a worker killed mid-scan, mid-mail, mid-report and mid-write: each activity retries on a new worker, nothing lost or doubled', async () => {
  await service.startWorker({
    points: { 'db.before-commit': 'hang', 'report.before-store': 'hang', 'scan.after-checkpoint': 'hang' },
  });
  programme = await service.startProgramme('Killed Worker Ltd');
  // The write is held in another programme: a stage mails its approval request only once the
  // records it describes are committed, so the mail cannot be in flight beside its own write.
  const writer = await service.startProgramme('Held Write Ltd');
  await programme.waitForStep('SCOPING');
  await writer.waitForStep('SCOPING');
  const id = programme.programmeId;

  // Four activities in flight at once, each stopped at its fail point.
  const scope = writer.submit({ kind: 'scope', ...scopeBody() } as StageInput);
  scope.catch(() => undefined);
  await service.reached('db.before-commit');
  const held: HeldMail = mail.holdNext();
  expect(await programme.submit({ kind: 'scope', ...scopeBody() } as StageInput)).toMatchObject({
    accepted: true,
  });
  const report = service.request('POST', `/programmes/${id}/reports/inventory`);
  report.catch(() => undefined);
  const scanStart = await service.request('POST', `/programmes/${id}/inventory/scans`, {
    path: sources,
    inScope: false,
  });
  expect(scanStart.status).toBe(202);
  const scanId = (scanStart.body as ScanView).id;

  await service.reached('report.before-store');
  await service.reached('scan.after-checkpoint');
  const heldMessage = await within(held.arrived, 60_000, 'the first mail to reach the SMTP server');
  expect(heldMessage.programmeId).toBe(id);

  // Mid-activity, as the database shows: the scan has a checkpoint but is not done, the other
  // programme's scope is written but not committed, no report version is stored, the message is
  // not logged as sent.
  const scanBefore = await service.get<ScanView>(`/programmes/${id}/inventory/scans/${scanId}`);
  expect(scanBefore.status).toBe('running');
  expect(scanBefore.filesScanned).toBeGreaterThan(0);
  expect(scanBefore.filesScanned).toBeLessThan(FILLER_FILES);

  // Heartbeats are throttled (to 80% of the heartbeat timeout), so the checkpoint reaches the
  // server up to 24 s after the activity recorded it; a crash before that resumes from the one
  // before. Kill once the server holds this one, to prove the retry resumes from it.
  const serverCursor = await eventually(
    'the checkpoint to reach the Temporal server',
    async () => {
      const cursor = await heartbeatCursor(`programme-${id}/scan/${scanId}`);
      return cursor ?? undefined;
    },
    60_000,
    250,
  );

  const killedAt = Date.now();
  const exit = await service.worker.kill9();
  expect(exit.signal).toBe('SIGKILL');
  const abandoned = await within(held.abandoned, 10_000, 'the SMTP server to see the sender go');
  expect(abandoned.messageId).toBe(heldMessage.messageId);
  expect(mail.messages.filter((m) => m.messageId === heldMessage.messageId)).toHaveLength(0);
  expect(
    await count("SELECT COUNT(*) n FROM artefacts WHERE programme_id = ? AND kind = 'scope'", [
      writer.programmeId,
    ]),
  ).toBe(0);
  expect(
    await count('SELECT COUNT(DISTINCT kind, version) n FROM reports WHERE programme_id = ?', [id]),
  ).toBe(0);
  expect(await count('SELECT COUNT(*) n FROM mail_log WHERE message_id = ?', [heldMessage.messageId])).toBe(
    0,
  );

  // A new worker process, no fail points: every activity is retried and finishes once.
  await service.startWorker();
  expect(await scope).toMatchObject({ accepted: true });
  timings.dbWriteRecovered = Date.now() - killedAt;

  const reportResult = await report;
  expect(reportResult.status).toBeLessThan(300);
  expect((reportResult.body as { version: number }).version).toBe(1);
  timings.reportRecovered = Date.now() - killedAt;

  const scan = await eventually(
    'the scan to complete',
    async () => {
      const s = await service.get<ScanView>(`/programmes/${id}/inventory/scans/${scanId}`);
      return s.status === 'completed' ? s : undefined;
    },
    120_000,
  );
  timings.scanRecovered = Date.now() - killedAt;
  expect(scan.result?.attempts).toBe(2);
  expect(scan.result?.resumedFrom).toBe(serverCursor);
  expect(scan.filesScanned).toBe(FILLER_FILES + 2);
  const findings = await service.get<{ items: { id: string }[] }>(
    `/programmes/${id}/inventory/scans/${scanId}/findings`,
  );
  expect(findings.items.length).toBe(scan.findings);
  expect(new Set(findings.items.map((f) => f.id)).size).toBe(findings.items.length);

  const resent = await eventually(
    'the interrupted mail to be sent again',
    () => mail.messages.find((m) => m.messageId === heldMessage.messageId),
    150_000,
  );
  timings.mailRecovered = Date.now() - killedAt;
  expect(resent.to).toBe(heldMessage.to);
  expect(resent.subject).toBe(heldMessage.subject);

  for (const owner of [id, writer.programmeId])
    expect(
      await count("SELECT COUNT(*) n FROM artefacts WHERE programme_id = ? AND kind = 'scope'", [owner]),
    ).toBe(1);
  expect(
    await count(
      "SELECT COUNT(DISTINCT kind, version) n FROM reports WHERE programme_id = ? AND kind = 'inventory'",
      [id],
    ),
  ).toBe(1);
  // Every fail point fired exactly once (markers are exclusive), and the new worker did not block.
  expect(FAIL_POINTS.filter((p) => service.fired(p))).toEqual([...FAIL_POINTS]);
});

test('the programme then runs to certification, and every notification reached the SMTP server exactly once', async () => {
  const started = Date.now();
  await programme.decide({ gate: 'scope', outcome: 'approved', approver: PEOPLE.sponsor.email });
  const tasks = await completeGapAnalysis(programme);
  await completeImplementation(programme, tasks);
  await completeInternalAudit(programme);
  await completeManagementReview(programme);
  await holdCertificationAudits(programme);
  await grantCertificate(programme, 'CERT-KILL-1');
  const detail = await programme.waitForStep('SURVEILLANCE_1');
  expect(detail.cycle).toBe(1);
  expect(await programme.list('certificates')).toHaveLength(1);
  timings.journey = Date.now() - started;

  const smtp = await service.expectEachNotificationOnce(mail, programme.programmeId);
  // Approval requests for every gate and the step notices: well over a handful.
  expect(smtp.length).toBeGreaterThanOrEqual(10);
  // The one message cut off by the kill is among them, once.
  expect(mail.abandoned).toHaveLength(1);
  expect(smtp.filter((m) => m.messageId === mail.abandoned[0].messageId)).toHaveLength(1);
  process.stdout.write(`worker-kill: ${smtp.length} notifications, each received once\n`);
});
