/**
 * What the scanner recognises, as data: AI/ML packages per ecosystem, SDK imports and hosted
 * API hosts per service, model file formats, ML pipeline configurations. Package names match
 * exactly (after each ecosystem's normalisation), so `openai-mock-utils` is not `openai`.
 * docs/inventory-and-reports.md (Scanning source trees) documents these tables; change them here
 * and there.
 */
import type { ComponentRole } from '../../domain/inventory/types';

export const SERVICES = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  'azure-openai': 'Azure OpenAI',
  bedrock: 'Amazon Bedrock',
  vertex: 'Google Vertex AI',
  'hf-inference': 'Hugging Face Inference',
} as const;
export type ServiceKey = keyof typeof SERVICES;

export interface PackageSignature {
  role: ComponentRole;
  /** For SDKs of hosted AI services. */
  service?: ServiceKey;
}

const sdk = (service: ServiceKey): PackageSignature => ({ role: 'service', service });
const framework: PackageSignature = { role: 'framework' };
const pipeline: PackageSignature = { role: 'pipeline' };
const orchestration: PackageSignature = { role: 'orchestration' };

export type Ecosystem = 'npm' | 'pypi' | 'maven' | 'go' | 'cargo';

/** npm package names, exactly. */
export const NPM_PACKAGES: Readonly<Record<string, PackageSignature>> = {
  openai: sdk('openai'),
  '@anthropic-ai/sdk': sdk('anthropic'),
  '@azure/openai': sdk('azure-openai'),
  '@aws-sdk/client-bedrock-runtime': sdk('bedrock'),
  '@aws-sdk/client-bedrock': sdk('bedrock'),
  '@google-cloud/vertexai': sdk('vertex'),
  '@google-cloud/aiplatform': sdk('vertex'),
  '@huggingface/inference': sdk('hf-inference'),
  langchain: orchestration,
  '@langchain/core': orchestration,
  '@langchain/openai': sdk('openai'),
  '@langchain/anthropic': sdk('anthropic'),
  llamaindex: orchestration,
  '@tensorflow/tfjs': framework,
  '@tensorflow/tfjs-node': framework,
  'onnxruntime-node': framework,
  'onnxruntime-web': framework,
  '@xenova/transformers': framework,
  '@huggingface/transformers': framework,
  'brain.js': framework,
  'node-llama-cpp': framework,
  '@mlc-ai/web-llm': framework,
};

/** PyPI names in PEP 503 normal form (lower case, runs of -_. as one dash). */
export const PYPI_PACKAGES: Readonly<Record<string, PackageSignature>> = {
  openai: sdk('openai'),
  anthropic: sdk('anthropic'),
  'azure-ai-inference': sdk('azure-openai'),
  'google-cloud-aiplatform': sdk('vertex'),
  vertexai: sdk('vertex'),
  'huggingface-hub': sdk('hf-inference'),
  'langchain-openai': sdk('openai'),
  'langchain-anthropic': sdk('anthropic'),
  'langchain-aws': sdk('bedrock'),
  'langchain-google-vertexai': sdk('vertex'),
  langchain: orchestration,
  'langchain-core': orchestration,
  'llama-index': orchestration,
  torch: framework,
  torchvision: framework,
  tensorflow: framework,
  keras: framework,
  'scikit-learn': framework,
  xgboost: framework,
  lightgbm: framework,
  catboost: framework,
  transformers: framework,
  'sentence-transformers': framework,
  diffusers: framework,
  datasets: framework,
  accelerate: framework,
  peft: framework,
  onnx: framework,
  onnxruntime: framework,
  jax: framework,
  flax: framework,
  spacy: framework,
  'pytorch-lightning': framework,
  lightning: framework,
  fastai: framework,
  mlflow: pipeline,
  dvc: pipeline,
  kfp: pipeline,
};

/** Maven coordinates `group:artifact`, or `group:*` for every artifact of a group. */
export const MAVEN_PACKAGES: Readonly<Record<string, PackageSignature>> = {
  'com.openai:*': sdk('openai'),
  'com.theokanning.openai-gpt3-java:*': sdk('openai'),
  'com.anthropic:*': sdk('anthropic'),
  'com.azure:azure-ai-openai': sdk('azure-openai'),
  'software.amazon.awssdk:bedrockruntime': sdk('bedrock'),
  'software.amazon.awssdk:bedrock': sdk('bedrock'),
  'com.google.cloud:google-cloud-aiplatform': sdk('vertex'),
  'com.google.cloud:google-cloud-vertexai': sdk('vertex'),
  'ai.djl:*': framework,
  'ai.djl.pytorch:*': framework,
  'ai.djl.tensorflow:*': framework,
  'ai.djl.huggingface:*': framework,
  'org.deeplearning4j:*': framework,
  'org.nd4j:*': framework,
  'org.tensorflow:*': framework,
  'com.microsoft.onnxruntime:*': framework,
  'org.pytorch:*': framework,
  'dev.langchain4j:*': orchestration,
};

/** Go module paths, exactly. */
export const GO_MODULES: Readonly<Record<string, PackageSignature>> = {
  'github.com/sashabaranov/go-openai': sdk('openai'),
  'github.com/openai/openai-go': sdk('openai'),
  'github.com/anthropics/anthropic-sdk-go': sdk('anthropic'),
  'github.com/Azure/azure-sdk-for-go/sdk/ai/azopenai': sdk('azure-openai'),
  'github.com/aws/aws-sdk-go-v2/service/bedrockruntime': sdk('bedrock'),
  'cloud.google.com/go/vertexai': sdk('vertex'),
  'cloud.google.com/go/aiplatform': sdk('vertex'),
  'github.com/tmc/langchaingo': orchestration,
  'gorgonia.org/gorgonia': framework,
  'github.com/yalue/onnxruntime_go': framework,
};

/** Cargo crate names, exactly. */
export const CARGO_CRATES: Readonly<Record<string, PackageSignature>> = {
  'async-openai': sdk('openai'),
  'openai-api-rs': sdk('openai'),
  'candle-core': framework,
  'candle-nn': framework,
  'candle-transformers': framework,
  tch: framework,
  burn: framework,
  ort: framework,
  linfa: framework,
  'rust-bert': framework,
  tokenizers: framework,
};

export function normalisePypiName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

export function packageSignature(ecosystem: Ecosystem, name: string): PackageSignature | undefined {
  switch (ecosystem) {
    case 'npm':
      return NPM_PACKAGES[name];
    case 'pypi':
      return PYPI_PACKAGES[normalisePypiName(name)];
    case 'maven':
      return MAVEN_PACKAGES[name] ?? MAVEN_PACKAGES[`${name.split(':')[0]}:*`];
    case 'go':
      return GO_MODULES[name];
    case 'cargo':
      return CARGO_CRATES[name];
  }
}

/** A line-level pattern in source code. Lines that are comments are never matched. */
export interface LinePattern {
  regex: RegExp;
  signature: string;
  service?: ServiceKey;
  role?: ComponentRole;
}

/** Endpoints of hosted AI APIs, in any source or configuration file. */
export const API_HOSTS: readonly LinePattern[] = [
  { regex: /\bapi\.openai\.com\b/, signature: 'api:openai', service: 'openai' },
  { regex: /\bapi\.anthropic\.com\b/, signature: 'api:anthropic', service: 'anthropic' },
  { regex: /\b[a-z0-9-]+\.openai\.azure\.com\b/i, signature: 'api:azure-openai', service: 'azure-openai' },
  {
    regex: /\bbedrock-runtime\.[a-z0-9-]+\.amazonaws\.com\b|\bclient\(\s*['"]bedrock-runtime['"]/,
    signature: 'api:bedrock',
    service: 'bedrock',
  },
  { regex: /\b(?:[a-z0-9-]+-)?aiplatform\.googleapis\.com\b/, signature: 'api:vertex', service: 'vertex' },
  {
    regex: /\b(?:api-inference|router)\.huggingface\.co\b|\.endpoints\.huggingface\.cloud\b/,
    signature: 'api:hf-inference',
    service: 'hf-inference',
  },
];

const q = `['"\`]`;
const moduleRef = (name: string) =>
  new RegExp(
    `(?:\\bfrom\\s+${q}${name}${q}|\\brequire\\(\\s*${q}${name}${q}\\s*\\)|\\bimport\\(\\s*${q}${name}${q}\\s*\\)|^\\s*import\\s+${q}${name}${q})`,
  );
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** SDK imports of hosted AI services, per language (by file extension). */
export const SDK_IMPORTS: Readonly<Record<'js' | 'python' | 'go' | 'java' | 'rust', readonly LinePattern[]>> =
  {
    js: [
      ...['openai', '@langchain/openai'].map((m) => ({
        regex: moduleRef(escape(m)),
        signature: 'sdk:openai',
        service: 'openai' as const,
      })),
      { regex: moduleRef(escape('@anthropic-ai/sdk')), signature: 'sdk:anthropic', service: 'anthropic' },
      { regex: moduleRef(escape('@azure/openai')), signature: 'sdk:azure-openai', service: 'azure-openai' },
      {
        regex: moduleRef(escape('@aws-sdk/client-bedrock-runtime')),
        signature: 'sdk:bedrock',
        service: 'bedrock',
      },
      { regex: moduleRef(escape('@google-cloud/vertexai')), signature: 'sdk:vertex', service: 'vertex' },
      {
        regex: moduleRef(escape('@huggingface/inference')),
        signature: 'sdk:hf-inference',
        service: 'hf-inference',
      },
    ],
    python: [
      // Azure first: `from openai import AzureOpenAI` is Azure, any other openai import is OpenAI.
      {
        regex:
          /^\s*from\s+openai\s+import\s+.*\bAsyncAzureOpenAI\b|^\s*from\s+openai\s+import\s+.*\bAzureOpenAI\b/,
        signature: 'sdk:azure-openai',
        service: 'azure-openai',
      },
      {
        regex: /^\s*(?:import\s+openai\b|from\s+openai(?:\.[\w.]+)?\s+import\b)/,
        signature: 'sdk:openai',
        service: 'openai',
      },
      {
        regex: /^\s*(?:import\s+anthropic\b|from\s+anthropic(?:\.[\w.]+)?\s+import\b)/,
        signature: 'sdk:anthropic',
        service: 'anthropic',
      },
      {
        regex:
          /^\s*(?:import\s+vertexai\b|from\s+vertexai(?:\.[\w.]+)?\s+import\b|from\s+google\.cloud\s+import\s+aiplatform\b)/,
        signature: 'sdk:vertex',
        service: 'vertex',
      },
      {
        regex:
          /^\s*from\s+huggingface_hub\s+import\s+.*\b(?:InferenceClient|AsyncInferenceClient|InferenceApi)\b/,
        signature: 'sdk:hf-inference',
        service: 'hf-inference',
      },
    ],
    go: [
      {
        regex: /"github\.com\/sashabaranov\/go-openai"|"github\.com\/openai\/openai-go"/,
        signature: 'sdk:openai',
        service: 'openai',
      },
      {
        regex: /"github\.com\/anthropics\/anthropic-sdk-go"/,
        signature: 'sdk:anthropic',
        service: 'anthropic',
      },
      {
        regex: /"github\.com\/Azure\/azure-sdk-for-go\/sdk\/ai\/azopenai"/,
        signature: 'sdk:azure-openai',
        service: 'azure-openai',
      },
      {
        regex: /"github\.com\/aws\/aws-sdk-go-v2\/service\/bedrockruntime"/,
        signature: 'sdk:bedrock',
        service: 'bedrock',
      },
      {
        regex: /"cloud\.google\.com\/go\/(?:vertexai|aiplatform)[^"]*"/,
        signature: 'sdk:vertex',
        service: 'vertex',
      },
    ],
    java: [
      { regex: /^\s*import\s+com\.openai\./, signature: 'sdk:openai', service: 'openai' },
      { regex: /^\s*import\s+com\.anthropic\./, signature: 'sdk:anthropic', service: 'anthropic' },
      {
        regex: /^\s*import\s+com\.azure\.ai\.openai\./,
        signature: 'sdk:azure-openai',
        service: 'azure-openai',
      },
      {
        regex: /^\s*import\s+software\.amazon\.awssdk\.services\.bedrockruntime\./,
        signature: 'sdk:bedrock',
        service: 'bedrock',
      },
      {
        regex: /^\s*import\s+com\.google\.cloud\.(?:vertexai|aiplatform)\./,
        signature: 'sdk:vertex',
        service: 'vertex',
      },
    ],
    rust: [
      { regex: /^\s*use\s+(?:async_openai|openai_api_rs)\b/, signature: 'sdk:openai', service: 'openai' },
    ],
  };

/** ML framework imports in Python code and notebooks, where no manifest may exist. */
export const PYTHON_FRAMEWORK_IMPORT =
  /^\s*(?:import|from)\s+(torch|tensorflow|keras|sklearn|transformers|xgboost|lightgbm|jax|onnxruntime|sentence_transformers|diffusers)\b/;

/** Models referenced by name: Hugging Face hub ids and hosted model names. */
export const MODEL_REFERENCES: readonly { regex: RegExp; prefix: string }[] = [
  { regex: /\.from_pretrained\(\s*['"]([\w.-]+(?:\/[\w.-]+)?)['"]/, prefix: 'huggingface' },
  { regex: /\bmodel\s*[:=]\s*['"]((?:gpt-[0-9][\w.-]*)|(?:claude-[\w.-]+))['"]/, prefix: 'hosted' },
];

/** Data sets loaded by name. */
export const DATASET_REFERENCES: readonly { regex: RegExp; prefix: string }[] = [
  { regex: /\bload_dataset\(\s*['"]([\w.-]+(?:\/[\w.-]+)?)['"]/, prefix: 'huggingface' },
];

/** Model file formats: recognised by extension *and* by their first bytes (see magic.ts). */
export const MODEL_EXTENSIONS: Readonly<Record<string, ModelFormat>> = {
  '.onnx': 'onnx',
  '.pt': 'pytorch',
  '.pth': 'pytorch',
  '.safetensors': 'safetensors',
  '.gguf': 'gguf',
  '.h5': 'hdf5',
  '.hdf5': 'hdf5',
  '.keras': 'keras',
  '.pkl': 'pickle',
  '.pickle': 'pickle',
  '.joblib': 'joblib',
  '.tflite': 'tflite',
};
export type ModelFormat =
  | 'onnx'
  | 'pytorch'
  | 'safetensors'
  | 'gguf'
  | 'hdf5'
  | 'keras'
  | 'pickle'
  | 'joblib'
  | 'tflite'
  | 'saved_model';

/** TensorFlow SavedModel: this file name in a directory with a `variables/` subdirectory. */
export const SAVED_MODEL_FILES = new Set(['saved_model.pb']);

/** File names that are manifests the scanner parses. */
export const MANIFESTS = new Set([
  'package.json',
  'requirements.txt',
  'pyproject.toml',
  'Pipfile',
  'pom.xml',
  'build.gradle',
  'build.gradle.kts',
  'go.mod',
  'Cargo.toml',
]);

export const MODEL_CARD_NAMES = new Set(['model_card.md', 'modelcard.md', 'model-card.md']);

/** Directories that hold third-party or generated code, never the organisation's systems. */
export const ALWAYS_EXCLUDED_DIRS = new Set([
  '.git',
  'node_modules',
  '__pycache__',
  '.venv',
  'venv',
  'site-packages',
  '.tox',
  '.mypy_cache',
]);

/** Source files whose lines are matched against SDK imports and API hosts. */
export const SOURCE_LANGUAGES: Readonly<Record<string, 'js' | 'python' | 'go' | 'java' | 'rust' | 'config'>> =
  {
    '.js': 'js',
    '.mjs': 'js',
    '.cjs': 'js',
    '.jsx': 'js',
    '.ts': 'js',
    '.tsx': 'js',
    '.mts': 'js',
    '.cts': 'js',
    '.py': 'python',
    '.go': 'go',
    '.java': 'java',
    '.kt': 'java',
    '.scala': 'java',
    '.rs': 'rust',
    '.cs': 'config',
    '.rb': 'config',
    '.php': 'config',
    '.sh': 'config',
    '.yaml': 'config',
    '.yml': 'config',
    '.toml': 'config',
    '.ini': 'config',
    '.cfg': 'config',
    '.conf': 'config',
    '.env': 'config',
    '.properties': 'config',
    '.tf': 'config',
  };

/** Kubeflow pipeline definitions compiled to YAML name their API group. */
export const KUBEFLOW_YAML = /pipelines\.kubeflow\.org|\bkubeflow\.org\/v\d/;
