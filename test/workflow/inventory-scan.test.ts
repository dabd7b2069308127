/**
 * The inventory scan workflow with mocked inventory activities on the time-skipping server and
 * the real persistence activities over an in-memory database: a scan that finds a new AI system
 * in scope makes the programme's running stage open an impact-assessment task; a rejected scan
 * is recorded as failed; a programme that is gone does not fail the scan.
 */
import { randomUUID } from 'node:crypto';
import { idleKpiActivities } from '../support/kpi-activities';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { InventoryActivities, ScanOutcome, ScanSourceResult } from '../../domain/contracts/analysis';
import type { BodyRef } from '../../domain/contracts/persistence';
import { createDroppingNotificationActivities } from '../../activities/notifications';
import { InventoryRepository } from '../../db/inventory-repository';
import type { DiscoveryEvent } from '../../domain/discoveries';
import { summariseScan, type AiSystemObservation } from '../../domain/inventory/types';
import { ProgrammeConfig, StageInput } from '../../domain/schemas';
import type { InventoryScanInput } from '../../domain/contracts/workflows';
import { aiSystemsDiscoveredSignal, programmeViewQuery } from '../../domain/messages';
import type { inventoryScanWorkflow, programmeWorkflow } from '../../workflows';
import { PEOPLE, scopeBody } from '../support/fixtures';
import type { JourneyPort } from '../support/journey';
import { createTimeSkippingEnv } from '../support/temporal';
import { idleReportActivities, openWorkflowStore, type WorkflowStore } from '../support/workflow-harness';

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

/** The AI system the scan of the acme tree observes. */
const shadowLlm: AiSystemObservation = {
  id: 'shadow-llm',
  name: 'shadow-llm',
  owner: '@acme/platform',
  lifecycleStage: 'unknown',
  dataSources: [],
  models: ['gpt-4o'],
  thirdPartyServices: ['openai'],
  frameworks: ['langchain'],
  locations: ['services/chat/app.py:3'],
  registered: false,
};

function inventoryMocks(overrides: Partial<InventoryActivities> = {}) {
  const calls: string[] = [];
  const acts: InventoryActivities = {
    scanSource: (i) => {
      calls.push(`scan ${i.path}`);
      return Promise.resolve(scanned);
    },
    applyScan: (i) => {
      calls.push(`apply ${i.scanned.rootName} inScope=${String(i.inScope)}`);
      return Promise.resolve(
        summariseScan(outcome([{ id: 'shadow-llm', name: 'shadow-llm', owner: '@acme/platform' }])),
      );
    },
    applyImport: (i) => {
      calls.push(`import ${i.format} ${i.register}`);
      return Promise.resolve(summariseScan(outcome([])));
    },
    failScan: (i) => {
      calls.push(`fail ${i.error}`);
      return Promise.resolve();
    },
    ...overrides,
  };
  return { acts, calls };
}

/** A worker with the real persistence activities over `store`'s database and the given inventory mocks. */
async function withWorker<T>(
  store: WorkflowStore,
  inventory: InventoryActivities,
  fn: (taskQueue: string) => Promise<T>,
): Promise<T> {
  const taskQueue = `inv-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: {
      ...store.activities(),
      ...createDroppingNotificationActivities(),
      ...inventory,
      ...idleKpiActivities,
      ...idleReportActivities,
    },
  });
  return worker.runUntil(() => fn(taskQueue));
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
  programmeId = 'p-1',
): InventoryScanInput => ({
  programmeId,
  programmeWorkflowId,
  scanId: `scan-${randomUUID()}`,
  source,
});

/** The discovery signals a workflow received, as their payloads arrived. */
async function discoverySignals(handle: WorkflowHandle): Promise<DiscoveryEvent[]> {
  const { events } = await handle.fetchHistory();
  return (events ?? [])
    .map((e) => e.workflowExecutionSignaledEventAttributes)
    .filter((a) => a?.signalName === aiSystemsDiscoveredSignal.name)
    .map((a) => defaultPayloadConverter.fromPayload<DiscoveryEvent>(a?.input?.payloads?.[0] as Payload));
}

test('a new AI system in scope becomes an impact-assessment task in the running stage', async () => {
  const store = await openWorkflowStore();
  const inventory = new InventoryRepository(store.dataSource);
  const { acts, calls } = inventoryMocks({
    // As the real activity does: the scan's record keeps the outcome, the workflow gets its counts.
    applyScan: async (i) => {
      calls.push(`apply ${i.scanned.rootName} inScope=${String(i.inScope)}`);
      const applied = await inventory.applyObservations({
        programmeId: i.programmeId,
        scanId: i.scanId,
        observations: [{ ...shadowLlm, inScope: i.inScope }],
        progress: { filesSeen: i.scanned.filesSeen, filesScanned: i.scanned.filesScanned, findings: 46 },
        skipped: [],
        at: new Date().toISOString(),
      });
      return summariseScan(applied);
    },
  });
  await withWorker(store, acts, async (taskQueue) => {
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
      // The API validates the body (schema defaults included) before it stores it.
      submit: async (input: StageInput) => store.submit(await stage(), programmeId, StageInput.parse(input)),
      decide: () => Promise.reject(new Error('not used')),
      waitForStep: (step) => until(view, (v) => v.step === step && v.stageWorkflowId !== null),
    };
    await port.waitForStep('SCOPING');
    await port.submit({ kind: 'scope', ...scopeBody() } as StageInput);

    // The API records the scan before it starts the workflow.
    const input = scanInput(
      handle.workflowId,
      { kind: 'scan', path: '/srv/code/acme', inScope: true },
      programmeId,
    );
    await inventory.insertScan({
      programmeId,
      id: input.scanId,
      kind: 'scan',
      source: '/srv/code/acme',
      sourceKey: 'path:/srv/code/acme',
      inScope: true,
      requestedAt: new Date().toISOString(),
    });
    const result = await env.client.workflow.execute<typeof inventoryScanWorkflow>('inventoryScanWorkflow', {
      taskQueue,
      workflowId: `scan-${randomUUID()}`,
      args: [input],
    });
    // The workflow answers counts; the scan's record names the systems.
    expect(result).toMatchObject({ new: 1, newInScope: 1 });
    const record = await inventory.getScan(programmeId, input.scanId);
    expect(record?.result?.newInScope.map((s) => s.id)).toEqual(['shadow-llm']);
    expect(calls).toEqual(['scan /srv/code/acme', 'apply acme inScope=true']);

    // The programme hears only the scan's id; the stage reads the systems from its record.
    expect(await discoverySignals(handle)).toEqual([{ scanId: input.scanId }]);
    const stored = await until(
      () => store.repository.getTask(programmeId, 'T-1'),
      (task) => task !== null,
    );
    expect(stored).toMatchObject({
      id: 'T-1',
      requirementId: '8.4',
      title: 'Impact assessment of newly discovered AI system shadow-llm (shadow-llm)',
      owner: PEOPLE.complianceLead.email,
      status: 'open',
    });
    const saved = store
      .changes()
      .flatMap((c) => c.tasks ?? [])
      .filter((t) => t.fact.id === 'T-1');
    expect(saved).toEqual([
      expect.objectContaining({ discovered: { systemId: 'shadow-llm', name: 'shadow-llm' } }),
    ]);
    const task = store.task('T-1');
    expect(task).toMatchObject({
      id: 'T-1',
      requirementId: '8.4',
      owner: PEOPLE.complianceLead.email,
      status: 'open',
    });
    // Ten days (impactAssessmentDue) after the discovery, in workflow time.
    const deadline = task?.deadline as string;
    const days = (Date.parse(deadline) - Date.parse((await view()).history[0].at)) / 86_400_000;
    expect(Math.round(days)).toBe(10);
    expect(stored?.deadline).toBe(deadline);
  });
  await store.close();
});

test('a rejected scan is recorded as failed and the workflow fails with the reason', async () => {
  const store = await openWorkflowStore();
  const { acts, calls } = inventoryMocks({
    scanSource: () =>
      Promise.reject(
        ApplicationFailure.nonRetryable(
          '/etc is outside the directories this service may scan',
          'ScanRejected',
        ),
      ),
  });
  await withWorker(store, acts, async (taskQueue) => {
    const run = env.client.workflow.execute<typeof inventoryScanWorkflow>('inventoryScanWorkflow', {
      taskQueue,
      workflowId: `scan-${randomUUID()}`,
      args: [scanInput('programme-none', { kind: 'scan', path: '/etc', inScope: true })],
    });
    await expect(run).rejects.toBeInstanceOf(WorkflowFailedError);
    expect(calls).toEqual([expect.stringMatching(/^fail .*outside the directories this service may scan/)]);
  });
  await store.close();
});

test('imports run the import activity; a programme that is gone does not fail the scan', async () => {
  const store = await openWorkflowStore();
  const imported: BodyRef[] = [];
  const { acts, calls } = inventoryMocks({
    applyImport: (i) => {
      calls.push(`import ${i.format} ${i.register}`);
      imported.push(i.content);
      return Promise.resolve(summariseScan(outcome([{ id: 'ocr', name: 'Invoice OCR' }])));
    },
  });
  await withWorker(store, acts, async (taskQueue) => {
    // The API stores the register's content; the workflow carries its reference.
    const content = await store.repository.stageBody('p-1', 'inventoryImport', {
      content: 'id,name\nocr,Invoice OCR\n',
    });
    const result = await env.client.workflow.execute<typeof inventoryScanWorkflow>('inventoryScanWorkflow', {
      taskQueue,
      workflowId: `import-${randomUUID()}`,
      args: [
        scanInput('programme-that-never-existed', {
          kind: 'import',
          format: 'csv',
          content,
          register: 'finance',
        }),
      ],
    });
    // A new system in scope: the workflow tried to tell the programme, which is not there.
    expect(result).toMatchObject({ new: 1, newInScope: 1 });
    expect(calls).toEqual(['import csv finance']);
    expect(imported).toEqual([content]);
  });
  await store.close();
});
