/** The results table (terminal and Markdown) and the machine it was measured on. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import * as prettier from 'prettier';
import type { BenchResult } from './types';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  temporal: string;
  loadAverage: string;
}

export function machine(temporalCli: string, serverVersion: string): Machine {
  let cli = 'unknown';
  try {
    cli = execFileSync(temporalCli, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    // The version line is informative only.
  }
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    temporal: `${cli}; server reports ${serverVersion}`,
    loadAverage: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  };
}

const cell = (v: number | string | undefined) => (v === undefined ? '' : String(v));
const verdict = (r: BenchResult) => (r.pass === undefined ? '' : r.pass ? 'yes' : 'NO');

export function textTable(results: readonly BenchResult[]): string {
  const rows = [
    ['Benchmark', 'Value', 'Unit', 'Baseline', 'Ratio', 'Goal', 'Met'],
    ...results.map((r) => [
      r.name,
      cell(r.value),
      r.unit,
      cell(r.baseline),
      cell(r.ratio),
      cell(r.goal),
      verdict(r),
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row: string[]) => row.map((v, c) => v.padEnd(widths[c])).join(' | ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('-+-'), ...rows.slice(1).map(line)].join('\n');
}

export function markdownTable(results: readonly BenchResult[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '| Benchmark | Value | Unit | Baseline | Ratio | Goal | Met |',
    '| --- | ---: | --- | ---: | ---: | --- | --- |',
    ...results.map(
      (r) =>
        `| ${esc(r.name)} | ${cell(r.value)} | ${r.unit} | ${cell(r.baseline)} | ${cell(r.ratio)} | ${esc(cell(r.goal))} | ${verdict(r)} |`,
    ),
  ].join('\n');
}

export const RESULTS_START = '<!-- bench:results:start (written by npm run bench) -->';
export const RESULTS_END = '<!-- bench:results:end -->';

/**
 * Rewrites the results section of BENCHMARKS.md; the text around it is kept as written. The file
 * is formatted with the project's Prettier settings, so `npm run lint` stays clean after a run.
 */
export async function writeBenchmarksMd(
  file: string,
  results: readonly BenchResult[],
  m: Machine,
  seconds: number,
  notes: string[],
): Promise<void> {
  const existing = fs.existsSync(file)
    ? fs.readFileSync(file, 'utf8')
    : `# Benchmarks\n\n${RESULTS_START}\n${RESULTS_END}\n`;
  const start = existing.indexOf(RESULTS_START);
  const end = existing.indexOf(RESULTS_END);
  if (start < 0 || end < start) throw new Error(`${file} has no bench results markers`);
  const section = [
    RESULTS_START,
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC with \`npm run bench\` (whole run ${Math.round(seconds)} s).`,
    '',
    '| Machine | |',
    '| --- | --- |',
    `| CPU | ${m.cpu} (${m.cores} cores) |`,
    `| Memory | ${m.memoryGiB} GiB |`,
    `| OS | ${m.os} |`,
    `| Node | ${m.node} |`,
    `| Temporal | ${m.temporal} |`,
    `| Load average at start | ${m.loadAverage} |`,
    '',
    markdownTable(results),
    '',
    ...notes.map((n) => `- ${n}`),
    '',
    RESULTS_END,
  ].join('\n');
  const text = existing.slice(0, start) + section + existing.slice(end + RESULTS_END.length);
  const options = (await prettier.resolveConfig(file)) ?? {};
  fs.writeFileSync(file, await prettier.format(text, { ...options, filepath: file }));
}
