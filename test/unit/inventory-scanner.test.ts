/**
 * The scanner core on a realistic monorepo written to a temp directory: every ecosystem, model
 * files with their real leading bytes, decoys, .gitignore, links out of the tree and a file over
 * the size limit. The findings are asserted exactly, in order.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { matchesFormat } from '../../services/inventory/magic';
import { maskSecrets, scanTree, type TreeScan } from '../../services/inventory/scanner';
import { findingsToObservations } from '../../domain/inventory/systems';
import { comparePaths } from '../../domain/inventory/systems';
import { listFiles } from '../../services/inventory/walk';
import { prepareScanRoots, resolveScanPath } from '../../services/inventory/paths';
import { loadConfig } from '../../infra/config';
import {
  createFixtureRepo,
  ggufBytes,
  onnxBytes,
  safetensorsBytes,
  torchZipBytes,
  type FixtureRepo,
} from '../support/inventory-fixtures';

const LIMITS = { maxFileBytes: 64 * 1024, maxFiles: 1000, maxDepth: 20 };

let repo: FixtureRepo;
let scan: TreeScan;

beforeAll(async () => {
  repo = createFixtureRepo();
  scan = await scanTree(repo.root, LIMITS);
});
afterAll(() => repo.cleanup());

type Row = [category: string, signature: string, path: string, line?: number, cell?: number];
const rows = (s: TreeScan): Row[] =>
  s.findings.map((f) => {
    const row: Row = [f.category, f.signature, f.path];
    if (f.line !== undefined || f.cell !== undefined) row.push(f.line);
    if (f.cell !== undefined) row.push(f.cell);
    return row;
  });

test('finds exactly the AI evidence of every ecosystem, in listing order', () => {
  expect(rows(scan)).toEqual([
    ['ownership', 'codeowners', 'CODEOWNERS'],
    ['model-artefact', 'model:saved_model', 'exports/ranker/saved_model.pb'],
    ['pipeline-config', 'pipeline:mlflow', 'fraud-model/MLproject'],
    ['model-card', 'model-card', 'fraud-model/MODEL_CARD.md'],
    ['project', 'project:pypi', 'fraud-model/Pipfile'],
    ['dependency', 'pypi:xgboost', 'fraud-model/Pipfile', 2],
    ['pipeline-config', 'pipeline:dvc', 'fraud-model/data/transactions.csv.dvc'],
    ['data-source', 'dvc:fraud-model/data/transactions.csv', 'fraud-model/data/transactions.csv.dvc', 4],
    ['pipeline-config', 'pipeline:dvc', 'fraud-model/dvc.yaml'],
    ['model-artefact', 'model:pytorch', 'fraud-model/models/checkpoint.pt'],
    ['model-artefact', 'model:safetensors', 'fraud-model/models/classifier.safetensors'],
    ['model-artefact', 'model:onnx', 'fraud-model/models/fraud.onnx'],
    ['model-artefact', 'model:joblib', 'fraud-model/models/scaler.joblib'],
    ['project', 'project:pypi', 'fraud-model/pyproject.toml'],
    ['dependency', 'pypi:transformers', 'fraud-model/pyproject.toml', 6],
    ['project', 'project:pypi', 'fraud-model/requirements.txt'],
    ['dependency', 'pypi:torch', 'fraud-model/requirements.txt', 1],
    ['dependency', 'pypi:scikit-learn', 'fraud-model/requirements.txt', 2],
    ['notebook', 'notebook:jupyter', 'fraud-model/train.ipynb'],
    ['framework-import', 'py:torch', 'fraud-model/train.ipynb', 1, 1],
    ['framework-import', 'py:transformers', 'fraud-model/train.ipynb', 2, 1],
    ['model-reference', 'huggingface:bert-base-uncased', 'fraud-model/train.ipynb', 3, 1],
    ['data-source', 'huggingface:acme/transactions', 'fraud-model/train.ipynb', 4, 1],
    ['project', 'project:go', 'go-gateway/go.mod'],
    ['dependency', 'go:github.com/sashabaranov/go-openai', 'go-gateway/go.mod', 6],
    ['sdk-import', 'sdk:openai', 'go-gateway/main.go', 4],
    ['api-call', 'api:azure-openai', 'go-gateway/main.go', 7],
    ['project', 'project:maven', 'jvm-scoring/build.gradle'],
    ['dependency', 'maven:ai.djl.pytorch:pytorch-engine', 'jvm-scoring/build.gradle', 3],
    ['project', 'project:maven', 'jvm-scoring/pom.xml'],
    ['dependency', 'maven:ai.djl:api', 'jvm-scoring/pom.xml', 8],
    ['dependency', 'maven:org.deeplearning4j:deeplearning4j-core', 'jvm-scoring/pom.xml', 13],
    ['pipeline-config', 'pipeline:kubeflow', 'pipelines/retrain.yaml', 5],
    ['project', 'project:cargo', 'rust-infer/Cargo.toml'],
    ['dependency', 'cargo:candle-core', 'rust-infer/Cargo.toml', 6],
    ['dependency', 'cargo:tch', 'rust-infer/Cargo.toml', 9],
    ['model-artefact', 'model:hdf5', 'rust-infer/models/legacy.h5'],
    ['model-artefact', 'model:gguf', 'rust-infer/models/llama.gguf'],
    ['model-artefact', 'model:tflite', 'rust-infer/models/mobile.tflite'],
    ['project', 'project:npm', 'support-bot/package.json'],
    ['dependency', 'npm:@anthropic-ai/sdk', 'support-bot/package.json', 9],
    ['dependency', 'npm:langchain', 'support-bot/package.json', 11],
    ['dependency', 'npm:openai', 'support-bot/package.json', 12],
    ['sdk-import', 'sdk:openai', 'support-bot/src/chat.ts', 1],
    ['model-reference', 'hosted:gpt-4o-mini', 'support-bot/src/chat.ts', 5],
    ['api-call', 'api:anthropic', 'support-bot/src/chat.ts', 6],
  ]);
});

test('decoys do not match: look-alike packages, comments, prose, wrong bytes under model extensions', () => {
  const paths = new Set(scan.findings.map((f) => f.path));
  for (const decoy of ['README.md', 'fraud-model/models/notes.pt', 'fraud-model/models/config.onnx']) {
    expect(paths).not.toContain(decoy);
  }
  expect(scan.findings.map((f) => f.signature)).not.toContain('npm:openai-mock-utils');
  // The commented-out endpoint on line 3 of chat.ts and the mock import on line 2 are not evidence.
  expect(scan.findings.filter((f) => f.path === 'support-bot/src/chat.ts').map((f) => f.line)).toEqual([
    1, 5, 6,
  ]);
  // requirements.txt names transformers only in a comment.
  expect(
    scan.findings.filter(
      (f) => f.path === 'fraud-model/requirements.txt' && f.signature.includes('transformers'),
    ),
  ).toEqual([]);
});

test('.gitignore, vendored dependencies, links and the size limit are respected; nothing outside the root is read', () => {
  const paths = scan.findings.map((f) => f.path);
  for (const hidden of [
    'ignored/secret_experiment.py',
    'debug.log',
    'node_modules/openai/package.json',
    'leak.py',
  ]) {
    expect(paths).not.toContain(hidden);
  }
  expect(scan.skipped).toEqual([
    { path: 'bot-alias', reason: 'symlink' },
    { path: 'escape', reason: 'symlink-outside-root' },
    { path: 'leak.py', reason: 'symlink-outside-root' },
    { path: 'big/generated_client.py', reason: 'too-large' },
  ]);
  expect(scan.findings.every((f) => !f.path.startsWith('escape/') && !f.path.startsWith('bot-alias/'))).toBe(
    true,
  );
  expect(scan.filesSeen).toBe(30);
});

test('findings carry what the inventory needs, with credentials masked', () => {
  const byKey = (signature: string, p: string) =>
    scan.findings.find((f) => f.signature === signature && f.path === p);
  expect(byKey('api:anthropic', 'support-bot/src/chat.ts')).toEqual({
    id: expect.stringMatching(/^[0-9a-f]{20}$/) as unknown,
    category: 'api-call',
    signature: 'api:anthropic',
    path: 'support-bot/src/chat.ts',
    line: 6,
    evidence:
      "const res = await fetch('https://api.anthropic.com/v1/messages', { headers: { 'x-api-key': '***' } });",
    service: 'Anthropic',
  });
  expect(byKey('npm:openai', 'support-bot/package.json')).toMatchObject({
    service: 'OpenAI',
    role: 'service',
  });
  expect(byKey('project:npm', 'support-bot/package.json')?.meta).toEqual({
    ecosystem: 'npm',
    name: 'support-bot',
    description: 'Customer support assistant answering tickets',
    author: 'ana@acme.test',
  });
  expect(byKey('model:safetensors', 'fraud-model/models/classifier.safetensors')?.evidence).toBe(
    `safetensors model, ${safetensorsBytes().length} bytes`,
  );
  expect(maskSecrets('client = OpenAI(api_key="sk-proj-abcdefghijklmnop")')).toBe(
    'client = OpenAI(api_key="***")',
  );
  expect(maskSecrets('Authorization: Bearer abc.def.ghi')).toBe('Authorization: Bearer ***');
});

test('the same tree scanned again yields the same finding ids', async () => {
  const again = await scanTree(repo.root, LIMITS);
  expect(again.findings.map((f) => f.id)).toEqual(scan.findings.map((f) => f.id));
  expect(new Set(scan.findings.map((f) => f.id)).size).toBe(scan.findings.length);
});

test('findings group into one AI system per project, named by its manifest, with inferred role and stage', () => {
  const systems = findingsToObservations(scan.findings, { rootName: 'acme', inScope: true });
  expect(systems.map((s) => [s.id, s.aiRole, s.lifecycleStage, s.owner])).toEqual([
    ['acme', 'producer', 'design_development', '@acme/platform'],
    ['fraud-model', 'producer', 'design_development', 'rui@acme.test'],
    ['go-gateway', 'customer', 'unknown', '@acme/platform'],
    ['jvm-scoring', 'producer', 'unknown', '@acme/platform'],
    ['rust-infer', 'producer', 'unknown', '@acme/platform'],
    ['support-bot', 'customer', 'unknown', 'ana@acme.test'],
  ]);
  const fraud = systems.find((s) => s.id === 'fraud-model');
  expect(fraud).toMatchObject({
    name: 'fraud-model',
    purpose: 'Scores card payments for fraud',
    dataSources: ['dvc:fraud-model/data/transactions.csv', 'huggingface:acme/transactions'],
    models: [
      'fraud-model/models/checkpoint.pt (pytorch)',
      'fraud-model/models/classifier.safetensors (safetensors)',
      'fraud-model/models/fraud.onnx (onnx)',
      'fraud-model/models/scaler.joblib (joblib)',
      'huggingface:bert-base-uncased',
    ],
    thirdPartyServices: [],
    frameworks: ['dvc', 'mlflow', 'scikit-learn', 'torch', 'transformers', 'xgboost'],
    inScope: true,
    registered: false,
  });
  expect(systems.find((s) => s.id === 'support-bot')).toMatchObject({
    thirdPartyServices: ['Anthropic', 'OpenAI'],
    frameworks: ['langchain'],
    models: ['hosted:gpt-4o-mini'],
  });
  expect(systems.find((s) => s.id === 'go-gateway')?.thirdPartyServices).toEqual(['Azure OpenAI', 'OpenAI']);
});

test('two projects with one name keep distinct stable ids', () => {
  const project = (p: string) => ({
    id: p,
    category: 'project' as const,
    signature: 'project:npm',
    path: p,
    evidence: '',
    meta: { name: 'bot' },
  });
  const dep = (p: string) => ({
    id: `${p}d`,
    category: 'dependency' as const,
    signature: 'npm:openai',
    path: p,
    line: 3,
    evidence: '',
    service: 'OpenAI',
    role: 'service' as const,
  });
  const findings = [
    project('a/package.json'),
    dep('a/package.json'),
    project('b/package.json'),
    dep('b/package.json'),
  ];
  const ids = findingsToObservations(findings, { rootName: 'r' }).map((s) => s.id);
  expect(ids).toHaveLength(2);
  expect(ids[0]).toMatch(/^bot-[0-9a-f]{6}$/);
  expect(ids[1]).toMatch(/^bot-[0-9a-f]{6}$/);
  expect(ids[0]).not.toBe(ids[1]);
  expect(findingsToObservations(findings, { rootName: 'r' }).map((s) => s.id)).toEqual(ids);
});

describe('model formats need the extension and the bytes', () => {
  test('real headers match', () => {
    expect(matchesFormat('onnx', onnxBytes(), 34)).toBe(true);
    expect(matchesFormat('safetensors', safetensorsBytes(), safetensorsBytes().length)).toBe(true);
    expect(matchesFormat('pytorch', torchZipBytes(), 52)).toBe(true);
    expect(matchesFormat('pytorch', Buffer.from([0x80, 0x02, 0x8a, 0x0a]), 4)).toBe(true);
    expect(matchesFormat('gguf', ggufBytes(), 24)).toBe(true);
  });

  test('look-alikes do not', () => {
    expect(matchesFormat('onnx', Buffer.from('{"ir_version": 8}'), 17)).toBe(false);
    // A safetensors header longer than the file is a lie, not a model.
    const lying = Buffer.concat([Buffer.from([0xff, 0xff, 0, 0, 0, 0, 0, 0]), Buffer.from('{}')]);
    expect(matchesFormat('safetensors', lying, lying.length)).toBe(false);
    // A zip that is not a torch archive (no data.pkl) is not a PyTorch model.
    expect(matchesFormat('pytorch', Buffer.from('PK\u0003\u0004docx/word/document.xml'), 30)).toBe(false);
    // The TFLite identifier sits at offset 4, after the root table offset; at 0 it means nothing.
    expect(matchesFormat('tflite', Buffer.from('TFL3....'), 8)).toBe(false);
    expect(matchesFormat('pickle', Buffer.from('plain text'), 10)).toBe(false);
  });

  test('a malicious pickle is identified but never loaded', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimsflow-pickle-'));
    const marker = path.join(dir, 'pwned');
    // Protocol 2: GLOBAL os.system, the command, TUPLE1, REDUCE, STOP: loading it runs the command.
    const command = Buffer.from(`touch ${marker}`);
    const length = Buffer.alloc(4);
    length.writeUInt32LE(command.length);
    const payload = Buffer.concat([
      Buffer.from([0x80, 0x02]),
      Buffer.from('cos\nsystem\nX'),
      length,
      command,
      Buffer.from([0x85, 0x52, 0x2e]),
    ]);
    fs.writeFileSync(path.join(dir, 'model.pkl'), payload);
    try {
      const result = await scanTree(dir, LIMITS);
      expect(result.findings.map((f) => f.signature)).toEqual(['model:pickle']);
      expect(fs.existsSync(marker)).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('listing is ordered segment by segment, which is the resume order', async () => {
  const listing = await listFiles(repo.root, LIMITS);
  const paths = listing.files.map((f) => f.path);
  expect([...paths].sort(comparePaths)).toEqual(paths);
  // A directory's files stay together even when a sibling's name sorts between them.
  expect(comparePaths('a/b', 'a.txt')).toBeLessThan(0);
  expect(comparePaths('a.txt', 'b')).toBeLessThan(0);
});

test('the file and depth limits skip what lies beyond them', async () => {
  const limited = await listFiles(repo.root, { ...LIMITS, maxFiles: 3 });
  expect(limited.files.map((f) => f.path)).toEqual(['.gitignore', 'CODEOWNERS', 'README.md']);
  expect(limited.skipped.filter((s) => s.reason === 'file-limit')).toHaveLength(27);
  const shallow = await listFiles(repo.root, { ...LIMITS, maxDepth: 1 });
  expect(shallow.skipped.filter((s) => s.reason === 'depth-limit').map((s) => s.path)).toEqual([
    'exports/ranker',
    'fraud-model/data',
    'fraud-model/models',
    'rust-infer/models',
    'support-bot/src',
  ]);
});

describe('scan roots at startup', () => {
  let base: string;
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'aimsflow-roots-'));
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  test('the default root (<DATA_DIR>/sources) is created on a fresh start; a scan inside it then works', async () => {
    const config = loadConfig({ DATA_DIR: path.join(base, 'data') });
    expect(config.scan).toMatchObject({ roots: [path.join(base, 'data', 'sources')], defaultRoot: true });
    expect(await prepareScanRoots(config.scan.roots, config.scan.defaultRoot)).toEqual([]);
    const checkout = path.join(config.scan.roots[0], 'support-bot');
    fs.mkdirSync(checkout);
    expect(await resolveScanPath(checkout, config.scan.roots)).toMatchObject({ ok: true });
  });

  test('configured roots are never created, only reported; a path outside names the roots', async () => {
    const configured = path.join(base, 'typo');
    const config = loadConfig({ SCAN_ROOTS: configured });
    expect(config.scan.defaultRoot).toBe(false);
    expect(await prepareScanRoots(config.scan.roots, config.scan.defaultRoot)).toEqual([configured]);
    expect(fs.existsSync(configured)).toBe(false);
    expect(await resolveScanPath('/etc', config.scan.roots)).toMatchObject({
      ok: false,
      problem: 'outside-roots',
      detail: expect.stringContaining(configured) as unknown,
    });
  });
});
