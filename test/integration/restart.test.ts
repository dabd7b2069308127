/**
 * Restarting the worker, the API or the Temporal server in the middle of a programme loses
 * nothing: the dev server persists to a SQLite file, and the journey resumes where it was.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundle } from '@temporalio/worker';
import type { DevServer } from '../../infra/temporal-server';
import { GAPS, PEOPLE, assessmentItems } from '../support/fixtures';
import { http, HttpJourneyPort, type ProgrammeDetail } from '../support/http-port';
import { completeImplementation, completeScoping } from '../support/journey';
import { startStack, type Stack } from '../support/stack';
import { startPersistentDevServer } from '../support/temporal';

let dir: string;
let server: DevServer;
let stack: Stack;
let bundle: WorkflowBundle;
let programme: HttpJourneyPort;

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimsflow-restart-'));
  bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: new DefaultLogger('WARN'),
  });
  server = await startPersistentDevServer(path.join(dir, 'temporal.sqlite'));
  stack = await startStack({
    address: server.address,
    databaseUrl: `sqlite:${path.join(dir, 'aimsflow.sqlite')}`,
    workflowBundle: bundle,
  });
  const res = await http(
    stack.baseUrl(),
    'POST',
    '/programmes',
    { organisation: 'Restart Ltd', name: 'AIMS' },
    stack.authHeader(),
  );
  programme = new HttpJourneyPort(() => stack.baseUrl(), (res.body as { id: string }).id, stack.authHeader());
  await completeScoping(programme);
  await programme.waitForStep('GAP_ANALYSIS');
  await programme.submit({
    kind: 'assessments',
    items: assessmentItems().map((a) => ({ ...a, evidence: [] })),
  });
});

afterAll(async () => {
  await stack?.stop();
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** What must survive every restart: the programme's position, its gates and its records. */
async function snapshot(): Promise<Record<string, unknown>> {
  const detail: ProgrammeDetail = await programme.waitForStep('GAP_ANALYSIS');
  const items = async (p: string) =>
    (
      (
        await http(
          stack.baseUrl(),
          'GET',
          `/programmes/${programme.programmeId}/${p}`,
          undefined,
          stack.authHeader(),
        )
      ).body as {
        items: unknown[];
      }
    ).items;
  return {
    step: detail.step,
    cycle: detail.cycle,
    unmetGates: detail.unmetGates,
    history: await items('history'),
    assessments: (await items('assessments')).length,
    tasks: await items('tasks'),
    decisions: await items('decisions'),
  };
}

const addTask = (requirementId: string) =>
  programme.submit({
    kind: 'roadmapTask',
    requirementId,
    title: `Close ${requirementId}`,
    owner: PEOPLE.complianceLead.email,
    deadline: '2027-06-30T00:00:00Z',
  });

test('a worker restart mid-step loses nothing', async () => {
  await addTask('6.1.4');
  const before = await snapshot();
  await stack.stopWorker();
  await stack.startWorker();
  expect(await snapshot()).toEqual(before);
  await addTask('8.4');
});

test('an API restart mid-step loses nothing', async () => {
  const before = await snapshot();
  const oldUrl = stack.baseUrl();
  await stack.stopApi();
  await expect(fetch(`${oldUrl}/healthz`)).rejects.toThrow();
  await stack.startApi();
  expect(await snapshot()).toEqual(before);
  await addTask('A.5.2');
});

test('a Temporal server restart mid-step loses nothing, and the programme then completes the step', async () => {
  const before = await snapshot();
  await stack.stopWorker();
  const port = Number(server.address.split(':')[1]);
  await server.stop();
  server = await startPersistentDevServer(path.join(dir, 'temporal.sqlite'), { port });
  await stack.connect(server.address);
  await stack.startWorker();
  expect(await snapshot()).toEqual(before);

  // The journey carries on: the remaining gaps get tasks, the roadmap is approved.
  const planned = new Set(['6.1.4', '8.4', 'A.5.2']);
  const taskIds = ((before.tasks as { id: string }[]) ?? []).map((t) => t.id);
  for (const id of Object.keys(GAPS).filter((r) => !planned.has(r)))
    taskIds.push((await addTask(id)).recordId as string);
  await programme.decide({ gate: 'roadmap', outcome: 'approved', approver: PEOPLE.sponsor.email });
  await completeImplementation(programme, [...taskIds, ...(await currentTaskIds())].filter(unique));
  const detail = await programme.waitForStep('INTERNAL_AUDIT');
  expect(detail.cycle).toBe(1);
});

const unique = (v: string, i: number, all: string[]) => all.indexOf(v) === i;
async function currentTaskIds(): Promise<string[]> {
  const res = await http(
    stack.baseUrl(),
    'GET',
    `/programmes/${programme.programmeId}/tasks`,
    undefined,
    stack.authHeader(),
  );
  return (res.body as { items: { id: string }[] }).items.map((t) => t.id);
}
