/**
 * MariaDB stopped for 30 s while an activity is executing: the activity's commit fails and it
 * is retried until the database is back; meanwhile the API answers 503 problem+json with
 * Retry-After to every request that needs the database, and answers 200 again once it is back,
 * without a restart of any process. The programme then goes on to the next step and runs to
 * certification. The database is a MariaDB server of this test's own (the shared one is never
 * stopped); worker and API are the production entry points running as processes.
 */
import { Client, Connection } from '@temporalio/client';
import { startDevServer, type DevServer } from '../../infra/temporal-server';
import type { StageInput } from '../../domain/schemas';
import { PEOPLE, scopeBody } from '../support/fixtures';
import {
  completeGapAnalysis,
  completeImplementation,
  completeInternalAudit,
  completeManagementReview,
  grantCertificate,
  holdCertificationAudits,
} from '../support/journey';
import { MailCatcher } from '../support/mail';
import { PrivateMariaDb } from '../support/private-mariadb';
import { eventually, Service, type ProgrammeClient } from '../support/processes';

jest.setTimeout(300_000);

const OUTAGE_MS = 30_000;

let temporal: DevServer;
let mariadb: PrivateMariaDb;
let mail: MailCatcher;
let service: Service;
let programme: ProgrammeClient;
const timings: Record<string, number> = {};

beforeAll(async () => {
  const started = Date.now();
  temporal = await startDevServer({ headless: true, logLevel: 'error' });
  mariadb = await PrivateMariaDb.start();
  await mariadb.createDatabase('aimsflow');
  mail = await MailCatcher.start();
  service = await Service.create({
    temporalAddress: temporal.address,
    databaseUrl: mariadb.url('aimsflow'),
    smtpUrl: mail.url,
  });
  await service.api.start();
  timings.setup = Date.now() - started;
});

afterAll(async () => {
  await service?.stop();
  await mail?.stop();
  await mariadb?.destroy();
  await temporal?.stop();
  process.stdout.write(`database-outage timings (ms): ${JSON.stringify(timings)}\n`);
});

/** Attempts of each activity the stage workflow ran, from its Temporal history. */
async function activityAttempts(workflowId: string): Promise<Map<string, number>> {
  const connection = await Connection.connect({ address: temporal.address });
  try {
    const history = await new Client({ connection }).workflow.getHandle(workflowId).fetchHistory();
    const scheduled = new Map<string, string>();
    const attempts = new Map<string, number>();
    for (const event of history.events ?? []) {
      const s = event.activityTaskScheduledEventAttributes;
      if (s) scheduled.set(String(event.eventId), s.activityType?.name ?? '');
      const started = event.activityTaskStartedEventAttributes;
      if (started) {
        const type = scheduled.get(String(started.scheduledEventId)) ?? '';
        attempts.set(type, Math.max(attempts.get(type) ?? 0, started.attempt ?? 0));
      }
    }
    return attempts;
  } finally {
    await connection.close();
  }
}

test('MariaDB down for 30 s mid-activity: 503 with Retry-After meanwhile, the activity retries, everything resumes', async () => {
  await service.startWorker({ points: { 'db.before-commit': 'pause' } });
  programme = await service.startProgramme('Outage Ltd');
  await programme.waitForStep('SCOPING');
  const id = programme.programmeId;
  expect((await service.request('GET', `/programmes/${id}/findings`)).status).toBe(200);

  // The scope's records are being written, inside the transaction, when the database goes away.
  const scope = programme.submit({ kind: 'scope', ...scopeBody() } as StageInput);
  scope.catch(() => undefined);
  await service.reached('db.before-commit');
  const stoppedAt = Date.now();
  await mariadb.stopServer();
  service.release('db.before-commit');

  // Every request that needs the database: 503 problem+json with Retry-After, promptly.
  let answered = 0;
  while (Date.now() - stoppedAt < OUTAGE_MS) {
    for (const urlPath of [`/programmes/${id}/findings`, `/programmes/${id}/tasks`, '/programmes']) {
      const asked = Date.now();
      const res = await service.request('GET', urlPath);
      expect(Date.now() - asked).toBeLessThan(10_000);
      expect({ urlPath, status: res.status }).toEqual({ urlPath, status: 503 });
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      answered++;
    }
    const ready = await service.request('GET', '/readyz');
    expect(ready.status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // pacing the probes, not synchronisation
  }
  expect(answered).toBeGreaterThanOrEqual(30);
  // Both processes are still up: nothing crashed on the lost connections.
  expect(service.worker.running).toBe(true);
  expect(service.api.running).toBe(true);
  timings.outage = Date.now() - stoppedAt;

  const restartedAt = Date.now();
  await mariadb.startServer();

  // The same API process answers 200 again once its pool has reconnected.
  await eventually(
    'the API to answer 200 for findings',
    async () =>
      (await service.request('GET', `/programmes/${id}/findings`)).status === 200 ? true : undefined,
    30_000,
    200,
  );
  timings.apiBack = Date.now() - restartedAt;
  // The interrupted write was retried: the scope input completes and its record is stored once.
  expect(await scope).toMatchObject({ accepted: true });
  timings.activityBack = Date.now() - restartedAt;
  const artefacts = await programme.list<{ kind: string }>('artefacts');
  expect(artefacts.filter((a) => a.kind === 'scope')).toHaveLength(1);
  const attempts = await activityAttempts(`programme-${id}/c1.SCOPING.1`);
  expect(attempts.get('saveRecords')).toBeGreaterThanOrEqual(2);

  // On to the next step.
  await programme.decide({ gate: 'scope', outcome: 'approved', approver: PEOPLE.sponsor.email });
  await programme.waitForStep('GAP_ANALYSIS');
});

test('the programme then runs to certification, with every notification sent once', async () => {
  const started = Date.now();
  const tasks = await completeGapAnalysis(programme);
  await completeImplementation(programme, tasks);
  await completeInternalAudit(programme);
  await completeManagementReview(programme);
  await holdCertificationAudits(programme);
  await grantCertificate(programme, 'CERT-OUTAGE-1');
  expect((await programme.waitForStep('SURVEILLANCE_1')).cycle).toBe(1);
  timings.journey = Date.now() - started;
  const received = await service.expectEachNotificationOnce(mail, programme.programmeId);
  expect(received.length).toBeGreaterThanOrEqual(10);
});
