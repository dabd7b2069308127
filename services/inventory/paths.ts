/**
 * Which directories may be scanned: only those inside a configured root (SCAN_ROOTS), judged on
 * real paths so that a symbolic link cannot smuggle a scan out of a root.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { isWithin } from './walk';

export type ScanPathProblem = 'not-absolute' | 'missing' | 'not-directory' | 'outside-roots';

export type ScanPathResult =
  { ok: true; realPath: string } | { ok: false; problem: ScanPathProblem; detail: string };

export async function resolveScanPath(requested: string, roots: readonly string[]): Promise<ScanPathResult> {
  if (!path.isAbsolute(requested))
    return { ok: false, problem: 'not-absolute', detail: 'must be an absolute path' };
  if (requested.includes('\0')) return { ok: false, problem: 'missing', detail: 'no such directory' };
  const realRoots = await Promise.all(roots.map((r) => fs.realpath(r).catch(() => undefined)));
  // Judged first on the path as written, so that nothing outside the roots is even looked at
  // (a 'missing' or 'not a directory' answer would tell whether it exists).
  const lexical = path.resolve(requested);
  const candidates = [...roots, ...realRoots.filter((r): r is string => r !== undefined)];
  if (!candidates.some((root) => isWithin(root, lexical))) return outsideRoots(roots);
  let realPath: string;
  try {
    realPath = await fs.realpath(requested);
  } catch {
    return { ok: false, problem: 'missing', detail: 'no such directory' };
  }
  // A symbolic link inside a root may still point out of it: the real path decides.
  if (!realRoots.some((root) => root !== undefined && isWithin(root, realPath))) return outsideRoots(roots);
  const stat = await fs.stat(realPath).catch(() => undefined);
  if (!stat) return { ok: false, problem: 'missing', detail: 'no such directory' };
  if (!stat.isDirectory()) return { ok: false, problem: 'not-directory', detail: 'is not a directory' };
  return { ok: true, realPath };
}

function outsideRoots(roots: readonly string[]): ScanPathResult {
  return {
    ok: false,
    problem: 'outside-roots',
    detail: `is outside the directories this service may scan (SCAN_ROOTS: ${roots.join(', ')})`,
  };
}

/**
 * At startup: the default root (<DATA_DIR>/sources) is created, so that a fresh install has a
 * place to put checkouts; configured roots are never created (a typo should not become an empty
 * directory), only reported when missing. Answers the roots that do not exist.
 */
export async function prepareScanRoots(roots: readonly string[], createThem: boolean): Promise<string[]> {
  if (createThem) await Promise.all(roots.map((r) => fs.mkdir(r, { recursive: true })));
  const missing = await Promise.all(
    roots.map(async (r) => ((await fs.stat(r).catch(() => undefined)) ? [] : [r])),
  );
  return missing.flat();
}

/** Observations of one scanned directory replace each other; the key bounds any path's length. */
export function pathSourceKey(realPath: string): string {
  return `path:${createHash('sha256').update(realPath).digest('hex').slice(0, 40)}`;
}

export function importSourceKey(register: string): string {
  return `import:${register}`;
}
