/**
 * The service as it runs in production, in-process for tests: a real worker on a real Temporal
 * server, the real API on an ephemeral port, and a real database. Each part can be stopped and
 * started again on its own, which is how the restart tests interrupt a programme.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker, type WorkflowBundle } from '@temporalio/worker';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { createApp } from '../../api/app';
import { TemporalProgrammeGateway } from '../../api/temporal-gateway';
import { openDatabase } from '../../db/data-source';
import { ProgrammeRepository } from '../../db/repository';
import { createAimsWorker } from '../../worker/create-worker';

export interface Stack {
  readonly taskQueue: string;
  baseUrl(): string;
  client(): Client;
  repository(): ProgrammeRepository;
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
}): Promise<Stack> {
  const namespace = opts.namespace ?? 'default';
  const taskQueue = `aimsflow-test-${randomUUID()}`;
  const logger = pino({ level: 'silent' });
  const dataSource: DataSource = await openDatabase(opts.databaseUrl);
  const repository = new ProgrammeRepository(dataSource);
  let address = opts.address;
  let connection: Connection | undefined;
  let client: Client | undefined;
  let worker: { worker: Worker; running: Promise<void>; connection: NativeConnection } | undefined;
  let server: Server | undefined;

  const stack: Stack = {
    taskQueue,
    baseUrl: () => {
      if (!server) throw new Error('API is not running');
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    client: () => {
      if (!client) throw new Error('not connected');
      return client;
    },
    repository: () => repository,
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
        repository,
        workflowBundle: opts.workflowBundle,
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
      const app = createApp({ gateway, store: repository, logger });
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
    },
  };
  await stack.connect(address);
  await stack.startWorker();
  await stack.startApi();
  return stack;
}
