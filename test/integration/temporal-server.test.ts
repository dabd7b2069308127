/**
 * The embedded dev server: search attributes are registered with the right types, state persists
 * in the SQLite file across a restart, and start failures are reported clearly.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { ALL_SEARCH_ATTRIBUTES, AimsStage } from '../../domain/search-attributes';
import {
  findFreePort,
  listSearchAttributeTypes,
  registerSearchAttributes,
  startDevServer,
  type DevServer,
} from '../../infra/temporal-server';
import { createLocalEnv, createTimeSkippingEnv, startPersistentDevServer } from '../support/temporal';

const NAMESPACE = 'default';

async function withConnection<T>(address: string, fn: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address });
  try {
    return await fn(connection);
  } finally {
    await connection.close();
  }
}

async function expectAllSearchAttributes(connection: Connection): Promise<void> {
  const types = await listSearchAttributeTypes(connection, NAMESPACE);
  for (const key of ALL_SEARCH_ATTRIBUTES) {
    expect({ name: key.name, type: types.get(key.name) }).toEqual({ name: key.name, type: key.type });
  }
}

/** Visibility is eventually consistent: poll the list query for a while. */
async function listIds(
  client: Client,
  query: string,
  expected: number,
  timeoutMs = 15_000,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ids: string[] = [];
    for await (const wf of client.workflow.list({ query })) ids.push(`${wf.workflowId}|${wf.status.name}`);
    if (ids.length >= expected || Date.now() > deadline) return ids;
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('embedded Temporal dev server', () => {
  let tmp: string;
  const servers: DevServer[] = [];
  const start = async (p: Promise<DevServer>): Promise<DevServer> => {
    const server = await p;
    servers.push(server);
    return server;
  };

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aimsflow-temporal-'));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('persists search attributes and running workflows across a restart', async () => {
    const dbFile = path.join(tmp, 'nested', 'temporal.sqlite'); // the folder is created
    const workflowId = `persist-${randomUUID()}`;
    const stage = `TEST_STAGE_${randomUUID().replace(/-/g, '')}`;
    const query = `${AimsStage.name} = "${stage}" AND ExecutionStatus = "Running"`;

    const first = await start(startPersistentDevServer(dbFile));
    expect(first.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(first.uiUrl).toBeUndefined(); // headless
    expect(fs.existsSync(dbFile)).toBe(true);

    await withConnection(first.address, async (connection) => {
      const ns = await connection.workflowService.describeNamespace({ namespace: NAMESPACE });
      expect(ns.namespaceInfo?.name).toBe(NAMESPACE);
      await expectAllSearchAttributes(connection);
      expect(await registerSearchAttributes(connection, NAMESPACE)).toEqual([]); // idempotent

      // No worker polls this queue, so the workflow simply stays Running.
      const client = new Client({ connection, namespace: NAMESPACE });
      await client.workflow.start('NoSuchWorkflowType', {
        workflowId,
        taskQueue: `no-worker-${randomUUID()}`,
        typedSearchAttributes: [{ key: AimsStage, value: stage }],
      });
      expect(await listIds(client, query, 1)).toEqual([`${workflowId}|RUNNING`]);
    });

    await first.stop();
    const exit = await first.exited;
    expect(exit.error).toBeUndefined();
    await expect(first.stop()).resolves.toBeUndefined(); // idempotent

    const second = await start(
      startPersistentDevServer(dbFile, { port: Number(first.address.split(':')[1]) }),
    );
    expect(second.address).toBe(first.address);
    await withConnection(second.address, async (connection) => {
      await expectAllSearchAttributes(connection);
      const client = new Client({ connection, namespace: NAMESPACE });
      expect(await listIds(client, query, 1)).toEqual([`${workflowId}|RUNNING`]);
      const description = await client.workflow.getHandle(workflowId).describe();
      expect(description.status.name).toBe('RUNNING');
      expect(description.typedSearchAttributes.get(AimsStage)).toBe(stage);
      await client.workflow.getHandle(workflowId).terminate('test done');
    });
    await second.stop();
  });

  it('registers search attributes on a server that lacks them, idempotently', async () => {
    const server = await start(startDevServer({ headless: true, searchAttributes: [] }));
    await withConnection(server.address, async (connection) => {
      const before = await listSearchAttributeTypes(connection, NAMESPACE);
      expect(before.has(AimsStage.name)).toBe(false);
      const added = await registerSearchAttributes(connection, NAMESPACE);
      expect([...added].sort()).toEqual(ALL_SEARCH_ATTRIBUTES.map((k) => k.name).sort());
      await expectAllSearchAttributes(connection);
      expect(await registerSearchAttributes(connection, NAMESPACE)).toEqual([]);
    });
    await server.stop();
  });

  it('serves the Web UI on the requested port', async () => {
    const port = await findFreePort();
    const uiPort = await findFreePort();
    const server = await start(startDevServer({ port, uiPort }));
    expect(server.uiUrl).toBe(`http://127.0.0.1:${uiPort}`);
    const deadline = Date.now() + 15_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = await fetch(server.uiUrl ?? '').then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
    await server.stop();
  });

  it('refuses a port that is already in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      await expect(startDevServer({ port, headless: true })).rejects.toThrow(/already in use/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('reports the server output when the process exits before it is ready', async () => {
    await expect(
      startDevServer({ headless: true, extraArgs: ['--no-such-flag'], startTimeoutMs: 10_000 }),
    ).rejects.toThrow(/exited with code [1-9][\s\S]*no-such-flag/);
  });
});

describe('test support environments', () => {
  it('createTimeSkippingEnv runs the installed time-skipping server', async () => {
    const env = await createTimeSkippingEnv();
    try {
      expect(env.supportsTimeSkipping).toBe(true);
      const before = await env.currentTimeMs();
      await env.sleep('3 days');
      expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(3 * 24 * 3600 * 1000);
    } finally {
      await env.teardown();
    }
  });

  it('createLocalEnv registers our search attributes', async () => {
    const env = await createLocalEnv();
    try {
      expect(env.supportsTimeSkipping).toBe(false);
      await expectAllSearchAttributes(env.connection);
    } finally {
      await env.teardown();
    }
  });
});
