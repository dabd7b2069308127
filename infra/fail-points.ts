/**
 * Fail points: named places in the activities where the reliability tests interrupt a worker
 * deterministically, instead of hoping a kill lands at the right moment. Every point is a no-op
 * unless the process was started with it armed:
 *
 *   AIMSFLOW_FAIL_POINTS=db.before-commit,report.before-store=pause
 *   AIMSFLOW_FAIL_POINT_DIR=/tmp/markers
 *
 * An armed point fires once: the first time execution reaches it, it creates the marker file
 * `<dir>/<name>` (exclusively, so a restarted worker with the same settings does not fire it
 * again) and then
 * - `hang` (the default) never returns: the test sees the marker and kills the worker with
 *   SIGKILL while the activity is provably in the middle of its work;
 * - `pause` waits until the file `<dir>/<name>.release` exists, then carries on: the test
 *   changes the world meanwhile (e.g. stops the database) and then lets the activity continue.
 *
 * Nothing here runs in production unless those variables are set (docs/operations.md, Fault
 * tolerance).
 */
import fs from 'node:fs';
import path from 'node:path';

export const FAIL_POINTS = [
  /** Inventory scan, right after a checkpoint's heartbeat (findings of the batch are stored). */
  'scan.after-checkpoint',
  /** Report generation, after every format is rendered and before the version is stored. */
  'report.before-store',
  /** Persistence of a stage's records, inside the transaction, before it commits. */
  'db.before-commit',
] as const;

export type FailPoint = (typeof FAIL_POINTS)[number];
export type FailPointAction = 'hang' | 'pause';

export const FAIL_POINTS_ENV = 'AIMSFLOW_FAIL_POINTS';
export const FAIL_POINT_DIR_ENV = 'AIMSFLOW_FAIL_POINT_DIR';

const RELEASE_POLL_MS = 50;

/** The armed points of an environment; throws on a name or action that does not exist. */
export function armedFailPoints(env: NodeJS.ProcessEnv = process.env): Map<FailPoint, FailPointAction> {
  const armed = new Map<FailPoint, FailPointAction>();
  const spec = env[FAIL_POINTS_ENV]?.trim();
  if (!spec) return armed;
  for (const item of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name, action = 'hang'] = item.split('=');
    if (!(FAIL_POINTS as readonly string[]).includes(name))
      throw new Error(`${FAIL_POINTS_ENV}: unknown fail point ${name} (known: ${FAIL_POINTS.join(', ')})`);
    if (action !== 'hang' && action !== 'pause')
      throw new Error(`${FAIL_POINTS_ENV}: ${name}=${action}: the action must be hang or pause`);
    armed.set(name as FailPoint, action);
  }
  return armed;
}

export function markerPath(dir: string, point: FailPoint): string {
  return path.join(dir, point);
}

export function releasePath(dir: string, point: FailPoint): string {
  return `${markerPath(dir, point)}.release`;
}

/** Creates the marker; false when it exists already (the point fired before). */
function claim(dir: string, point: FailPoint): boolean {
  try {
    fs.writeFileSync(
      markerPath(dir, point),
      `${JSON.stringify({ pid: process.pid, at: new Date().toISOString() })}\n`,
      {
        flag: 'wx',
      },
    );
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** Reached by the code at `point`; returns at once unless the point is armed and has not fired yet. */
export async function failPoint(point: FailPoint, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (!env[FAIL_POINTS_ENV]) return;
  const action = armedFailPoints(env).get(point);
  if (!action) return;
  const dir = env[FAIL_POINT_DIR_ENV];
  if (!dir) throw new Error(`${FAIL_POINTS_ENV} is set but ${FAIL_POINT_DIR_ENV} is not`);
  if (!claim(dir, point)) return;
  if (action === 'hang') return new Promise<void>(() => undefined);
  while (!fs.existsSync(releasePath(dir, point))) {
    await new Promise((resolve) => setTimeout(resolve, RELEASE_POLL_MS));
  }
}
