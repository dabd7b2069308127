/**
 * The scan activity in Temporal's MockActivityEnvironment: it heartbeats a checkpoint after
 * each batch (only once the batch's findings are stored), and an attempt that starts with
 * heartbeat details resumes after their cursor instead of rescanning the tree.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  createInventoryActivities,
  readCheckpoint,
  type InventoryActivityDeps,
  type ScanCheckpoint,
} from '../../activities/inventory';
import type { InventoryActivities, ScanSourceInput, ScanSourceResult } from '../../domain/contracts/analysis';
import { scanTree } from '../../services/inventory/scanner';
import type { ScanFinding } from '../../domain/inventory/types';
import { comparePaths } from '../../domain/inventory/systems';
import { createFixtureRepo, type FixtureRepo } from '../support/inventory-fixtures';

const LIMITS = { maxFileBytes: 64 * 1024, maxFiles: 1000, maxDepth: 20 };
let repo: FixtureRepo;
beforeAll(() => {
  repo = createFixtureRepo();
});
afterAll(() => repo.cleanup());

/** Records what the activity stores, in order, so the test can check what came before which heartbeat. */
function fakeInventory() {
  const saved: ScanFinding[][] = [];
  const events: string[] = [];
  const inventory: InventoryActivityDeps['inventory'] = {
    markRunning: () => Promise.resolve(),
    updateProgress: () => Promise.resolve(),
    saveFindings: (_p, _s, findings) => {
      saved.push([...findings]);
      events.push(`save ${findings.length}`);
      return Promise.resolve();
    },
    listFindings: () => Promise.resolve(saved.flat()),
    applyObservations: () => Promise.reject(new Error('not used here')),
    failScan: () => Promise.resolve(),
  };
  return { inventory, saved, events };
}

function activities(inventory: InventoryActivityDeps['inventory'], roots = [repo.root]) {
  return createInventoryActivities({
    // Only an import reads a stored body; these tests scan.
    bodies: { read: () => Promise.reject(new Error('not used here')) },
    inventory,
    settings: { roots, limits: LIMITS, checkpointFiles: 5, checkpointMs: 60_000 },
  });
}

const input = (): ScanSourceInput => ({ programmeId: 'p-1', scanId: 'scan-1', path: repo.root });

function runScan(env: MockActivityEnvironment, acts: InventoryActivities): Promise<ScanSourceResult> {
  return env.run<[ScanSourceInput], ScanSourceResult, InventoryActivities['scanSource']>(
    (i) => acts.scanSource(i),
    input(),
  );
}

test('a fresh scan heartbeats a checkpoint per batch, after storing that batch', async () => {
  const store = fakeInventory();
  const env = new MockActivityEnvironment({ attempt: 1 });
  const heartbeats: ScanCheckpoint[] = [];
  env.on('heartbeat', (details: unknown) => {
    const checkpoint = readCheckpoint(details);
    if (checkpoint) {
      heartbeats.push(structuredClone(checkpoint));
      store.events.push(`heartbeat ${checkpoint.filesScanned}`);
    }
  });
  const result = await runScan(env, activities(store.inventory));

  const expected = await scanTree(repo.root, LIMITS);
  expect(result).toMatchObject({
    rootName: 'acme',
    filesSeen: 30,
    filesScanned: 30,
    filesScannedThisAttempt: 30,
    findings: expected.findings.length,
    attempt: 1,
  });
  expect(result.resumedFrom).toBeUndefined();
  expect(store.saved.flat().map((f) => f.id)).toEqual(expected.findings.map((f) => f.id));
  expect(result.skipped).toEqual(expected.skipped);
  // Six batches of five files; each heartbeat follows the save of its batch.
  expect(heartbeats.map((h) => h.filesScanned)).toEqual([5, 10, 15, 20, 25, 30]);
  expect(store.events.filter((e) => e.startsWith('heartbeat'))).toHaveLength(6);
  store.events.forEach((e, i) => {
    if (e.startsWith('heartbeat')) expect(store.events[i - 1]).toMatch(/^save /);
  });
  const cursors = heartbeats.map((h) => h.cursor as string);
  expect([...cursors].sort(comparePaths)).toEqual(cursors);
});

test('a retry resumes after the cursor of the last heartbeat and scans only the rest', async () => {
  // Run once to learn where the second checkpoint (10 files) put its cursor.
  const first = fakeInventory();
  const firstEnv = new MockActivityEnvironment({ attempt: 1 });
  const checkpoints: ScanCheckpoint[] = [];
  firstEnv.on('heartbeat', (d: unknown) => {
    const c = readCheckpoint(d);
    if (c) checkpoints.push(structuredClone(c));
  });
  await runScan(firstEnv, activities(first.inventory));
  const afterTen = checkpoints.find((c) => c.filesScanned === 10) as ScanCheckpoint;
  const storedBeforeCrash = first.saved.slice(0, 2).flat();

  const retry = fakeInventory();
  const env = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: afterTen });
  const result = await runScan(env, activities(retry.inventory));

  expect(result).toMatchObject({
    attempt: 2,
    resumedFrom: afterTen.cursor,
    filesScanned: 30,
    filesScannedThisAttempt: 20,
  });
  // The retry stores only what lies after the cursor; with the first two batches that is the whole scan.
  expect(retry.saved.flat().every((f) => comparePaths(f.path, afterTen.cursor as string) > 0)).toBe(true);
  const whole = await scanTree(repo.root, LIMITS);
  expect([...storedBeforeCrash, ...retry.saved.flat()].map((f) => f.id)).toEqual(
    whole.findings.map((f) => f.id),
  );
  expect(result.findings).toBe(whole.findings.length);
});

test('heartbeat details that are not a checkpoint are ignored: the scan starts over', async () => {
  const store = fakeInventory();
  const env = new MockActivityEnvironment({ attempt: 3, heartbeatDetails: { progress: 0.5 } });
  const result = await runScan(env, activities(store.inventory));
  expect(result.filesScannedThisAttempt).toBe(30);
  expect(result.resumedFrom).toBeUndefined();
});

test('a path outside the scan roots is rejected for good, before anything is read', async () => {
  const store = fakeInventory();
  const env = new MockActivityEnvironment();
  const run = runScan(env, activities(store.inventory, [repo.outside]));
  await expect(run).rejects.toThrow(ApplicationFailure);
  await expect(run).rejects.toMatchObject({ type: 'ScanRejected', nonRetryable: true });
  expect(store.saved).toEqual([]);
});
