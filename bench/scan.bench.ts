/**
 * Inventory scan throughput: a generated 50,000-file monorepo (sources in four languages,
 * manifests, notebooks, model files, documentation, about 1 % of files with AI evidence) is
 * scanned by the scanner core, and ripgrep searches the same tree for the same signatures
 * (hosted-API endpoints, SDK imports, AI package names) as the baseline. ripgrep only greps
 * text; the scanner also parses manifests and checks model headers, so the ratio is the price
 * of that understanding. Run alone with `node dist/bench/scan.bench.js`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { scanTree } from '../services/inventory/scanner';
import { DEFAULT_SCAN_LIMITS } from '../domain/inventory/types';
import type { BenchResult } from './types';

export const FILES = 50_000;
const PER_DIR = 100;

const SOURCES: Record<string, (i: number) => string> = {
  ts: (i) =>
    i % 97 === 0
      ? `import OpenAI from 'openai';\nexport const client${i} = new OpenAI();\n`
      : `import express from 'express';\nexport function handler${i}(req: unknown) {\n  return { ok: true, id: ${i} };\n}\n`,
  py: (i) =>
    i % 89 === 0
      ? `import anthropic\nclient = anthropic.Anthropic()\n`
      : `import json\n\ndef handle_${i}(event):\n    return json.dumps({"id": ${i}})\n`,
  go: (i) =>
    i % 101 === 0
      ? `package svc\n\nconst endpoint = "https://eu.openai.azure.com/openai/deployments/x"\n`
      : `package svc\n\nfunc Handle${i}() int { return ${i} }\n`,
  md: (i) => `# Module ${i}\n\nNothing to see here; the service stores invoices.\n`,
  json: (i) => JSON.stringify({ id: i, name: `fixture-${i}`, values: [1, 2, 3] }),
};

/** Writes the tree: 500 directories of 100 files, each directory a small project every tenth time. */
export function generateTree(root: string, files = FILES): void {
  const kinds = Object.keys(SOURCES);
  for (let d = 0; d * PER_DIR < files; d++) {
    const dir = path.join(root, `pkg-${String(d).padStart(4, '0')}`, 'src');
    fs.mkdirSync(dir, { recursive: true });
    const first = d * PER_DIR;
    for (let i = first; i < Math.min(first + PER_DIR, files); i++) {
      const kind = kinds[i % kinds.length];
      const rel = i === first && d % 10 === 0 ? path.join('..', 'package.json') : `file-${i}.${kind}`;
      const content =
        i === first && d % 10 === 0
          ? JSON.stringify({
              name: `pkg-${d}`,
              dependencies: d % 20 === 0 ? { openai: '^4' } : { express: '^5' },
            })
          : SOURCES[kind](i);
      fs.writeFileSync(path.join(dir, rel), content);
    }
    if (d % 50 === 0)
      fs.writeFileSync(
        path.join(dir, 'model.safetensors'),
        Buffer.from([2, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d]),
      );
  }
}

/** The same signatures, as one ripgrep alternation. */
export const RG_PATTERN = [
  String.raw`api\.openai\.com`,
  String.raw`api\.anthropic\.com`,
  String.raw`[a-z0-9-]+\.openai\.azure\.com`,
  String.raw`bedrock-runtime`,
  String.raw`aiplatform\.googleapis\.com`,
  String.raw`api-inference\.huggingface\.co`,
  String.raw`from ['"]openai['"]`,
  String.raw`from ['"]@anthropic-ai/sdk['"]`,
  String.raw`^\s*import (openai|anthropic)\b`,
  String.raw`^\s*from (openai|anthropic) import`,
  String.raw`"(openai|@anthropic-ai/sdk|langchain|@tensorflow/tfjs)"\s*:`,
  String.raw`github\.com/sashabaranov/go-openai`,
].join('|');

function timeRipgrep(root: string): number | undefined {
  const start = performance.now();
  const rg = spawnSync('rg', ['--count-matches', '--no-messages', '-e', RG_PATTERN, root], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (performance.now() - start) / 1000;
  if (rg.error) return undefined; // not installed
  if (rg.status !== 0 && rg.status !== 1) throw new Error(`rg failed: ${rg.stderr}`);
  return seconds;
}

export async function run(): Promise<BenchResult[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'aimsflow-scan-bench-'));
  try {
    generateTree(root);
    // One warm-up listing so neither contender pays for a cold directory cache.
    spawnSync('rg', ['--files', root], { stdio: 'ignore' });
    const start = performance.now();
    const scan = await scanTree(root, DEFAULT_SCAN_LIMITS);
    const scanSeconds = (performance.now() - start) / 1000;
    const scanRate = Math.round(scan.filesSeen / scanSeconds);
    const rgSeconds = timeRipgrep(root);
    const rgRate = rgSeconds === undefined ? undefined : Math.round(FILES / rgSeconds);
    // The goal: at least half of ripgrep's rate on the same tree and signatures.
    const goalRatio = 0.5;
    return [
      {
        name: `Inventory scan, ${FILES.toLocaleString('en')} files (scanner core; baseline ripgrep, same signatures)`,
        value: scanRate,
        unit: 'files/s',
        ...(rgRate === undefined
          ? {}
          : { baseline: rgRate, ratio: Math.round((scanRate / rgRate) * 100) / 100 }),
        goal: `>= ${goalRatio}x ripgrep`,
        pass: rgRate !== undefined && scanRate / rgRate >= goalRatio,
      },
      {
        name: `Inventory scan findings (${scan.findings.length}) over ${scan.filesSeen} files`,
        value: Math.round(scanSeconds * 1000),
        unit: 'ms',
      },
      ...(rgSeconds === undefined
        ? []
        : [
            {
              name: 'ripgrep, same signatures (multi-threaded, text only)',
              value: rgRate ?? 0,
              unit: 'files/s',
            },
          ]),
    ];
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) {
  run().then(
    (results) => {
      for (const r of results) process.stdout.write(`${JSON.stringify(r)}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    },
  );
}
