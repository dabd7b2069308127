/**
 * `npm run bench`: starts its own Temporal dev server, runs the production worker entry point as
 * a child process and the real API in this process, runs every benchmark side by side with its
 * baseline, prints the table and rewrites the results section of BENCHMARKS.md. Not a test:
 * the goals are reported, never asserted. Scan and report benchmarks are included when their
 * modules (bench/scan.bench.ts, bench/reports.bench.ts) exist.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { Like, type DataSource } from 'typeorm';
import { openDatabase } from '../db/data-source';
import { ENTITY } from '../db/entities';
import { ProgrammeRepository } from '../db/repository';
import { temporalCliPath } from '../infra/temporal-binaries';
import { startDevServer, type DevServer } from '../infra/temporal-server';
import { mysqlTarget } from '../test/support/databases';
import { startWorkerProcess, type WorkerProcess } from './harness';
import {
  benchCycle,
  benchDecision,
  benchStart,
  benchThousand,
  startApi,
  type ApiUnderTest,
} from './programme.bench';
import { machine, textTable, writeBenchmarksMd } from './report';
import type { BenchResult } from './types';

const ROOT = path.resolve(__dirname, '..', '..');
const DEFAULT_MYSQL = 'mysql://root@127.0.0.1:3306/aimsflow_ops';

/**
 * Production runs on MySQL (compose), where the API and the workers write concurrently; a SQLite
 * file shared by two processes serialises them instead. A local MySQL/MariaDB is used when one
 * answers; BENCH_DATABASE_URL chooses explicitly.
 */
async function benchDatabase(tmp: string): Promise<{ url: string; label: string }> {
  const wanted = process.env.BENCH_DATABASE_URL ?? DEFAULT_MYSQL;
  if (wanted.startsWith('sqlite:')) return { url: wanted, label: 'SQLite (BENCH_DATABASE_URL)' };
  try {
    return {
      url: await mysqlTarget(wanted).freshDatabase('main'),
      label: `MySQL/MariaDB (${new URL(wanted).host})`,
    };
  } catch (err) {
    if (process.env.BENCH_DATABASE_URL) throw err;
    return { url: `sqlite:${path.join(tmp, 'bench.sqlite')}`, label: 'SQLite (no MySQL/MariaDB answered)' };
  }
}
const log = (line: string) => process.stdout.write(`${line}\n`);

/** Benchmarks other modules contribute, loaded only when they are there. */
async function optionalBench(name: string): Promise<BenchResult[]> {
  const file = path.join(__dirname, `${name}.js`);
  if (!fs.existsSync(file)) {
    log(`  (${name}: not present, skipped)`);
    return [];
  }
  const mod = (await import(file)) as { run?: () => Promise<BenchResult[]> };
  if (typeof mod.run !== 'function') throw new Error(`${name} exports no run()`);
  return mod.run();
}

/** Stops what the run started (worker processes, dev server, connections), in reverse order. */
const cleanups: (() => Promise<unknown>)[] = [];
async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup().catch((err: unknown) => log(`cleanup failed: ${String(err)}`));
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aimsflow-bench-'));
  // Ctrl-C must not leave a dev server or worker process behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping`);
      void cleanUp().finally(() => {
        fs.rmSync(tmp, { recursive: true, force: true });
        process.exit(130);
      });
    });
  }
  const results: BenchResult[] = [];
  try {
    log('building the workflow bundle');
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('../workflows'),
      logger: new DefaultLogger('WARN'),
    });
    const bundlePath = path.join(tmp, 'workflow-bundle.js');
    fs.writeFileSync(bundlePath, code);

    log('starting the Temporal dev server');
    // Persistent, so the baseline pays for durable writes as the API does, in WAL mode (as a
    // production SQL store commits a log) rather than rollback-journal fsyncs per transaction.
    const server: DevServer = await startDevServer({
      headless: true,
      logLevel: 'error',
      dbFilename: path.join(tmp, 'temporal.sqlite'),
      extraArgs: ['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal'],
    });
    cleanups.push(() => server.stop());
    const connection = await Connection.connect({ address: server.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection });
    const { serverVersion } = await connection.workflowService.getSystemInfo({});
    const host = machine(temporalCliPath(), serverVersion || 'unknown');

    // Queue 1: the API, one worker process and its database, for starts, decisions and cycles.
    const database = await benchDatabase(tmp);
    log(`database: ${database.label}`);
    const dbA = database.url;
    const dataSourceA: DataSource = await openDatabase(dbA);
    cleanups.push(() => dataSourceA.destroy());
    const queue1 = 'bench-api';
    const worker1: WorkerProcess = await startWorkerProcess({
      address: server.address,
      taskQueue: queue1,
      databaseUrl: dbA,
      workflowBundle: bundlePath,
    });
    cleanups.push(() => worker1.stop());
    const api: ApiUnderTest = await startApi(client, queue1, dataSourceA);
    cleanups.push(() => api.close());

    log('programme start: API vs raw client.workflow.start');
    results.push(...(await benchStart(client, queue1, api, log)));
    await worker1
      .settle(2000, 120_000)
      .catch(() => log('  (worker still busy with started programmes; continuing)'));
    log('decision round trip: API vs raw Update');
    results.push(...(await benchDecision(client, queue1, api, new ProgrammeRepository(dataSourceA), log)));
    log('one full cycle: events and replay');
    results.push(...(await benchCycle(client, api, bundlePath, log)));
    await worker1.stop();

    // Queue 2: a fresh worker process that holds only the 1,000 programmes.
    log('1,000 concurrently active programmes on one worker');
    const worker2 = await startWorkerProcess({
      address: server.address,
      taskQueue: 'bench-load',
      databaseUrl: dbA,
      workflowBundle: bundlePath,
    });
    cleanups.push(() => worker2.stop());
    // The load programmes are told apart from the earlier ones by their organisation.
    const countParked = () =>
      dataSourceA.getRepository(ENTITY.programme).countBy({ step: 'SCOPING', organisation: Like('Load %') });
    results.push(...(await benchThousand(client, 'bench-load', worker2, countParked, log)));
    await worker2.stop();

    log('inventory scan and reports');
    results.push(...(await optionalBench('scan.bench')));
    results.push(...(await optionalBench('reports.bench')));
    log('one programme at the enterprise profile (1%, 10%, 100%) through a cycle into the next');
    results.push(...(await optionalBench('enterprise.bench')));

    const seconds = (performance.now() - started) / 1000;
    log('');
    log(textTable(results));
    log('');
    log(`whole run: ${seconds.toFixed(0)} s`);
    await writeBenchmarksMd(path.join(ROOT, 'BENCHMARKS.md'), results, host, seconds, [
      'Programme start and decision figures alternate the API and the baseline on the same dev server, worker and database, so background load hits both.',
      'The dev server persists to a SQLite file in WAL mode, and the API, worker and benchmark clients share the machine with it: on a 2-core machine the figures are lower bounds, and they vary by 10–20% between runs, much more while other jobs run (see the load average).',
      `Domain database: ${database.label} (set BENCH_DATABASE_URL to choose; the default is a local MySQL/MariaDB when one answers, as in production, else SQLite).`,
      'The worker is the production entry point (dist/worker/main.js with the prebuilt bundle) in its own process; RSS and CPU are read from /proc.',
    ]);
    log('BENCHMARKS.md updated');
  } finally {
    await cleanUp();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
