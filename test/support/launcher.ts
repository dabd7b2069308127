/**
 * `npm start` as a real process: the launcher (scripts/start.ts, compiled by production-build.ts)
 * with its embedded Temporal dev server, the worker and the API, on SQLite in a fresh data folder
 * and on free ports, which is what a single-machine installation runs. Its output is kept, so a
 * test waits on what the launcher logs (which pid it started, what it restarted) instead of
 * sleeping.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  describeExit,
  spawnSupervised,
  type ExitInfo,
  type SupervisedProcess,
} from '../../infra/process-supervisor';
import { findFreePort } from '../../infra/temporal-server';
import { http, type HttpResult } from './http-port';
import { eventually, GiveUp } from './processes';
import { productionBuild } from './production-build';

/** A line the launcher itself logged (pino JSON); its children's lines carry a `[name]` prefix. */
export interface LauncherLog {
  level: number;
  time: number;
  msg: string;
  process?: string;
  childPid?: number;
  url?: string;
  delayMs?: number;
  [key: string]: unknown;
}

/** pino's number for the error level. */
export const ERROR_LEVEL = 50;

/** True while a process with this pid exists (signal 0 only checks). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export class LaunchedService {
  private constructor(
    private readonly child: SupervisedProcess,
    /** Every line it printed: its own log lines, its children's (prefixed), the banner. */
    private readonly output: string[],
    readonly dataDir: string,
    readonly baseUrl: string,
  ) {}

  /** Starts `npm start` with `env` added, and resolves once it says it is running. */
  static async start(env: NodeJS.ProcessEnv): Promise<LaunchedService> {
    const build = await productionBuild();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimsflow-launcher-'));
    const port = await findFreePort();
    const temporalPort = await findFreePort();
    const output: string[] = [];
    const child = spawnSupervised({
      name: 'launcher',
      command: process.execPath,
      args: [build.launcherMain],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...(process.env.TEMPORAL_CLI_PATH ? { TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH } : {}),
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        DATA_DIR: dataDir,
        HOST: '127.0.0.1',
        PORT: String(port),
        TEMPORAL_PORT: String(temporalPort),
        TEMPORAL_UI_PORT: String(await findFreePort()),
        WORKFLOW_BUNDLE: build.workflowBundle,
        WORKER_METRICS_BIND: 'off',
        WORKER_SHUTDOWN_GRACE_MS: '2000',
        // Port 0: the OS picks one, and the launcher logs where it listens.
        LAUNCHER_METRICS_BIND: '127.0.0.1:0',
        ...env,
      },
      tailLines: 400,
      onLine: (line) => output.push(line),
    });
    const service = new LaunchedService(child, output, dataDir, `http://127.0.0.1:${port}`);
    await eventually(
      'the launcher to say "aimsflow is running"',
      () => (output.some((line) => line.trim() === 'aimsflow is running') ? true : service.stillRunning()),
      120_000,
      50,
    ).catch(async (err: unknown) => {
      await child.stop(5000);
      throw err;
    });
    return service;
  }

  /** For a polled condition not met yet: undefined, or GiveUp once the launcher has exited. */
  private stillRunning(): undefined {
    const exit = this.child.exitInfo;
    if (exit) throw new GiveUp(`launcher ${describeExit(exit)}:\n${this.child.outputTail()}`);
    return undefined;
  }

  /** The launcher process's own pid. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get exited(): Promise<ExitInfo> {
    return this.child.exited;
  }

  /** Everything printed so far (for failure messages). */
  outputTail(): string {
    return this.child.outputTail();
  }

  /** The launcher's own log lines so far. */
  logs(): LauncherLog[] {
    const logs: LauncherLog[] = [];
    for (const line of this.output) {
      if (!line.startsWith('{')) continue;
      try {
        const parsed = JSON.parse(line) as LauncherLog;
        if (parsed.name === 'start') logs.push(parsed);
      } catch {
        // a partial or non-JSON line: not one of the launcher's log lines
      }
    }
    return logs;
  }

  /** Waits (bounded) for the launcher to log a line that `match` accepts; the launcher must keep running. */
  waitForLog(what: string, match: (log: LauncherLog) => boolean, timeoutMs = 90_000): Promise<LauncherLog> {
    return eventually(what, () => this.logs().find(match) ?? this.stillRunning(), timeoutMs, 50);
  }

  /** The pids the launcher started for `process` ('worker' or 'api'), oldest first. */
  pids(process: 'worker' | 'api'): number[] {
    return this.logs()
      .filter((l) => l.msg === `${process} started` && l.childPid !== undefined)
      .map((l) => l.childPid as number);
  }

  /** Waits for the launcher to start `process` again after the one with pid `previous`; its pid. */
  async nextPid(process: 'worker' | 'api', previous: number): Promise<number> {
    return eventually(
      `a ${process} process started after pid ${previous}`,
      () => {
        const pids = this.pids(process);
        if (!pids.includes(previous)) throw new GiveUp(`the launcher never started a ${process} ${previous}`);
        return pids[pids.indexOf(previous) + 1] ?? this.stillRunning();
      },
      90_000,
      50,
    );
  }

  /** The pids of the embedded Temporal dev server, oldest first. */
  temporalPids(): number[] {
    return this.logs()
      .filter((l) => l.msg === 'Temporal dev server ready' && l.childPid !== undefined)
      .map((l) => l.childPid as number);
  }

  /** Where the launcher serves its metrics. */
  metricsUrl(): string {
    const ready = this.logs().find((l) => l.msg === 'launcher metrics ready');
    if (!ready?.url) throw new Error(`the launcher did not log its metrics address:\n${this.outputTail()}`);
    return ready.url;
  }

  /** The value of one sample on the launcher's metrics endpoint, e.g. `x_total{process="worker"}`. */
  async metric(sample: string): Promise<number | undefined> {
    const text = await (await fetch(this.metricsUrl())).text();
    const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
    return line === undefined ? undefined : Number(line.slice(sample.length + 1));
  }

  /** The admin key the launcher printed on first start (a fresh data folder has none before). */
  adminKey(): string {
    const at = this.output.findIndex((line) => line.includes('First admin API key'));
    const key = at < 0 ? undefined : this.output[at + 1]?.trim();
    if (!key?.startsWith('aimsflow_')) throw new Error(`no admin key printed:\n${this.outputTail()}`);
    return key;
  }

  request(method: string, urlPath: string, body?: unknown): Promise<HttpResult> {
    return http(this.baseUrl, method, urlPath, body, { authorization: `Bearer ${this.adminKey()}` });
  }

  /** SIGTERM (Ctrl-C), as an operator stops it; then the data folder goes. */
  async stop(): Promise<ExitInfo> {
    const info = await this.child.stop(60_000);
    fs.rmSync(this.dataDir, { recursive: true, force: true });
    return info;
  }
}
