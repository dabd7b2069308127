/**
 * The inventory scan workflow with mocked activities on the time-skipping server: a scan that
 * finds a new AI system in scope makes the programme's running stage open an impact-assessment
 * task; a rejected scan is recorded as failed; a programme that is gone does not fail the scan.
 */
import { randomUUID } from 'node:crypto';
import { idleKpiActivities } from '../support/kpi-activities';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { InventoryActivities, ScanOutcome, ScanSourceResult } from '../../domain/contracts/analysis';
import type { DomainRecords, PersistenceActivities } from '../../domain/contracts/persistence';
import { createDroppingNotificationActivities } from '../../activities/notifications';
import { ProgrammeConfig, type StageInput } from '../../domain/schemas';
import type { InventoryScanInput } from '../../domain/contracts/workflows';
import { programmeViewQuery, submitInputUpdate } from '../../domain/messages';
import type { inventoryScanWorkflow, programmeWorkflow } from '../../workflows';
import { PEOPLE, scopeBody } from '../support/fixtures';
import type { JourneyPort } from '../support/journey';
import { createTimeSkippingEnv } from '../support/temporal';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: new DefaultLogger('WARN'),
  });
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const scanned: ScanSourceResult = {
  rootName: 'acme',
  filesSeen: 30,
  filesScanned: 30,
  filesScannedThisAttempt: 30,
  findings: 46,
  skipped: [],
  attempt: 1,
};

const outcome = (newInScope: ScanOutcome['newInScope']): ScanOutcome => ({
  diff: { new: newInScope.map((s) => s.id), changed: [], gone: [], unchanged: 0 },
  newInScope,
  skipped: [],
});

function inventoryMocks(overrides: Partial<InventoryActivities> = {}) {
  const calls: string[] = [];
  const acts: InventoryActivities = {
    scanSource: (i) => {
      calls.push(`scan ${i.path}`);
      return Promise.resolve(scanned);
    },
    applyScan: (i) => {
      calls.push(`apply ${i.scanned.rootName} inScope=${String(i.inScope)}`);
      return Promise.resolve(outcome([{ id: 'shadow-llm', name: 'shadow-llm', owner: '@acme/platform' }]));
    },
    applyImport: (i) => {
      calls.push(`import ${i.format} ${i.register}`);
      return Promise.resolve(outcome([]));
    },
    failScan: (i) => {
      calls.push(`fail ${i.error}`);
      return Promise.resolve();
    },
    ...overrides,
  };
  return { acts, calls };
}

async function withWorker<T>(
  inventory: InventoryActivities,
  fn: (taskQueue: string, records: DomainRecords[]) => Promise<T>,
): Promise<T> {
  const taskQueue = `inv-${randomUUID()}`;
  const records: DomainRecords[] = [];
  const persistence: PersistenceActivities = {
    recordProgramme: () => Promise.resolve(),
    recordTransition: () => Promise.resolve(),
    saveRecords: (_p, _c, r) => {
      records.push(r);
      return Promise.resolve();
    },
  };
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: {
      ...persistence,
      ...createDroppingNotificationActivities(),
      ...inventory,
      ...idleKpiActivities,
    },
  });
  return worker.runUntil(() => fn(taskQueue, records));
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < 400; i++) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`not reached; last: ${JSON.stringify(last)}`);
}

const scanInput = (
  programmeWorkflowId: string,
  source: InventoryScanInput['source'],
): InventoryScanInput => ({
  programmeId: 'p-1',
  programmeWorkflowId,
  scanId: `scan-${randomUUID()}`,
  source,
});

test('a new AI system in scope becomes an impact-assessment task in the running stage', async () => {
  const { acts, calls } = inventoryMocks();
  await withWorker(acts, async (taskQueue, records) => {
    const programmeId = randomUUID();
    const handle = await env.client.workflow.start<typeof programmeWorkflow>('programmeWorkflow', {
      taskQueue,
      workflowId: `programme-${programmeId}`,
      args: [
        {
          programmeId,
          organisation: 'Acme Ltd',
          name: 'AIMS',
          config: ProgrammeConfig.parse({ impactAssessmentDue: 'P10D' }),
        },
      ],
    });
    const view = () => handle.query(programmeViewQuery);
    const stage = async () => env.client.workflow.getHandle((await view()).stageWorkflowId as string);
    const port: JourneyPort = {
      submit: async (input: StageInput) =>
        (await stage()).executeUpdate(submitInputUpdate, { args: [input] }),
      decide: () => Promise.reject(new Error('not used')),
      waitForStep: (step) => until(view, (v) => v.step === step && v.stageWorkflowId !== null),
    };
    await port.waitForStep('SCOPING');
    await port.submit({ kind: 'scope', ...scopeBody() } as StageInput);

    const result = await env.client.workflow.execute<typeof inventoryScanWorkflow>('inventoryScanWorkflow', {
      taskQueue,
      workflowId: `scan-${randomUUID()}`,
      args: [scanInput(handle.workflowId, { kind: 'scan', path: '/srv/code/acme', inScope: true })],
    });
    expect(result.newInScope.map((s) => s.id)).toEqual(['shadow-llm']);
    expect(calls).toEqual(['scan /srv/code/acme', 'apply acme inScope=true']);

    const saved = await until(
      () => Promise.resolve(records.flatMap((r) => r.tasks ?? [])),
      (tasks) => tasks.length > 0,
    );
    const task = saved[0];
    expect(task).toMatchObject({
      id: 'T-1',
      requirementId: '8.4',
      title: 'Impact assessment of newly discovered AI system shadow-llm (shadow-llm)',
      owner: PEOPLE.complianceLead.email,
      status: 'open',
    });
    // Ten days (impactAssessmentDue) after the discovery, in workflow time.
    const days = (Date.parse(task.deadline) - Date.parse((await view()).history[0].at)) / 86_400_000;
    expect(Math.round(days)).toBe(10);
  });
});

test('a rejected scan is recorded as failed and the workflow fails with the reason', async () => {
  const { acts, calls } = inventoryMocks({
    scanSource: () =>
      Promise.reject(
        ApplicationFailure.nonRetryable(
          '/etc is outside the directories this service may scan',
          'ScanRejected',
        ),
      ),
  });
  await withWorker(acts, async (taskQueue) => {
    const run = env.client.workflow.execute<typeof inventoryScanWorkflow>('inventoryScanWorkflow', {
      taskQueue,
      workflowId: `scan-${randomUUID()}`,
      args: [scanInput('programme-none', { kind: 'scan', path: '/etc', inScope: true })],
    });
    await expect(run).rejects.toBeInstanceOf(WorkflowFailedError);
    expect(calls).toEqual([expect.stringMatching(/^fail .*outside the directories this service may scan/)]);
  });
});

test('imports run the import activity; a programme that is gone does not fail the scan', async () => {
  const { acts, calls } = inventoryMocks({
    applyImport: (i) => {
      calls.push(`import ${i.format} ${i.register}`);
      return Promise.resolve(outcome([{ id: 'ocr', name: 'Invoice OCR' }]));
    },
  });
  await withWorker(acts, async (taskQueue) => {
    const result = await env.client.workflow.execute<typeof inventoryScanWorkflow>('inventoryScanWorkflow', {
      taskQueue,
      workflowId: `import-${randomUUID()}`,
      args: [
        scanInput('programme-that-never-existed', {
          kind: 'import',
          format: 'csv',
          content: 'id,name\nocr,Invoice OCR\n',
          register: 'finance',
        }),
      ],
    });
    expect(result.diff.new).toEqual(['ocr']);
    expect(calls).toEqual(['import csv finance']);
  });
});
