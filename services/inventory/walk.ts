/**
 * Lists the files of a source tree in a fixed order, honouring .gitignore files at every level,
 * the always-excluded directories and the scan limits. Symbolic links are never followed (the
 * target, if inside the root, is listed at its real place anyway); they are reported as skipped,
 * with a distinct reason when they point outside the root. Only regular files are listed, so a
 * FIFO or device can never block a read.
 */
import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import ignore from 'ignore';
import { ALWAYS_EXCLUDED_DIRS } from './signatures';
import type { ScanLimits, SkippedEntry } from '../../domain/inventory/types';

export interface FileEntry {
  /** Root-relative POSIX path. */
  path: string;
  size: number;
}

export interface Listing {
  files: FileEntry[];
  skipped: SkippedEntry[];
}

/** True when `candidate` is `root` or lies below it (both absolute and resolved). */
export function isWithin(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

interface Matcher {
  base: string;
  rules: ignore.Ignore;
}

function ignoredBy(matchers: readonly Matcher[], rel: string, isDir: boolean): boolean {
  for (const m of matchers) {
    if (m.base && !rel.startsWith(`${m.base}/`)) continue;
    const local = m.base ? rel.slice(m.base.length + 1) : rel;
    if (m.rules.ignores(isDir ? `${local}/` : local)) return true;
  }
  return false;
}

async function readGitignore(dir: string, maxBytes: number): Promise<ignore.Ignore | undefined> {
  const file = path.join(dir, '.gitignore');
  try {
    const stat = await fs.lstat(file);
    if (!stat.isFile() || stat.size > maxBytes) return undefined;
    return ignore().add(await fs.readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}

export async function listFiles(
  root: string,
  limits: ScanLimits,
  onProgress?: (listed: number) => void,
): Promise<Listing> {
  const realRoot = await fs.realpath(root);
  const files: FileEntry[] = [];
  const skipped: SkippedEntry[] = [];

  const visit = async (rel: string, depth: number, inherited: readonly Matcher[]): Promise<void> => {
    const abs = rel ? path.join(realRoot, rel) : realRoot;
    // A directory swapped for a link after its parent was listed must not take the walk outside.
    if (rel) {
      const real = await fs.realpath(abs).catch(() => undefined);
      if (real === undefined || !isWithin(realRoot, real) || real !== abs) {
        skipped.push({
          path: rel,
          reason: real !== undefined && isWithin(realRoot, real) ? 'symlink' : 'symlink-outside-root',
        });
        return;
      }
    }
    let entries: Dirent[];
    try {
      entries = await fs.readdir(abs, { withFileTypes: true });
    } catch {
      skipped.push({ path: rel || '.', reason: 'unreadable' });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const local = entries.some((e) => e.name === '.gitignore' && e.isFile())
      ? await readGitignore(abs, limits.maxFileBytes)
      : undefined;
    const matchers = local ? [...inherited, { base: rel, rules: local }] : inherited;

    // Sizes of this directory's files, read concurrently: one lstat at a time dominated listing.
    const sizes = new Map<string, number | null>();
    await Promise.all(
      entries
        .filter((e) => e.isFile() && !ignoredBy(matchers, rel ? `${rel}/${e.name}` : e.name, false))
        .map(async (e) => {
          const stat = await fs.lstat(path.join(abs, e.name)).catch(() => null);
          sizes.set(e.name, stat ? stat.size : null);
        }),
    );

    for (const entry of entries) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isSymbolicLink()) {
        skipped.push({ path: childRel, reason: await symlinkReason(realRoot, path.join(abs, entry.name)) });
        continue;
      }
      if (entry.isDirectory()) {
        if (ALWAYS_EXCLUDED_DIRS.has(entry.name) || ignoredBy(matchers, childRel, true)) continue;
        if (depth + 1 > limits.maxDepth) {
          skipped.push({ path: childRel, reason: 'depth-limit' });
          continue;
        }
        await visit(childRel, depth + 1, matchers);
        continue;
      }
      const size = sizes.get(entry.name);
      if (size === undefined) continue; // not a regular file, or ignored
      if (files.length >= limits.maxFiles) {
        skipped.push({ path: childRel, reason: 'file-limit' });
        continue;
      }
      if (size === null) skipped.push({ path: childRel, reason: 'unreadable' });
      else files.push({ path: childRel, size });
      if (onProgress && files.length % 1000 === 0) onProgress(files.length);
    }
  };

  await visit('', 0, []);
  return { files, skipped };
}

async function symlinkReason(realRoot: string, link: string): Promise<SkippedEntry['reason']> {
  try {
    return isWithin(realRoot, await fs.realpath(link)) ? 'symlink' : 'symlink-outside-root';
  } catch {
    // A dangling link: its text alone says whether it leaves the root.
    try {
      const target = path.resolve(path.dirname(link), await fs.readlink(link));
      return isWithin(realRoot, target) ? 'symlink' : 'symlink-outside-root';
    } catch {
      return 'symlink';
    }
  }
}
