/**
 * The service as it runs in production, in-process for tests: a real worker on a real Temporal
 * server, the real API on an ephemeral port, and a real database. Each part can be stopped and
 * started again on its own, which is how the restart tests interrupt a programme.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker, type WorkflowBundle } from '@temporalio/worker';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { createNotificationActivities } from '../../activities/notifications';
import { createApp } from '../../api/app';
import type { RateLimitSetting } from '../../api/auth';
import { apiFeatures } from '../../api/features';
import { TemporalProgrammeGateway } from '../../api/temporal-gateway';
import { ApiKeyStore } from '../../db/api-key-store';
import { ApprovalStore } from '../../db/approval-store';
import { openDatabase } from '../../db/data-source';
import { IdempotencyRepository } from '../../db/idempotency-repository';
import { countFailingWorkflows } from '../../api/workflow-problems';
import { OpsStats } from '../../db/ops-stats';
import { ProgrammeRepository } from '../../db/repository';
import { createAuditTrail } from '../../services/audit-trail';
import type { ScanSettings } from '../../activities/inventory';
import { workerActivities } from '../../worker/activities';
import { createMailer } from '../../services/mail/mailer';
import { createAimsWorker } from '../../worker/create-worker';
import { ROLES, type Role } from '../../domain/roles';

export interface Stack {
  readonly taskQueue: string;
  baseUrl(): string;
  client(): Client;
  repository(): ProgrammeRepository;
  dataSource(): DataSource;
  /** Where uploaded evidence files are stored. */
  readonly evidenceDir: string;
  /** Signs the approval links of this stack's mail. */
  readonly approvalSecret: string;
  /** Where mail goes when no SMTP server is given. */
  readonly outboxDir: string;
  approvalStore(): ApprovalStore;
  /** The API key table of this stack's database. */
  apiKeys(): ApiKeyStore;
  /** The Authorization header of an API key with this role (default admin), for direct requests. */
  authHeader(role?: Role): { authorization: string };
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  startApi(): Promise<void>;
  stopApi(): Promise<void>;
  /** Reconnects client and worker, e.g. after the Temporal server restarted. */
  connect(address: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startStack(opts: {
  address: string;
  namespace?: string;
  databaseUrl: string;
  workflowBundle: WorkflowBundle;
  /** SMTP server for the worker's mail; without it mail goes to the outbox folder. */
  smtpUrl?: string;
  /** Where inventory scans may read (default: the system temp directory, where tests build trees). */
  scanRoots?: string[];
  /** Scan settings of the worker's activities (limits, checkpoints, a checkpoint hook). */
  scan?: Partial<ScanSettings>;
  /** Failed authentications per address and window before 429s (default: the API's own). */
  authFailureLimit?: RateLimitSetting;
}): Promise<Stack> {
  const namespace = opts.namespace ?? 'default';
  const taskQueue = `aimsflow-test-${randomUUID()}`;
  // TEST_LOG_LEVEL=debug shows the API's and worker's logs when a test needs explaining.
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const dataSource: DataSource = await openDatabase(opts.databaseUrl);
  const repository = new ProgrammeRepository(dataSource);
  const evidenceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimsflow-evidence-'));
  const scanRoots = opts.scanRoots ?? [os.tmpdir()];
  const outboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimsflow-outbox-'));
  const approvalSecret = randomBytes(32).toString('base64url');
  const approvalStore = new ApprovalStore(dataSource);
  const apiKeys = new ApiKeyStore(dataSource);
  // One real key per role in the stack's own database, as an admin would create them.
  const roleKeys = new Map<Role, string>();
  for (const role of ROLES) {
    // Steering keys record decisions made elsewhere, as a programme office does (fixtures.onBehalf).
    const recordsForOthers = role === 'admin' || role === 'programme-manager';
    roleKeys.set(
      role,
      (await apiKeys.create({ name: `test ${role}`, role, createdBy: 'test', recordsForOthers })).key,
    );
  }
  // Links point at the API; while it is restarting they name the port it last had.
  let lastBaseUrl = 'http://127.0.0.1:3000';
  let address = opts.address;
  let connection: Connection | undefined;
  let client: Client | undefined;
  let worker: { worker: Worker; running: Promise<void>; connection: NativeConnection } | undefined;
  let server: Server | undefined;

  const stack: Stack = {
    taskQueue,
    evidenceDir,
    approvalSecret,
    outboxDir,
    approvalStore: () => approvalStore,
    apiKeys: () => apiKeys,
    authHeader: (role: Role = 'admin') => ({ authorization: `Bearer ${roleKeys.get(role) ?? ''}` }),
    baseUrl: () => {
      if (!server) throw new Error('API is not running');
      return (lastBaseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    },
    client: () => {
      if (!client) throw new Error('not connected');
      return client;
    },
    repository: () => repository,
    dataSource: () => dataSource,
    async connect(newAddress) {
      address = newAddress;
      const apiWasRunning = server !== undefined;
      await stack.stopApi();
      await connection?.close();
      connection = await Connection.connect({ address });
      client = new Client({ connection, namespace });
      if (apiWasRunning) await stack.startApi();
    },
    async startWorker() {
      const nativeConnection = await NativeConnection.connect({ address });
      const w = await createAimsWorker({
        connection: nativeConnection,
        namespace,
        taskQueue,
        workflowBundle: opts.workflowBundle,
        activities: workerActivities({
          dataSource,
          audit: createAuditTrail(dataSource),
          notifications: createNotificationActivities({
            mailer: createMailer({
              smtpUrl: opts.smtpUrl,
              outboxDir,
              from: 'aimsflow <aimsflow@test.invalid>',
            }),
            mailLog: approvalStore,
            secret: approvalSecret,
            publicBaseUrl: () => (server ? stack.baseUrl() : lastBaseUrl),
            records: repository,
          }),
          scan: { roots: scanRoots, ...opts.scan },
        }),
      });
      worker = { worker: w, running: w.run(), connection: nativeConnection };
    },
    async stopWorker() {
      if (!worker) return;
      const w = worker;
      worker = undefined;
      w.worker.shutdown();
      await w.running;
      await w.connection.close();
    },
    async startApi() {
      const gateway = new TemporalProgrammeGateway(stack.client(), taskQueue);
      const features = apiFeatures({
        dataSource,
        client: stack.client(),
        gateway,
        taskQueue,
        logger,
        evidence: { dir: evidenceDir, maxBytes: 5 * 1024 * 1024 },
        scanRoots,
        // Tests click through many links from one address; the limit itself is unit-tested.
        approvals: { secret: approvalSecret, rateLimit: { limit: 10_000, windowMs: 60_000 } },
        apiKeys,
      });
      const app = createApp({
        gateway,
        store: repository,
        authenticator: apiKeys,
        authFailureLimit: opts.authFailureLimit,
        logger,
        ops: new OpsStats(dataSource, { approvalOverdueAfter: 'P14D' }),
        failingWorkflows: () => countFailingWorkflows(stack.client()),
        extraRoutes: features.routes,
        onInputAccepted: features.onInputAccepted,
        audit: features.audit,
        idempotency: new IdempotencyRepository(dataSource),
      });
      await new Promise<void>((resolve) => {
        server = app.listen(0, '127.0.0.1', () => resolve());
      });
    },
    async stopApi() {
      const s = server;
      server = undefined;
      if (s) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
    },
    async stop() {
      await stack.stopApi();
      await stack.stopWorker();
      await connection?.close();
      await dataSource.destroy();
      fs.rmSync(evidenceDir, { recursive: true, force: true });
      fs.rmSync(outboxDir, { recursive: true, force: true });
    },
  };
  try {
    await stack.connect(address);
    await stack.startWorker();
    await stack.startApi();
  } catch (err) {
    // A worker left polling would keep the test process alive after the failure is reported.
    await stack.stop().catch(() => undefined);
    throw err;
  }
  return stack;
}

/**
 * A stack for one describe block: started before its tests on the given Temporal fixture and
 * a fresh database of `target`, stopped (and the database removed) after them. The returned
 * object stands for the stack once it has started.
 */
export function useStack(
  temporal: { env: { address: string }; bundle: WorkflowBundle },
  target: { freshDatabase(suffix: string): Promise<string>; cleanup(): Promise<void> },
  name: string,
): Stack {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack({
      address: temporal.env.address,
      databaseUrl: await target.freshDatabase(name),
      workflowBundle: temporal.bundle,
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await target.cleanup();
  });
  return new Proxy({} as Stack, {
    get(_, prop) {
      if (!stack) throw new Error('the stack starts in beforeAll');
      const value: unknown = Reflect.get(stack, prop);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(stack) : value;
    },
  });
}
