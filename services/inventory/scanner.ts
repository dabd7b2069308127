/**
 * The scanner core: turns one listed file into findings. It reads bytes and text only: it never
 * imports, executes, unpickles or loads what it scans. Model files are identified from their
 * first bytes whatever their size; text is read only for the files that can hold evidence and
 * only up to the size limit. Files are opened with O_NOFOLLOW, so a link swapped in after
 * listing is refused rather than followed.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { mapInOrder } from './map-in-order';
import { HEADER_BYTES, matchesFormat } from './magic';
import { parseManifest } from './manifests';
import {
  API_HOSTS,
  DATASET_REFERENCES,
  KUBEFLOW_YAML,
  MANIFESTS,
  MODEL_CARD_NAMES,
  MODEL_EXTENSIONS,
  MODEL_REFERENCES,
  PYTHON_FRAMEWORK_IMPORT,
  SAVED_MODEL_FILES,
  SDK_IMPORTS,
  SERVICES,
  SOURCE_LANGUAGES,
  packageSignature,
  type LinePattern,
  type ModelFormat,
} from './signatures';
import type { ScanFinding, ScanLimits, SkippedEntry } from '../../domain/inventory/types';
import { listFiles, type FileEntry } from './walk';

export interface FileScan {
  findings: ScanFinding[];
  skipped?: SkippedEntry;
  bytesRead: number;
}

type Draft = Omit<ScanFinding, 'id'>;

export function findingId(f: Draft): string {
  const key = [f.category, f.signature, f.path, f.line ?? '', f.cell ?? ''].join('|');
  return createHash('sha256').update(key).digest('hex').slice(0, 20);
}

const finish = (drafts: Draft[]): ScanFinding[] => drafts.map((d) => ({ id: findingId(d), ...d }));

const EVIDENCE_MAX = 160;

/** Evidence lines may carry credentials next to an endpoint; they never reach storage. */
export function maskSecrets(text: string): string {
  return text
    .replace(/\b(sk|pk|rk)-[A-Za-z0-9_-]{8,}/g, '$1-***')
    .replace(/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, 'Bearer ***')
    .replace(/\b(hf_)[A-Za-z0-9]{8,}/g, '$1***')
    .replace(/((?:api[_-]?key|token|secret|password|passwd)\w*["']?\s*[:=]\s*["']?)[^\s"',;)]+/gi, '$1***');
}

function excerpt(line: string): string {
  const clean = maskSecrets(line.trim());
  return clean.length > EVIDENCE_MAX ? `${clean.slice(0, EVIDENCE_MAX - 1)}…` : clean;
}

async function readHead(file: string, bytes: number): Promise<Buffer> {
  const handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function readText(file: string): Promise<string> {
  const handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

const isComment = (line: string): boolean => /^\s*(?:\/\/|#|\/\*|\*|--|;)/.test(line);

/** Cheap pre-filter: a file without any of these words cannot match a line pattern. */
const KEYWORDS =
  /openai|anthropic|bedrock|aiplatform|vertexai|huggingface|azopenai|from_pretrained|load_dataset|model\s*[:=]|torch|tensorflow|keras|sklearn|transformers|xgboost|lightgbm|jax|onnxruntime|diffusers/;

type Language = (typeof SOURCE_LANGUAGES)[string];

function matchLine(
  line: string,
  language: Language,
  at: { path: string; line?: number; cell?: number },
  out: Draft[],
): void {
  if (isComment(line)) return;
  const push = (d: Omit<Draft, 'path' | 'line' | 'cell' | 'evidence'>) =>
    out.push({ ...d, path: at.path, line: at.line, cell: at.cell, evidence: excerpt(line) });
  const service = (p: LinePattern) => (p.service ? { service: SERVICES[p.service] } : {});
  for (const p of API_HOSTS) {
    if (p.regex.test(line)) push({ category: 'api-call', signature: p.signature, ...service(p) });
  }
  if (language !== 'config') {
    const sdk = SDK_IMPORTS[language].find((p) => p.regex.test(line));
    if (sdk) push({ category: 'sdk-import', signature: sdk.signature, role: 'service', ...service(sdk) });
  }
  if (language === 'python') {
    const framework = PYTHON_FRAMEWORK_IMPORT.exec(line);
    if (framework) push({ category: 'framework-import', signature: `py:${framework[1]}`, role: 'framework' });
  }
  if (language === 'python' || language === 'js') {
    for (const ref of MODEL_REFERENCES) {
      const m = ref.regex.exec(line);
      if (m) push({ category: 'model-reference', signature: `${ref.prefix}:${m[1]}` });
    }
    for (const ref of DATASET_REFERENCES) {
      const m = ref.regex.exec(line);
      if (m) push({ category: 'data-source', signature: `${ref.prefix}:${m[1]}` });
    }
  }
}

function scanSource(rel: string, content: string, language: Language): Draft[] {
  const out: Draft[] = [];
  if (language === 'config' && /\.ya?ml$/i.test(rel)) {
    const lines = content.split('\n');
    const at = lines.findIndex((l) => KUBEFLOW_YAML.test(l));
    if (at >= 0)
      out.push({
        category: 'pipeline-config',
        signature: 'pipeline:kubeflow',
        path: rel,
        line: at + 1,
        evidence: excerpt(lines[at]),
        role: 'pipeline',
      });
  }
  if (!KEYWORDS.test(content)) return out;
  content.split('\n').forEach((line, i) => matchLine(line, language, { path: rel, line: i + 1 }, out));
  return out;
}

function scanManifest(rel: string, base: string, content: string): Draft[] {
  const info = parseManifest(base, content);
  if (!info) return [];
  const meta: Record<string, string> = { ecosystem: info.ecosystem };
  if (info.name) meta.name = info.name;
  if (info.description) meta.description = info.description;
  if (info.author) meta.author = info.author;
  const out: Draft[] = [
    {
      category: 'project',
      signature: `project:${info.ecosystem}`,
      path: rel,
      evidence: excerpt(info.name ?? base),
      meta,
    },
  ];
  const lines = content.split('\n');
  for (const dep of info.dependencies) {
    const sig = packageSignature(dep.ecosystem, dep.name);
    if (!sig) continue;
    out.push({
      category: 'dependency',
      signature: `${dep.ecosystem}:${dep.name}`,
      path: rel,
      line: dep.line,
      evidence: excerpt(lines[dep.line - 1] ?? dep.name),
      role: sig.role,
      ...(sig.service ? { service: SERVICES[sig.service] } : {}),
    });
  }
  return out;
}

interface NotebookCell {
  cell_type?: unknown;
  source?: unknown;
}

function scanNotebook(rel: string, content: string): Draft[] {
  const out: Draft[] = [
    { category: 'notebook', signature: 'notebook:jupyter', path: rel, evidence: path.posix.basename(rel) },
  ];
  let cells: NotebookCell[] = [];
  try {
    const parsed = JSON.parse(content) as { cells?: unknown };
    if (Array.isArray(parsed.cells)) cells = parsed.cells as NotebookCell[];
  } catch {
    return out;
  }
  cells.forEach((cell, index) => {
    if (cell.cell_type !== 'code') return;
    const source = Array.isArray(cell.source)
      ? cell.source.join('')
      : typeof cell.source === 'string'
        ? cell.source
        : '';
    source
      .split('\n')
      .forEach((line, i) => matchLine(line, 'python', { path: rel, line: i + 1, cell: index }, out));
  });
  return out;
}

/** A `.dvc` file tracks data: each `path:` under `outs` is a data source of the system. */
function scanDvcFile(rel: string, content: string): Draft[] {
  const dir = path.posix.dirname(rel);
  const out: Draft[] = [
    {
      category: 'pipeline-config',
      signature: 'pipeline:dvc',
      path: rel,
      evidence: 'DVC-tracked data',
      role: 'pipeline',
    },
  ];
  content.split('\n').forEach((line, i) => {
    const m = /^\s*-?\s*path:\s*(\S+)\s*$/.exec(line);
    if (m) {
      const tracked = dir === '.' ? m[1] : `${dir}/${m[1]}`;
      out.push({
        category: 'data-source',
        signature: `dvc:${tracked}`,
        path: rel,
        line: i + 1,
        evidence: excerpt(line),
      });
    }
  });
  return out;
}

/** CODEOWNERS rules as pattern → first owner; the dedupe step applies them to systems. */
function scanCodeowners(rel: string, content: string): Draft[] {
  const meta: Record<string, string> = {};
  for (const line of content.split('\n')) {
    const m = /^\s*([^#\s]\S*)\s+(\S+)/.exec(line);
    if (m) meta[m[1]] = m[2];
  }
  return Object.keys(meta).length === 0
    ? []
    : [{ category: 'ownership', signature: 'codeowners', path: rel, evidence: 'CODEOWNERS', meta }];
}

const MODEL_CARD_FRONT_MATTER = /^---\r?\n[\s\S]*?^(?:pipeline_tag|model-index|library_name):/m;

function isTextCandidate(rel: string, base: string, ext: string): boolean {
  return (
    MANIFESTS.has(base) ||
    ext in SOURCE_LANGUAGES ||
    ext === '.ipynb' ||
    ext === '.dvc' ||
    base === 'MLproject' ||
    base === 'dvc.yaml' ||
    MODEL_CARD_NAMES.has(base.toLowerCase()) ||
    base.toLowerCase() === 'readme.md' ||
    (base === 'CODEOWNERS' && ['CODEOWNERS', '.github/CODEOWNERS', 'docs/CODEOWNERS'].includes(rel))
  );
}

function scanText(rel: string, base: string, ext: string, content: string): Draft[] {
  if (MANIFESTS.has(base)) {
    // TOML manifests may also name endpoints; the line scan below adds those.
    const manifest = scanManifest(rel, base, content);
    return ext === '.toml' ? [...manifest, ...scanSource(rel, content, 'config')] : manifest;
  }
  if (ext === '.ipynb') return scanNotebook(rel, content);
  if (ext === '.dvc') return scanDvcFile(rel, content);
  if (base === 'MLproject' || base === 'dvc.yaml') {
    const tool = base === 'MLproject' ? 'mlflow' : 'dvc';
    return [
      {
        category: 'pipeline-config',
        signature: `pipeline:${tool}`,
        path: rel,
        evidence: base,
        role: 'pipeline',
      },
    ];
  }
  if (base === 'CODEOWNERS') return scanCodeowners(rel, content);
  const lower = base.toLowerCase();
  if (MODEL_CARD_NAMES.has(lower) || (lower === 'readme.md' && MODEL_CARD_FRONT_MATTER.test(content))) {
    return [{ category: 'model-card', signature: 'model-card', path: rel, evidence: base }];
  }
  if (lower === 'readme.md') return [];
  return scanSource(rel, content, SOURCE_LANGUAGES[ext]);
}

async function modelFormatOf(
  root: string,
  rel: string,
  base: string,
  ext: string,
): Promise<ModelFormat | undefined> {
  if (SAVED_MODEL_FILES.has(base)) {
    // A SavedModel is a directory: the graph file beside its variables/ directory.
    const variables = await fs.lstat(path.join(root, path.dirname(rel), 'variables')).catch(() => undefined);
    return variables?.isDirectory() ? 'saved_model' : undefined;
  }
  return MODEL_EXTENSIONS[ext];
}

/** Findings for one listed file; `root` is the real path the listing was made from. */
export async function scanFile(root: string, file: FileEntry, limits: ScanLimits): Promise<FileScan> {
  const rel = file.path;
  const base = path.posix.basename(rel);
  const ext = path.posix.extname(base).toLowerCase();
  const abs = path.join(root, rel);
  try {
    const format = await modelFormatOf(root, rel, base, ext);
    if (format) {
      const head = await readHead(abs, HEADER_BYTES);
      if (!matchesFormat(format, head, file.size)) return { findings: [], bytesRead: head.length };
      const draft: Draft = {
        category: 'model-artefact',
        signature: `model:${format}`,
        path: rel,
        evidence: `${format} model, ${file.size} bytes`,
      };
      return { findings: finish([draft]), bytesRead: head.length };
    }
    if (!isTextCandidate(rel, base, ext)) return { findings: [], bytesRead: 0 };
    if (file.size > limits.maxFileBytes)
      return { findings: [], skipped: { path: rel, reason: 'too-large' }, bytesRead: 0 };
    const content = await readText(abs);
    // Binary content under a text name (a compiled file, an image) holds no evidence.
    if (content.slice(0, 8000).includes('\u0000')) return { findings: [], bytesRead: content.length };
    return { findings: finish(scanText(rel, base, ext, content)), bytesRead: content.length };
  } catch {
    return { findings: [], skipped: { path: rel, reason: 'unreadable' }, bytesRead: 0 };
  }
}

/** Files read at once: enough to keep the file system busy, few enough to bound open handles. */
export const SCAN_CONCURRENCY = 16;

export interface TreeScan {
  root: string;
  findings: ScanFinding[];
  skipped: SkippedEntry[];
  filesSeen: number;
  bytesRead: number;
}

/** Scans a whole tree in one go: for tests, benchmarks and small trees (the activity checkpoints). */
export async function scanTree(root: string, limits: ScanLimits): Promise<TreeScan> {
  const realRoot = await fs.realpath(root);
  const listing = await listFiles(realRoot, limits);
  const findings: ScanFinding[] = [];
  const skipped = [...listing.skipped];
  let bytesRead = 0;
  const results = await mapInOrder(listing.files, SCAN_CONCURRENCY, (file) =>
    scanFile(realRoot, file, limits),
  );
  for (const result of results) {
    findings.push(...result.findings);
    if (result.skipped) skipped.push(result.skipped);
    bytesRead += result.bytesRead;
  }
  return { root: realRoot, findings, skipped, filesSeen: listing.files.length, bytesRead };
}
