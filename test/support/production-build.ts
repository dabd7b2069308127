/**
 * The production entry points (worker/main.ts, api/main.ts, and the launcher scripts/start.ts)
 * compiled to JavaScript, plus the prebuilt workflow bundle, so that reliability tests run the
 * real processes with `node` and can kill them with SIGKILL. Nothing is prebuilt in CI, and
 * `dist/` belongs to `npm run build`, so the build goes to
 * node_modules/.cache/aimsflow-reliability/<fingerprint>/: the same layout as dist/, keyed by a
 * hash of every source file, built once and reused by every test file (and every later run) until
 * a source changes.
 *
 * Compilation is per file (TypeScript's transpileModule: no type check, which `npm run
 * typecheck` does), so a build takes seconds; the workflow bundle is what takes longest.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
// The real path: the workflow bundler (webpack) resolves symlinks, and would not find its generated
// entry point under a symlinked node_modules (a git worktree sharing another checkout's).
const CACHE = path.join(fs.realpathSync(path.join(ROOT, 'node_modules')), '.cache', 'aimsflow-reliability');

export interface ProductionBuild {
  dir: string;
  workerMain: string;
  apiMain: string;
  /** The `npm start` launcher (scripts/start.ts), which runs the two above as its children. */
  launcherMain: string;
  workflowBundle: string;
}

function walk(dir: string, out: string[]): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.isFile() && !entry.name.endsWith('.test.ts')) out.push(full);
  }
}

/**
 * What `tsc -p tsconfig.build.json` compiles: its root files and everything they import
 * (evidence/, kpi/, ... are reached through imports), without node_modules.
 */
function programFiles(): string[] {
  const configFile = path.join(ROOT, 'tsconfig.build.json');
  const read = ts.readConfigFile(configFile, (f) => ts.sys.readFile(f));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, ROOT, undefined, configFile);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  return program
    .getSourceFiles()
    .map((f) => path.resolve(f.fileName))
    .filter((f) => !f.includes(`${path.sep}node_modules${path.sep}`) && !f.endsWith('.d.ts'));
}

/** Compiled files plus every asset (templates, JSON) in the top-level folders they live in. */
function sourceFiles(): string[] {
  const compiled = programFiles();
  const folders = new Set(compiled.map((f) => path.relative(ROOT, f).split(path.sep)[0]));
  const files = new Set(compiled);
  for (const folder of folders) {
    const all: string[] = [];
    walk(path.join(ROOT, folder), all);
    for (const f of all) if (!f.endsWith('.ts')) files.add(f);
  }
  return [...files].sort();
}

function fingerprint(files: string[]): string {
  const hash = createHash('sha256');
  for (const file of [...files, path.join(ROOT, 'tsconfig.json'), path.join(ROOT, 'package-lock.json')]) {
    hash.update(path.relative(ROOT, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

function layout(dir: string): ProductionBuild {
  return {
    dir,
    workerMain: path.join(dir, 'worker', 'main.js'),
    apiMain: path.join(dir, 'api', 'main.js'),
    launcherMain: path.join(dir, 'scripts', 'start.js'),
    workflowBundle: path.join(dir, 'workflow-bundle.js'),
  };
}

function compilerOptions(): ts.CompilerOptions {
  const read = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), (f) => ts.sys.readFile(f));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.convertCompilerOptionsFromJson(
    (read.config as { compilerOptions: object }).compilerOptions,
    ROOT,
  );
  return { ...parsed.options, sourceMap: false, inlineSourceMap: true, inlineSources: false };
}

async function build(files: string[], dir: string): Promise<void> {
  const options = compilerOptions();
  for (const file of files) {
    const target = path.join(dir, path.relative(ROOT, file));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (file.endsWith('.ts') && !file.endsWith('.d.ts')) {
      const out = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
        compilerOptions: options,
        fileName: file,
      });
      fs.writeFileSync(target.replace(/\.ts$/, '.js'), out.outputText);
    } else {
      // Templates, JSON and other assets, where the compiled code looks for them.
      fs.copyFileSync(file, target);
    }
  }
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.join(dir, 'workflows', 'index.js'),
    logger: new DefaultLogger('WARN'),
  });
  fs.writeFileSync(layout(dir).workflowBundle, code);
}

let current: Promise<ProductionBuild> | undefined;

/**
 * Builds (or finds) the compiled service for the current sources. AIMSFLOW_RELIABILITY_BUILD
 * names an existing build to use instead (e.g. `dist` after `npm run build`).
 */
export function productionBuild(): Promise<ProductionBuild> {
  current ??= (async () => {
    const given = process.env.AIMSFLOW_RELIABILITY_BUILD;
    if (given) return layout(path.resolve(ROOT, given));
    const files = sourceFiles();
    const dir = path.join(CACHE, fingerprint(files));
    const ready = path.join(dir, 'READY');
    if (fs.existsSync(ready)) return layout(dir);
    const temp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    try {
      await build(files, temp);
      fs.writeFileSync(path.join(temp, 'READY'), new Date().toISOString());
      // Another run may have finished the same build meanwhile: either copy will do.
      if (!fs.existsSync(ready)) {
        fs.rmSync(dir, { recursive: true, force: true });
        fs.renameSync(temp, dir);
      }
    } finally {
      fs.rmSync(temp, { recursive: true, force: true });
    }
    for (const old of fs.readdirSync(CACHE)) {
      const full = path.join(CACHE, old);
      // Builds of earlier sources are dropped once they are a day old.
      if (full !== dir && Date.now() - fs.statSync(full).mtimeMs > 86_400_000)
        fs.rmSync(full, { recursive: true, force: true });
    }
    return layout(dir);
  })();
  return current;
}
