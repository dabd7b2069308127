/**
 * Benchmark plumbing: a concurrency runner with latency percentiles, CPU and memory of a child
 * process from /proc, and a worker running as its own process (so its RSS and CPU are its own,
 * as in production) on a given task queue and database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface LatencyStats {
  count: number;
  seconds: number;
  /** Operations per second over the whole batch. */
  throughput: number;
  p50Ms: number;
  p99Ms: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function stats(latenciesMs: number[], seconds: number): LatencyStats {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    count: sorted.length,
    seconds,
    throughput: sorted.length / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
  };
}

/** Runs `op(i)` for i in [0, total) with `concurrency` callers in flight, timing each call. */
export async function runConcurrent(
  total: number,
  concurrency: number,
  op: (i: number) => Promise<unknown>,
): Promise<LatencyStats> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const caller = async (): Promise<void> => {
    for (let i = next++; i < total; i = next++) {
      const t0 = performance.now();
      await op(i);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, caller));
  return stats(latencies, (performance.now() - started) / 1000);
}

/** CPU seconds (user + system) and resident memory of a process, from /proc (Linux). */
export function processUsage(pid: number): { cpuSeconds: number; rssBytes: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  // USER_HZ is 100 on every Linux this runs on.
  return { cpuSeconds: ticks / 100, rssBytes: rssKb * 1024 };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface WorkerProcess {
  readonly pid: number;
  usage(): { cpuSeconds: number; rssBytes: number };
  /** Resolves once the worker has been idle (under 5% of a core) for `quietMs`. */
  settle(quietMs?: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts dist/worker/main.js with the production entry point and waits until it polls. */
export async function startWorkerProcess(opts: {
  address: string;
  taskQueue: string;
  databaseUrl: string;
  workflowBundle: string;
  env?: NodeJS.ProcessEnv;
}): Promise<WorkerProcess> {
  const script = path.resolve(__dirname, '..', 'worker', 'main.js');
  const child: ChildProcess = spawn(process.execPath, [script], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: opts.address,
      TEMPORAL_TASK_QUEUE: opts.taskQueue,
      DATABASE_URL: opts.databaseUrl,
      WORKFLOW_BUNDLE: opts.workflowBundle,
      WORKER_METRICS_BIND: 'off',
      LOG_LEVEL: 'info',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`worker did not start:\n${output.slice(-2000)}`)),
      120_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('"worker running"')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}:\n${output.slice(-2000)}`));
    });
  });
  // Keep draining output so the pipe never fills and blocks the worker.
  child.stdout?.resume();
  const pid = child.pid as number;
  return {
    pid,
    usage: () => processUsage(pid),
    async settle(quietMs = 2000, timeoutMs = 300_000) {
      const deadline = Date.now() + timeoutMs;
      let quietSince = Date.now();
      let last = processUsage(pid).cpuSeconds;
      while (Date.now() < deadline) {
        await sleep(500);
        const now = processUsage(pid).cpuSeconds;
        if (now - last > 0.025) quietSince = Date.now();
        last = now;
        if (Date.now() - quietSince >= quietMs) return;
      }
      throw new Error('worker did not settle');
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
