/** Fail points (infra/fail-points.ts): inert unless armed; an armed one fires once. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { armedFailPoints, failPoint, markerPath, releasePath } from '../../infra/fail-points';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimsflow-fail-points-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('unarmed points return at once and leave no marker', async () => {
  await failPoint('db.before-commit', {});
  await failPoint('db.before-commit', {
    AIMSFLOW_FAIL_POINTS: 'scan.after-checkpoint',
    AIMSFLOW_FAIL_POINT_DIR: dir,
  });
  expect(fs.readdirSync(dir)).toEqual([]);
});

test('a paused point writes its marker, waits for the release, and fires only once', async () => {
  const env = { AIMSFLOW_FAIL_POINTS: 'report.before-store=pause', AIMSFLOW_FAIL_POINT_DIR: dir };
  let passed = false;
  const first = failPoint('report.before-store', env).then(() => (passed = true));
  for (let i = 0; i < 100 && !fs.existsSync(markerPath(dir, 'report.before-store')); i++)
    await new Promise((resolve) => setTimeout(resolve, 10));
  expect(fs.existsSync(markerPath(dir, 'report.before-store'))).toBe(true);
  expect(passed).toBe(false);
  fs.writeFileSync(releasePath(dir, 'report.before-store'), '');
  await first;
  expect(passed).toBe(true);
  // Fired already: the next pass goes straight through, even without a release file.
  fs.rmSync(releasePath(dir, 'report.before-store'));
  await failPoint('report.before-store', env);
});

test('unknown points and actions are configuration errors', () => {
  expect(() => armedFailPoints({ AIMSFLOW_FAIL_POINTS: 'db.nope' })).toThrow(/unknown fail point db.nope/);
  expect(() => armedFailPoints({ AIMSFLOW_FAIL_POINTS: 'db.before-commit=explode' })).toThrow(
    /hang or pause/,
  );
  expect([
    ...armedFailPoints({ AIMSFLOW_FAIL_POINTS: 'db.before-commit, scan.after-checkpoint=pause' }),
  ]).toEqual([
    ['db.before-commit', 'hang'],
    ['scan.after-checkpoint', 'pause'],
  ]);
});
