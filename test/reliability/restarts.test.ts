/**
 * Restarting the Temporal dev server (persisted to a SQLite file) and the API process in the
 * middle of a programme loses nothing: the worker and API processes ride out the server's
 * restart on their own, the API answers 503 with Retry-After meanwhile, and after each restart
 * every record, the programme's position and its pending approvals are as they were. The
 * programme then runs to certification with every notification sent once. Worker and API are
 * the production entry points running as processes; MariaDB and an SMTP server are real.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DevServer } from '../../infra/temporal-server';
import type { StageInput } from '../../domain/schemas';
import type { Target } from '../support/databases';
import { faultSuiteDatabase } from '../support/private-mariadb';
import { GAPS, PEOPLE, assessmentItems } from '../support/fixtures';
import {
  completeImplementation,
  completeInternalAudit,
  completeManagementReview,
  completeScoping,
  grantCertificate,
  holdCertificationAudits,
} from '../support/journey';
import { MailCatcher } from '../support/mail';
import { Service, type ProgrammeClient } from '../support/processes';
import { startPersistentDevServer } from '../support/temporal';

jest.setTimeout(300_000);

let dir: string;
let temporal: DevServer;
let mail: MailCatcher;
let target: Target;
let service: Service;
let programme: ProgrammeClient;
const timings: Record<string, number> = {};

beforeAll(async () => {
  const started = Date.now();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimsflow-restarts-'));
  temporal = await startPersistentDevServer(path.join(dir, 'temporal.sqlite'));
  mail = await MailCatcher.start();
  target = await faultSuiteDatabase();
  service = await Service.create({
    temporalAddress: temporal.address,
    databaseUrl: await target.freshDatabase('restarts'),
    smtpUrl: mail.url,
  });
  await service.api.start();
  await service.startWorker();

  programme = await service.startProgramme('Restarted Ltd');
  await completeScoping(programme);
  await programme.waitForStep('GAP_ANALYSIS');
  await programme.submit({ kind: 'assessments', items: assessmentItems() } as StageInput);
  await addTask('6.1.4');
  timings.setup = Date.now() - started;
});

afterAll(async () => {
  await service?.stop();
  await target?.cleanup();
  await mail?.stop();
  await temporal?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`restarts timings (ms): ${JSON.stringify(timings)}\n`);
});

const addTask = (requirementId: string) =>
  programme.submit({
    kind: 'roadmapTask',
    requirementId,
    title: `Close ${requirementId}`,
    owner: PEOPLE.complianceLead.email,
    deadline: '2027-06-30T00:00:00Z',
  });

/** What must survive every restart: position, gates, approvals in flight, and the records. */
async function snapshot(): Promise<Record<string, unknown>> {
  const detail = await programme.waitForStep('GAP_ANALYSIS', 90_000);
  return {
    step: detail.step,
    cycle: detail.cycle,
    status: detail.status,
    unmetGates: detail.unmetGates,
    pendingApprovals: detail.pendingApprovals,
    history: await programme.list('history'),
    assessments: (await programme.list('assessments')).length,
    tasks: await programme.list('tasks'),
    decisions: await programme.list('decisions'),
    artefacts: await programme.list('artefacts'),
  };
}

test('a Temporal dev server restart mid-programme: the API answers 503 meanwhile, the processes reconnect, nothing is lost', async () => {
  const before = await snapshot();
  expect(before.tasks).toHaveLength(1);
  const port = Number(temporal.address.split(':')[1]);

  const stoppedAt = Date.now();
  await temporal.stop();
  // Temporal is down: an input, which needs it, is a 503 with Retry-After (and is not applied);
  // reads are served from the database, the programme view marked as not live.
  const down = await service.request('POST', `/programmes/${programme.programmeId}/tasks`, {
    requirementId: 'A.7.5',
    title: 'Sent while Temporal is down',
    owner: PEOPLE.complianceLead.email,
    deadline: '2027-06-30T00:00:00Z',
  });
  expect(down.status).toBe(503);
  expect(down.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
  const degraded = await service.get<{ live: boolean; step: string }>(`/programmes/${programme.programmeId}`);
  expect(degraded).toMatchObject({ live: false, step: 'GAP_ANALYSIS' });
  expect(await programme.list('tasks')).toEqual(before.tasks);

  temporal = await startPersistentDevServer(path.join(dir, 'temporal.sqlite'), { port });
  // Neither process was restarted: both reconnect by themselves.
  expect(service.worker.running).toBe(true);
  expect(service.api.running).toBe(true);
  expect(await snapshot()).toEqual(before);
  timings.temporalRestart = Date.now() - stoppedAt;

  // The worker runs the workflows again: a new input is accepted and persisted.
  await addTask('8.4');
  expect(await programme.list('tasks')).toHaveLength(2);
});

test('an API restart mid-programme, orderly or killed: nothing is lost', async () => {
  const before = await snapshot();
  const restartedAt = Date.now();
  await service.api.stop();
  await expect(fetch(`${service.baseUrl}/healthz`)).rejects.toThrow();
  await service.api.start();
  expect(await snapshot()).toEqual(before);

  const exit = await service.api.kill9();
  expect(exit.signal).toBe('SIGKILL');
  await expect(fetch(`${service.baseUrl}/healthz`)).rejects.toThrow();
  await service.api.start();
  expect(await snapshot()).toEqual(before);
  timings.apiRestarts = Date.now() - restartedAt;
  await addTask('A.5.2');
});

test('the programme then runs to certification; every record and every notification exactly once', async () => {
  const started = Date.now();
  const planned = new Set(['6.1.4', '8.4', 'A.5.2']);
  for (const requirementId of Object.keys(GAPS).filter((r) => !planned.has(r))) await addTask(requirementId);
  await programme.decide({ gate: 'roadmap', outcome: 'approved', approver: PEOPLE.sponsor.email });
  const tasks = (await programme.list<{ id: string }>('tasks')).map((t) => t.id);
  expect(tasks).toHaveLength(Object.keys(GAPS).length);
  await completeImplementation(programme, tasks);
  await completeInternalAudit(programme);
  await completeManagementReview(programme);
  await holdCertificationAudits(programme);
  await grantCertificate(programme, 'CERT-RESTART-1');
  expect((await programme.waitForStep('SURVEILLANCE_1')).cycle).toBe(1);
  timings.journey = Date.now() - started;

  const history = await programme.list<{ to?: string; step?: string }>('history');
  expect(history.length).toBeGreaterThanOrEqual(6);
  expect(await programme.list('certificates')).toHaveLength(1);
  const decisions = await programme.list<{ gate: string }>('decisions');
  // scope, roadmap, ai_policy, risk_treatment_plan, soa, management_review, certification_body
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

  const received = await service.expectEachNotificationOnce(mail, programme.programmeId);
  // An approval request per gate (7) and the step notices.
  expect(received.length).toBeGreaterThanOrEqual(10);
  process.stdout.write(`restarts: ${received.length} notifications, each received once\n`);
});
