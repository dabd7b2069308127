/**
 * The worker and the API as real OS processes (the production entry points, compiled by
 * production-build.ts), configured through the environment exactly as in production, so that a
 * test can SIGKILL one mid-activity, restart it, and see what survives. Also the HTTP helpers
 * the reliability tests drive programmes with.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { ApiKeyStore } from '../../db/api-key-store';
import { openDatabase } from '../../db/data-source';
import type { DecisionBody, StageInput } from '../../domain/schemas';
import { onBehalf } from './fixtures';
import type { StepId } from '../../domain/vocabulary';
import {
  FAIL_POINT_DIR_ENV,
  FAIL_POINTS_ENV,
  markerPath,
  releasePath,
  type FailPoint,
  type FailPointAction,
} from '../../infra/fail-points';
import {
  describeExit,
  spawnSupervised,
  type ExitInfo,
  type SupervisedProcess,
} from '../../infra/process-supervisor';
import { findFreePort } from '../../infra/temporal-server';
import { http, routeFor, type HttpResult, type ProgrammeDetail } from './http-port';
import type { JourneyPort } from './journey';
import type { MailCatcher, ReceivedMail } from './mail';
import { productionBuild, type ProductionBuild } from './production-build';

interface MailLogRow extends RowDataPacket {
  message_id: string;
  recipient: string;
  subject: string;
}

let adminKey: string | undefined;

/**
 * An admin API key in the service's database, as an operator would create one: the API itself
 * keeps no secret, so the key survives every restart. Created once per database.
 */
async function provisionAdminKey(databaseUrl: string): Promise<void> {
  const dataSource = await openDatabase(databaseUrl);
  try {
    adminKey = (
      await new ApiKeyStore(dataSource).create({
        name: 'reliability',
        role: 'admin',
        createdBy: 'cli',
        recordsForOthers: true,
      })
    ).key;
  } finally {
    await dataSource.destroy();
  }
}

/** The Authorization header of every request the reliability tests send. */
export function apiAuthHeaders(): Record<string, string> {
  if (!adminKey) throw new Error('no API key yet: create the Service first');
  return { authorization: `Bearer ${adminKey}` };
}

/** Thrown by an `eventually` check: stop polling, the condition can no longer come true. */
export class GiveUp extends Error {}

/**
 * Polls `check` every `everyMs` until it returns a value (not undefined), for at most `timeoutMs`;
 * a check that throws is retried (the service may be restarting), one that throws GiveUp is not.
 */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      if (err instanceof GiveUp) throw err;
      lastError = err;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Resolves like `work`, or rejects once `ms` have passed without it settling. */
export async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What the worker and the API share: one Temporal server and task queue, one database, one secret. */
export interface ServiceSettings {
  temporalAddress: string;
  databaseUrl: string;
  /** Mail goes here; without it to the outbox of the worker's data folder. */
  smtpUrl?: string;
  /** Directories scans may read. */
  scanRoots?: string[];
}

export interface FailPointArming {
  points: Partial<Record<FailPoint, FailPointAction>>;
}

/** One service process (worker or API) that can be started, killed and started again. */
export class ServiceProcess {
  private child: SupervisedProcess | undefined;
  private readonly lines: string[] = [];

  constructor(
    readonly kind: 'worker' | 'api',
    private readonly script: string,
    private readonly env: () => NodeJS.ProcessEnv,
    private readonly readyMessage: string,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitInfo === undefined;
  }

  /** The last lines the process printed (for failure messages). */
  outputTail(): string {
    return this.child?.outputTail() ?? '';
  }

  /** Lines printed since the process last started. */
  logged(): string[] {
    return [...this.lines];
  }

  /** Starts the process with `extraEnv` added, and resolves once it logs that it is ready. */
  async start(extraEnv: NodeJS.ProcessEnv = {}): Promise<void> {
    if (this.running) throw new Error(`${this.kind} is already running`);
    this.lines.length = 0;
    let ready = false;
    const child = spawnSupervised({
      name: this.kind,
      command: process.execPath,
      args: [this.script],
      env: { ...this.env(), ...extraEnv },
      tailLines: 200,
      onLine: (line) => {
        this.lines.push(line);
        if (line.includes(`"msg":"${this.readyMessage}"`)) ready = true;
      },
    });
    this.child = child;
    await eventually(
      `${this.kind} to log "${this.readyMessage}"`,
      () => {
        if (child.exitInfo)
          throw new GiveUp(`${this.kind} ${describeExit(child.exitInfo)}:\n${child.outputTail()}`);
        return ready ? true : undefined;
      },
      90_000,
      50,
    ).catch((err: unknown) => {
      child.kill('SIGKILL');
      throw err;
    });
  }

  /** SIGKILL: no shutdown hook runs, in-flight work is cut wherever it is. */
  async kill9(): Promise<ExitInfo> {
    const child = this.child;
    if (!child) throw new Error(`${this.kind} is not running`);
    child.kill('SIGKILL');
    const info = await child.exited;
    this.child = undefined;
    return info;
  }

  /** SIGTERM, the orderly shutdown of a deployment. */
  async stop(): Promise<ExitInfo | undefined> {
    const child = this.child;
    this.child = undefined;
    return child?.stop(30_000);
  }
}

/** The worker and the API of one deployment, as processes, plus the fail-point folder. */
export class Service {
  readonly taskQueue = `aimsflow-reliability-${randomUUID()}`;
  readonly approvalSecret = randomBytes(32).toString('base64url');
  readonly dataDir: string;
  readonly failPointDir: string;
  readonly worker: ServiceProcess;
  readonly api: ServiceProcess;

  private constructor(
    readonly build: ProductionBuild,
    private settings: ServiceSettings,
    readonly apiPort: number,
  ) {
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimsflow-reliability-'));
    this.failPointDir = path.join(this.dataDir, 'fail-points');
    fs.mkdirSync(this.failPointDir);
    const common = (): NodeJS.ProcessEnv => ({
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      DATA_DIR: this.dataDir,
      DATABASE_URL: this.settings.databaseUrl,
      TEMPORAL_ADDRESS: this.settings.temporalAddress,
      TEMPORAL_TASK_QUEUE: this.taskQueue,
      APPROVAL_SECRET: this.approvalSecret,
      PUBLIC_BASE_URL: this.baseUrl,
      SCAN_ROOTS: (this.settings.scanRoots ?? [os.tmpdir()]).join(','),
      ...(this.settings.smtpUrl ? { SMTP_URL: this.settings.smtpUrl } : {}),
    });
    this.worker = new ServiceProcess(
      'worker',
      build.workerMain,
      () => ({
        ...common(),
        WORKFLOW_BUNDLE: build.workflowBundle,
        WORKER_METRICS_BIND: 'off',
        WORKER_SHUTDOWN_GRACE_MS: '2000',
      }),
      'worker running',
    );
    this.api = new ServiceProcess(
      'api',
      build.apiMain,
      () => ({ ...common(), HOST: '127.0.0.1', PORT: String(apiPort) }),
      'API listening',
    );
  }

  /** Builds the service if needed and creates its admin key; starts nothing. */
  static async create(settings: ServiceSettings): Promise<Service> {
    await provisionAdminKey(settings.databaseUrl);
    return new Service(await productionBuild(), settings, await findFreePort());
  }

  /** The API keeps its port across restarts, so approval links stay valid. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  /** E.g. after a Temporal server moved: the next start of each process uses the new settings. */
  reconfigure(settings: Partial<ServiceSettings>): void {
    this.settings = { ...this.settings, ...settings };
  }

  /** Starts the worker, with fail points armed if given. */
  startWorker(arming?: FailPointArming): Promise<void> {
    const spec = Object.entries(arming?.points ?? {})
      .map(([point, action]) => `${point}=${action}`)
      .join(',');
    return this.worker.start(
      spec ? { [FAIL_POINTS_ENV]: spec, [FAIL_POINT_DIR_ENV]: this.failPointDir } : {},
    );
  }

  /** Resolves once an armed fail point has been reached (its marker exists). */
  async reached(point: FailPoint, timeoutMs = 60_000): Promise<void> {
    await eventually(
      `fail point ${point}`,
      () => {
        if (!this.worker.running) throw new GiveUp(`worker exited:\n${this.worker.outputTail()}`);
        return fs.existsSync(markerPath(this.failPointDir, point)) ? true : undefined;
      },
      timeoutMs,
      50,
    );
  }

  fired(point: FailPoint): boolean {
    return fs.existsSync(markerPath(this.failPointDir, point));
  }

  /** Lets a `pause` fail point carry on. */
  release(point: FailPoint): void {
    fs.writeFileSync(releasePath(this.failPointDir, point), '');
  }

  async stop(): Promise<void> {
    await this.api.stop();
    await this.worker.stop();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Runs one query on the service's MySQL/MariaDB database (a connection of its own). */
  async sql<T extends RowDataPacket>(query: string, params: unknown[] = []): Promise<T[]> {
    const url = new URL(this.settings.databaseUrl);
    const connection = await createConnection({
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username) || undefined,
      password: decodeURIComponent(url.password) || undefined,
      database: decodeURIComponent(url.pathname.slice(1)),
    });
    try {
      const [rows] = await connection.query<T[]>(query, params);
      return rows;
    } finally {
      await connection.end();
    }
  }

  /**
   * Waits until the SMTP server has received every message the mail log (mail_log) records for
   * the programme, then checks each was received exactly once: by Message-ID and by recipient
   * and subject, and that the two lists are the same. Returns what was received.
   */
  async expectEachNotificationOnce(mail: MailCatcher, programmeId: string): Promise<ReceivedMail[]> {
    const received = (): ReceivedMail[] => mail.messages.filter((m) => m.programmeId === programmeId);
    const logged = () =>
      this.sql<MailLogRow>('SELECT message_id, recipient, subject FROM mail_log WHERE programme_id = ?', [
        programmeId,
      ]);
    const log = await eventually(
      'the mail log and the SMTP server to agree',
      async () => {
        const rows = await logged();
        return rows.length > 0 && rows.length === received().length ? rows : undefined;
      },
      150_000,
      250,
    ).catch(async (err: unknown) => {
      const ids = new Set((await logged()).map((r) => r.message_id));
      const lines = received().map(
        (m) => `${ids.has(m.messageId) ? 'logged' : 'NOT LOGGED'} ${m.messageId} ${m.to} ${m.subject}`,
      );
      throw new Error(
        `${String(err)}\nmail log: ${ids.size} rows; SMTP server received:\n${lines.join('\n')}`,
      );
    });
    const smtp = received();
    expect(new Set(smtp.map((m) => m.messageId)).size).toBe(smtp.length);
    expect(new Set(smtp.map((m) => `${m.to}\n${m.subject}`)).size).toBe(smtp.length);
    expect(smtp.map((m) => m.messageId).sort()).toEqual(log.map((r) => r.message_id).sort());
    expect(smtp.map((m) => `${m.to}\n${m.subject}`).sort()).toEqual(
      log.map((r) => `${r.recipient}\n${r.subject}`).sort(),
    );
    return smtp;
  }

  request(method: string, urlPath: string, body?: unknown): Promise<HttpResult> {
    return http(this.baseUrl, method, urlPath, body, apiAuthHeaders());
  }

  /** GET that must answer 200; returns the body. */
  async get<T>(urlPath: string): Promise<T> {
    const res = await this.request('GET', urlPath);
    if (res.status !== 200) throw new Error(`GET ${urlPath} -> ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as T;
  }

  async startProgramme(organisation: string): Promise<ProgrammeClient> {
    const res = await this.request('POST', '/programmes', { organisation, name: 'AIMS certification' });
    if (res.status !== 201 && res.status !== 202 && res.status !== 200)
      throw new Error(`POST /programmes -> ${res.status}: ${JSON.stringify(res.body)}`);
    return new ProgrammeClient(this, (res.body as { id: string }).id);
  }
}

/** A JourneyPort over the API process, with the suite's Authorization header on every request. */
export class ProgrammeClient implements JourneyPort {
  constructor(
    private readonly service: Service,
    readonly programmeId: string,
  ) {}

  private async expectOk(method: string, urlPath: string, body: unknown): Promise<Record<string, unknown>> {
    const res = await this.service.request(method, `/programmes/${this.programmeId}/${urlPath}`, body);
    if (res.status >= 300)
      throw new Error(`${method} ${urlPath} -> ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as Record<string, unknown>;
  }

  submit(input: StageInput): Promise<{ recordId?: string; findingIds?: string[] }> {
    const route = routeFor(input);
    return this.expectOk(route.method, route.path, route.body);
  }

  decide(decision: DecisionBody): Promise<unknown> {
    return this.expectOk('POST', 'decisions', onBehalf(decision));
  }

  async detail(): Promise<ProgrammeDetail> {
    const res = await this.service.request('GET', `/programmes/${this.programmeId}`);
    if (res.status !== 200) throw new Error(`GET programme -> ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as ProgrammeDetail;
  }

  /** The items of a record list, e.g. `findings`, `history`, `decisions`. */
  async list<T = Record<string, unknown>>(what: string): Promise<T[]> {
    return (await this.service.get<{ items: T[] }>(`/programmes/${this.programmeId}/${what}`)).items;
  }

  waitFor(ok: (p: ProgrammeDetail) => boolean, what: string, timeoutMs = 60_000): Promise<ProgrammeDetail> {
    return eventually(
      what,
      async () => {
        const detail = await this.detail();
        return ok(detail) ? detail : undefined;
      },
      timeoutMs,
    );
  }

  waitForStep(step: StepId, timeoutMs = 60_000): Promise<ProgrammeDetail> {
    return this.waitFor((p) => p.step === step && p.accepts.length > 0, `step ${step}`, timeoutMs);
  }
}
