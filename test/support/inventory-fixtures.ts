/**
 * Realistic source trees for the inventory scanner, written to a temp directory by the tests:
 * several ecosystems, model files with their real leading bytes, decoys that must not match, a
 * .gitignore, a symlink out of the tree and a file over the size limit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The first bytes of an ONNX ModelProto: ir_version 8, producer "pytorch" 2.3. */
export function onnxBytes(): Buffer {
  return Buffer.concat([
    Buffer.from([0x08, 0x08, 0x12, 0x07]),
    Buffer.from('pytorch'),
    Buffer.from([0x1a, 0x03]),
    Buffer.from('2.3'),
    Buffer.from([0x3a, 0x10]),
    Buffer.alloc(16, 0x01),
  ]);
}

export function safetensorsBytes(): Buffer {
  const header = Buffer.from(
    '{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}',
  );
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([length, header, Buffer.alloc(8, 0)]);
}

/** A stored (uncompressed) zip whose first entry is `archive/data.pkl`, as torch.save writes it. */
export function torchZipBytes(): Buffer {
  const name = Buffer.from('archive/data.pkl');
  const data = Buffer.from([0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e]);
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt32LE(data.length, 18);
  header.writeUInt32LE(data.length, 22);
  header.writeUInt16LE(name.length, 26);
  return Buffer.concat([header, name, data]);
}

/** Pickle protocol 4, as joblib.dump writes an uncompressed scikit-learn object. */
export const pickleBytes = (): Buffer =>
  Buffer.from([0x80, 0x04, 0x95, 0x20, 0x00, 0x00, 0x00, 0x00, 0x8c, 0x0e]);
export const ggufBytes = (): Buffer =>
  Buffer.concat([Buffer.from('GGUF'), Buffer.from([3, 0, 0, 0]), Buffer.alloc(16)]);
export const hdf5Bytes = (): Buffer =>
  Buffer.concat([Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(24)]);
export const tfliteBytes = (): Buffer =>
  Buffer.concat([Buffer.from([0x1c, 0, 0, 0]), Buffer.from('TFL3'), Buffer.alloc(24)]);
export const savedModelBytes = (): Buffer => Buffer.from([0x08, 0x01, 0x12, 0x40, 0x0a, 0x3e]);

export interface FixtureRepo {
  /** The directory to scan. */
  root: string;
  /** A sibling directory outside the root (target of the escaping symlink). */
  outside: string;
  cleanup(): void;
}

function write(root: string, rel: string, content: string | Buffer): void {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

const notebook = (cells: { type: 'code' | 'markdown'; source: string[] }[]) =>
  JSON.stringify({
    cells: cells.map((c) => ({ cell_type: c.type, metadata: {}, source: c.source, outputs: [] })),
    metadata: { kernelspec: { name: 'python3' } },
    nbformat: 4,
    nbformat_minor: 5,
  });

/**
 * The "acme" monorepo. `maxFileBytes` for scans of it should be 64 KiB so that
 * big/generated_client.py (over it) is skipped as too large.
 */
export function createFixtureRepo(): FixtureRepo {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'aimsflow-scan-'));
  const root = path.join(base, 'acme');
  const outside = path.join(base, 'outside');
  fs.mkdirSync(root);
  fs.mkdirSync(outside);
  write(outside, 'leak.py', 'import openai\n');

  write(root, '.gitignore', 'ignored/\n*.log\n');
  write(root, 'CODEOWNERS', '* @acme/platform\n/fraud-model/ @acme/risk-ml\n');
  // Decoy: prose mentioning a provider and its endpoint is not an integration.
  write(
    root,
    'README.md',
    '# Acme\nWe evaluated openai and api.openai.com last year but chose not to use them.\n',
  );
  write(root, 'debug.log', 'import openai\n');
  write(root, 'ignored/secret_experiment.py', 'import anthropic\n');
  write(
    root,
    'node_modules/openai/package.json',
    '{"name":"openai","dependencies":{"@anthropic-ai/sdk":"1"}}',
  );

  // --- support-bot: a TypeScript service calling hosted models.
  write(
    root,
    'support-bot/package.json',
    JSON.stringify(
      {
        name: 'support-bot',
        description: 'Customer support assistant answering tickets',
        author: { name: 'Ana Lima', email: 'ana@acme.test' },
        dependencies: {
          '@anthropic-ai/sdk': '^0.30.0',
          express: '^5.1.0',
          langchain: '^0.3.0',
          openai: '^4.60.0',
          'openai-mock-utils': '1.0.0',
        },
      },
      null,
      2,
    ),
  );
  write(
    root,
    'support-bot/src/chat.ts',
    [
      "import OpenAI from 'openai';",
      "import { mockClient } from 'openai-mock-utils';",
      '// We used to call https://api.openai.com/v1 directly; kept here as a reminder only.',
      'const client = new OpenAI({ apiKey: process.env.OPENAI_KEY });',
      "export const model = 'gpt-4o-mini';",
      "const res = await fetch('https://api.anthropic.com/v1/messages', { headers: { 'x-api-key': 'sk-ant-abcdefghijklmnop' } });",
      'export { client, mockClient, res };',
      '',
    ].join('\n'),
  );

  // --- fraud-model: a Python project with three manifests, a notebook, models and DVC data.
  write(
    root,
    'fraud-model/requirements.txt',
    'torch==2.3.0\nscikit-learn>=1.4  # classic models\n# transformers is pinned in pyproject\nrequests==2.32.0\n',
  );
  write(
    root,
    'fraud-model/pyproject.toml',
    [
      '[project]',
      'name = "fraud-model"',
      'description = "Scores card payments for fraud"',
      'authors = [{ name = "Rui Costa", email = "rui@acme.test" }]',
      'dependencies = [',
      '  "transformers>=4.40",',
      '  "numpy",',
      ']',
      '',
    ].join('\n'),
  );
  write(
    root,
    'fraud-model/Pipfile',
    '[packages]\nXGBoost = "*"\nflask = "*"\n\n[dev-packages]\npytest = "*"\n',
  );
  write(
    root,
    'fraud-model/train.ipynb',
    notebook([
      { type: 'markdown', source: ['# Training\n', 'import torch is explained here\n'] },
      {
        type: 'code',
        source: [
          'import torch\n',
          'from transformers import AutoModel\n',
          "model = AutoModel.from_pretrained('bert-base-uncased')\n",
          "ds = load_dataset('acme/transactions')\n",
        ],
      },
    ]),
  );
  write(root, 'fraud-model/models/fraud.onnx', onnxBytes());
  write(root, 'fraud-model/models/classifier.safetensors', safetensorsBytes());
  write(root, 'fraud-model/models/scaler.joblib', pickleBytes());
  write(root, 'fraud-model/models/checkpoint.pt', torchZipBytes());
  // Decoys: the extension is right, the bytes are not a model.
  write(root, 'fraud-model/models/notes.pt', 'training notes: lr=3e-4, 10 epochs\n');
  write(root, 'fraud-model/models/config.onnx', '{"not": "a model", "opset": 17}\n');
  write(
    root,
    'fraud-model/data/transactions.csv.dvc',
    'outs:\n- md5: 3f0e5a\n  size: 1024\n  path: transactions.csv\n',
  );
  write(root, 'fraud-model/dvc.yaml', 'stages:\n  train:\n    cmd: python train.py\n');
  write(root, 'fraud-model/MLproject', 'name: fraud\nentry_points:\n  main:\n    command: python train.py\n');
  write(root, 'fraud-model/MODEL_CARD.md', '# Fraud model card\nIntended use: payment screening.\n');

  // --- jvm-scoring: Maven and Gradle with DJL and Deeplearning4j.
  write(
    root,
    'jvm-scoring/pom.xml',
    [
      '<project>',
      '  <groupId>com.acme</groupId>',
      '  <artifactId>jvm-scoring</artifactId>',
      '  <description>Credit limit scoring on the JVM</description>',
      '  <dependencies>',
      '    <dependency>',
      '      <groupId>ai.djl</groupId>',
      '      <artifactId>api</artifactId>',
      '      <version>0.28.0</version>',
      '    </dependency>',
      '    <dependency>',
      '      <groupId>org.deeplearning4j</groupId>',
      '      <artifactId>deeplearning4j-core</artifactId>',
      '      <version>1.0.0-M2.1</version>',
      '    </dependency>',
      '    <dependency>',
      '      <groupId>org.slf4j</groupId>',
      '      <artifactId>slf4j-api</artifactId>',
      '    </dependency>',
      '  </dependencies>',
      '</project>',
      '',
    ].join('\n'),
  );
  write(
    root,
    'jvm-scoring/build.gradle',
    "plugins { id 'java' }\ndependencies {\n    implementation 'ai.djl.pytorch:pytorch-engine:0.28.0'\n    implementation 'com.google.guava:guava:33.0.0-jre'\n}\n",
  );

  // --- go-gateway: go-openai and an Azure OpenAI endpoint.
  write(
    root,
    'go-gateway/go.mod',
    'module github.com/acme/go-gateway\n\ngo 1.22\n\nrequire (\n\tgithub.com/sashabaranov/go-openai v1.32.0\n\tgithub.com/gin-gonic/gin v1.10.0\n)\n',
  );
  write(
    root,
    'go-gateway/main.go',
    [
      'package main',
      '',
      'import (',
      '\topenai "github.com/sashabaranov/go-openai"',
      ')',
      '',
      'const endpoint = "https://acme-eu.openai.azure.com/openai/deployments/chat"',
      '',
      'var _ = openai.NewClient',
      '',
    ].join('\n'),
  );

  // --- rust-infer: candle and tch, with local GGUF, HDF5 and TFLite models.
  write(
    root,
    'rust-infer/Cargo.toml',
    '[package]\nname = "rust-infer"\nversion = "0.1.0"\n\n[dependencies]\ncandle-core = "0.6"\nserde = "1"\n\n[dependencies.tch]\nversion = "0.16"\n',
  );
  write(root, 'rust-infer/models/llama.gguf', ggufBytes());
  write(root, 'rust-infer/models/legacy.h5', hdf5Bytes());
  write(root, 'rust-infer/models/mobile.tflite', tfliteBytes());

  // --- a TensorFlow SavedModel and a Kubeflow pipeline outside any project.
  write(root, 'exports/ranker/saved_model.pb', savedModelBytes());
  fs.mkdirSync(path.join(root, 'exports/ranker/variables'), { recursive: true });
  write(
    root,
    'pipelines/retrain.yaml',
    'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  annotations:\n    pipelines.kubeflow.org/kfp_sdk_version: 1.8.22\n',
  );

  // --- over the limit, and links that must not be followed.
  write(root, 'big/generated_client.py', `import openai\n${'# padding\n'.repeat(8000)}`);
  fs.symlinkSync(outside, path.join(root, 'escape'));
  fs.symlinkSync(path.join(outside, 'leak.py'), path.join(root, 'leak.py'));
  fs.symlinkSync(path.join(root, 'support-bot'), path.join(root, 'bot-alias'));

  return { root, outside, cleanup: () => fs.rmSync(base, { recursive: true, force: true }) };
}
