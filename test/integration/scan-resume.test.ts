/**
 * A scan interrupted after a checkpoint resumes from it, on real parts: a Temporal dev server,
 * the real worker and activities, the API and each test database. The first attempt fails right
 * after its first checkpoint reached the server; the retry reads the heartbeat details and
 * scans only the files after the cursor, and the stored findings are exactly the tree's.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundle } from '@temporalio/worker';
import type { CheckpointEvent } from '../../activities/inventory';
import { scanTree } from '../../services/inventory/scanner';
import { testDatabases } from '../support/databases';
import { http } from '../support/http-port';
import { createFixtureRepo, type FixtureRepo } from '../support/inventory-fixtures';
import { startStack, type Stack } from '../support/stack';
import { createLocalEnv } from '../support/temporal';

const LIMITS = { maxFileBytes: 64 * 1024, maxFiles: 1000, maxDepth: 20 };

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
let repo: FixtureRepo;

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  env = await createLocalEnv();
  bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: new DefaultLogger('WARN'),
  });
  repo = createFixtureRepo();
});

afterAll(async () => {
  repo?.cleanup();
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

describe.each(testDatabases())('on $name', (db) => {
  let stack: Stack;
  const events: CheckpointEvent[] = [];

  beforeAll(async () => {
    stack = await startStack({
      address: env.address,
      databaseUrl: await db.freshDatabase('scan'),
      workflowBundle: bundle,
      scanRoots: [repo.root],
      scan: {
        limits: LIMITS,
        checkpointFiles: 5,
        checkpointMs: 60_000,
        onCheckpoint: async (event) => {
          events.push(event);
          if (event.attempt !== 1) return;
          // Fail only once the server holds this checkpoint, as a crash right after it would.
          const handle = stack
            .client()
            .workflow.getHandle(`programme-${event.programmeId}/scan/${event.scanId}`);
          await until(
            async () =>
              (await handle.describe()).raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.length ?? 0,
            (n) => n > 0,
            'heartbeat recorded',
          );
          throw new Error('worker lost after a checkpoint');
        },
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await db.cleanup();
  });

  test('the retry resumes after the checkpoint cursor: every file is scanned exactly once', async () => {
    const api = (method: string, path: string, body?: unknown) =>
      http(stack.baseUrl(), method, path, body, stack.authHeader());
    const created = await api('POST', '/programmes', { organisation: 'Acme Ltd', name: 'AIMS' });
    const programmeId = (created.body as { id: string }).id;

    const started = await api('POST', `/programmes/${programmeId}/inventory/scans`, { path: repo.root });
    expect(started.status).toBe(202);
    const location = started.headers.get('location') as string;
    const scan = await until(
      async () =>
        (await api('GET', location)).body as {
          status: string;
          result: { attempts: number; resumedFrom: string } | null;
          filesScanned: number;
          findings: number;
        },
      (s) => s.status === 'completed' || s.status === 'failed',
      'scan finished',
    );

    const first = events.filter((e) => e.attempt === 1);
    const second = events.filter((e) => e.attempt === 2);
    expect(first.map((e) => [e.checkpoint.filesScanned, e.filesScannedThisAttempt])).toEqual([[5, 5]]);
    expect(second.map((e) => e.checkpoint.filesScanned)).toEqual([10, 15, 20, 25, 30]);
    expect(second.at(-1)?.filesScannedThisAttempt).toBe(25);
    expect(scan).toMatchObject({
      status: 'completed',
      filesScanned: 30,
      result: { attempts: 2, resumedFrom: first[0].checkpoint.cursor },
    });

    const expected = await scanTree(repo.root, LIMITS);
    expect(scan.findings).toBe(expected.findings.length);
    const findings = (await api('GET', `${location}/findings`)).body as { items: { id: string }[] };
    expect(findings.items.map((f) => f.id)).toEqual(expected.findings.map((f) => f.id));
  });
});
