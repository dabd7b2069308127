/**
 * Histories recorded from a real run of each workflow version must replay against the current
 * code. A failure here means a change would break running programmes. Before 1.0.0 nothing is
 * running anywhere, so the fixtures are re-recorded instead:
 *   RECORD_REPLAY_HISTORIES=0.1.0 npx jest test/integration/journey-api.test.ts
 * From 1.0.0 on, each release adds its folder and a change that fails here needs patched() or
 * a new worker deployment version (docs/architecture.md, Versioning).
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';

const root = path.join(__dirname, '..', 'replay', 'histories');
const versions = fs.readdirSync(root).filter((v) => fs.statSync(path.join(root, v)).isDirectory());

let bundle: WorkflowBundle;
beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: new DefaultLogger('WARN'),
  });
});

test('there are recorded histories to replay', () => {
  expect(versions.length).toBeGreaterThan(0);
});

test.each(versions)('histories of shipped version %s replay without nondeterminism', async (version) => {
  const dir = path.join(root, version);
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
  expect(files.length).toBeGreaterThanOrEqual(12);
  const histories = files.map((f) => {
    const record = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as {
      workflowId: string;
      history: unknown;
    };
    return { workflowId: record.workflowId, history: historyFromJSON(record.history) };
  });
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: bundle, replayName: version },
    histories,
  )) {
    if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
  }
  expect(failures).toEqual([]);
});
