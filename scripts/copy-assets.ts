/**
 * `npm run build` (postbuild): copies the files the compiled code reads at run time, which tsc
 * does not emit, into the same place under dist/. A folder that code reads through `__dirname`
 * (services/mail/templates.ts `resolveTemplateDir`) belongs in ASSET_DIRS, or a deployment that
 * ships only dist/ (the Docker image) cannot find it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../infra/temporal-binaries';

/** Relative to the project root; each is copied to dist/<the same path>. */
const ASSET_DIRS = ['services/mail/templates', 'api/approval-pages/templates'];

function copyTree(from: string, to: string): number {
  fs.mkdirSync(to, { recursive: true });
  let copied = 0;
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) copied += copyTree(source, target);
    else if (entry.isFile()) {
      fs.copyFileSync(source, target);
      copied++;
    }
  }
  return copied;
}

function main(): void {
  const root = projectRoot();
  for (const dir of ASSET_DIRS) {
    const from = path.join(root, dir);
    const to = path.join(root, 'dist', dir);
    // Replaced, not merged, so a template deleted from the sources does not live on in dist/.
    fs.rmSync(to, { recursive: true, force: true });
    const copied = fs.existsSync(from) ? copyTree(from, to) : 0;
    if (copied === 0) throw new Error(`no assets in ${from}`);
    process.stdout.write(`assets: ${path.relative(root, to)} (${copied} files)\n`);
  }
}

try {
  main();
} catch (err: unknown) {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
}
