/**
 * `npm start`: one command that runs everything on one machine.
 *
 * 1. Temporal: unless TEMPORAL_ADDRESS is set, starts the embedded dev server (`temporal server
 *    start-dev`, SQLite at <DATA_DIR>/temporal.sqlite, gRPC on TEMPORAL_PORT, Web UI on
 *    TEMPORAL_UI_PORT, our search attributes). With TEMPORAL_ADDRESS, registers our search
 *    attributes on that server instead.
 * 2. Spawns the worker (dist/worker/main.js) and the API (dist/api/main.js) as child Node processes
 *    with the same environment plus the effective TEMPORAL_ADDRESS, and prefixes their output.
 * 3. Supervises them: a process that dies is restarted after a back-off (LAUNCHER_RESTART_DELAY_MS,
 *    doubled per restart up to LAUNCHER_RESTART_MAX_DELAY_MS) while the others keep serving; each
 *    restart is logged at error level and counted in aimsflow_launcher_restarts_total{process}
 *    (served on LAUNCHER_METRICS_BIND). A process that needs more than LAUNCHER_MAX_RESTARTS
 *    restarts within LAUNCHER_RESTART_WINDOW_SECONDS is given up on: everything is stopped and
 *    this exits 1, for systemd (Restart=on-failure) or an operator to take over.
 *    Ctrl-C / SIGTERM stops the API, then the worker, then the dev server, and exits 0.
 *
 * For development and tests, AIMSFLOW_WORKER_SCRIPT / AIMSFLOW_API_SCRIPT override the entry points.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import pino from 'pino';
import { describeDatabase } from '../db/database-url';
import { ConfigError, loadConfig, type AppConfig } from '../infra/config';
import { bootstrapAdminKey } from './api-keys';
import {
  describeExit,
  spawnSupervised,
  type ExitInfo,
  type SupervisedProcess,
} from '../infra/process-supervisor';
import { RestartBudget } from '../infra/restart-policy';
import {
  registerSearchAttributes,
  startDevServer,
  type DevServer,
  type TemporalLogLevel,
} from '../infra/temporal-server';
import { serveLauncherMetrics, type LauncherMetrics, type SupervisedName } from './launcher-metrics';

type Logger = pino.Logger;

const PREFIX_WIDTH = 10;
const prefix = (name: string): string => `[${name}]`.padEnd(PREFIX_WIDTH);

/** The dev server is chatty: map our level one step quieter. */
function temporalLogLevel(level: AppConfig['logLevel']): TemporalLogLevel {
  switch (level) {
    case 'trace':
    case 'debug':
      return 'info';
    case 'info':
    case 'warn':
      return 'warn';
    case 'error':
    case 'fatal':
      return 'error';
    case 'silent':
      return 'never';
  }
}

function displayHost(host: string): string {
  return host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
}

async function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

interface Components {
  devServer?: DevServer;
  worker?: SupervisedProcess;
  api?: SupervisedProcess;
}

type NodeProcessName = Exclude<SupervisedName, 'temporal'>;

/** How log lines name each supervised process. */
const LABELS: Record<SupervisedName, string> = {
  temporal: 'Temporal dev server',
  worker: 'worker',
  api: 'api',
};

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

class Launcher {
  private readonly components: Components = {};
  private shuttingDown = false;
  private startup: Promise<void> = Promise.resolve();
  private readonly budgets: Record<SupervisedName, RestartBudget>;
  /** Back-offs waiting to restart a process; cleared by a shutdown. */
  private readonly restartTimers = new Set<NodeJS.Timeout>();
  /** Restarts in progress (a dev server takes seconds to come up); a shutdown waits for them. */
  private readonly restarting = new Set<Promise<void>>();
  private metrics: LauncherMetrics | undefined;
  /** What the worker and the API are started with, the first time and after a crash. */
  private readonly scripts: Record<NodeProcessName, string>;
  private childEnv: NodeJS.ProcessEnv = {};

  constructor(
    private readonly config: AppConfig,
    private readonly log: Logger,
  ) {
    const budget = (): RestartBudget => new RestartBudget(config.launcher.restarts);
    this.budgets = { temporal: budget(), worker: budget(), api: budget() };
    this.scripts = {
      worker: this.entryPoint('AIMSFLOW_WORKER_SCRIPT', 'worker/main.js'),
      api: this.entryPoint('AIMSFLOW_API_SCRIPT', 'api/main.js'),
    };
  }

  private entryPoint(envVar: string, relative: string): string {
    const override = process.env[envVar]?.trim();
    // Compiled layout: this file is dist/scripts/start.js, the entry points are dist/<relative>.
    return override ? path.resolve(override) : path.resolve(__dirname, '..', relative);
  }

  run(): Promise<void> {
    this.startup = this.start();
    return this.startup;
  }

  private async start(): Promise<void> {
    const { config, log } = this;
    for (const script of Object.values(this.scripts)) {
      if (!fs.existsSync(script)) throw new Error(`${script} not found; run \`npm run build\` first`);
    }
    const outbox = path.join(config.dataDir, 'outbox');
    fs.mkdirSync(outbox, { recursive: true });
    if (config.launcher.metricsBind) {
      this.metrics = await serveLauncherMetrics(config.launcher.metricsBind);
      log.info({ url: this.metrics.url }, 'launcher metrics ready');
    }

    let temporalAddress: string;
    let uiUrl: string | undefined;
    if (config.temporalAddress) {
      temporalAddress = config.temporalAddress;
      log.info({ address: temporalAddress }, 'using existing Temporal server; registering search attributes');
      const connection = await Connection.connect({ address: temporalAddress, connectTimeout: '15s' });
      try {
        const added = await registerSearchAttributes(connection, config.temporalNamespace);
        log.info({ namespace: config.temporalNamespace, added }, 'search attributes ready');
      } finally {
        await connection.close();
      }
    } else {
      const devServer = await this.startTemporal();
      temporalAddress = devServer.address;
      uiUrl = devServer.uiUrl;
    }
    if (this.shuttingDown) return;

    // A new installation has no key, and every API route but health needs one.
    const firstKey = await bootstrapAdminKey(config.databaseUrl);
    if (this.shuttingDown) return;

    this.childEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: config.temporalNamespace,
      DATA_DIR: config.dataDir,
    };
    this.components.worker = this.spawnNode('worker');
    if (this.shuttingDown) return;
    this.components.api = this.spawnNode('api');

    const apiHost = displayHost(config.host);
    const apiUrl = `http://${apiHost}:${config.port}`;
    const deadline = Date.now() + 30_000;
    let apiUp = false;
    while (!this.shuttingDown && !(apiUp = await canConnect(apiHost, config.port)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
    }
    if (this.shuttingDown) return;
    if (!apiUp) log.warn({ apiUrl }, 'API is not accepting connections yet');

    const lines = [
      '',
      '  aimsflow is running',
      `  API          ${apiUrl}`,
      `  Temporal UI  ${uiUrl ?? '(external Temporal server; see its own Web UI)'}`,
      `  Temporal     ${temporalAddress} (namespace ${config.temporalNamespace})`,
      `  Database     ${describeDatabase(config.databaseUrl).label}`,
      `  Mail outbox  ${outbox}`,
      `  Metrics      ${this.metrics?.url ?? '(launcher metrics off)'}`,
      ...(firstKey
        ? [
            '',
            '  First admin API key (shown once; send it as Authorization: Bearer <key>):',
            `  ${firstKey}`,
            '  More keys: npm run keys -- create --name <name> --role <role>',
          ]
        : []),
      '  Press Ctrl-C to stop.',
      '',
    ];
    process.stdout.write(lines.join('\n') + '\n');
  }

  private print(name: string, line: string, stream: 'stdout' | 'stderr'): void {
    (stream === 'stderr' ? process.stderr : process.stdout).write(`${prefix(name)} ${line}\n`);
  }

  /** Starts the embedded dev server on its fixed ports and SQLite file, and supervises it. */
  private async startTemporal(): Promise<DevServer> {
    const { config, log } = this;
    const dbFilename = path.join(config.dataDir, 'temporal.sqlite');
    log.info({ port: config.temporalPort, dbFilename }, 'starting embedded Temporal dev server');
    const devServer = await startDevServer({
      port: config.temporalPort,
      uiPort: config.temporalUiPort,
      dbFilename,
      namespace: config.temporalNamespace,
      ip: '127.0.0.1',
      logLevel: temporalLogLevel(config.logLevel),
      // Its shutdown chatter (pollers losing their connection) is noise unless debugging.
      onOutput: (line, stream) => {
        if (!this.shuttingDown || config.logLevel === 'debug' || config.logLevel === 'trace') {
          this.print('temporal', line, stream);
        }
      },
    });
    this.components.devServer = devServer;
    // A dead dev server is restarted like the others rather than taken as the end: its state is
    // in temporal.sqlite, it comes back on the same address, the worker and the API reconnect
    // by themselves (test/reliability/restarts.test.ts), and meanwhile the API still serves
    // reads from the database. Stopping everything would turn that outage into a total one.
    this.watch('temporal', devServer.exited);
    log.info(
      { process: 'temporal', childPid: devServer.pid, address: devServer.address },
      'Temporal dev server ready',
    );
    return devServer;
  }

  private spawnNode(name: NodeProcessName): SupervisedProcess {
    const script = this.scripts[name];
    const child = spawnSupervised({
      name,
      command: process.execPath,
      args: [script],
      env: this.childEnv,
      onLine: (line, stream) => this.print(name, line, stream),
    });
    this.log.info({ process: name, childPid: child.pid, script }, `${name} started`);
    this.watch(name, child.exited);
    return child;
  }

  /** An exit that is not part of a shutdown is a crash. */
  private watch(name: SupervisedName, exited: Promise<ExitInfo>): void {
    void exited.then((info) => this.crashed(name, `${describeExit(info)} unexpectedly`, { exit: info }));
  }

  /** Restarts the process after its back-off, or gives up and stops everything. */
  private crashed(name: SupervisedName, what: string, detail: Record<string, unknown>): void {
    if (this.shuttingDown) return;
    const { maxRestarts, windowMs } = this.config.launcher.restarts;
    const window = `${windowMs / 1000} s`;
    const verdict = this.budgets[name].onCrash();
    if (verdict.action === 'give-up') {
      this.log.error(
        { process: name, ...detail, restarts: verdict.restarts },
        `${LABELS[name]} ${what}; it was restarted ${verdict.restarts} times within ${window} ` +
          `(LAUNCHER_MAX_RESTARTS=${maxRestarts}): giving up, stopping everything`,
      );
      void this.shutdown(1);
      return;
    }
    this.log.error(
      { process: name, ...detail, restart: verdict.restart, delayMs: verdict.delayMs },
      `${LABELS[name]} ${what}; restarting it in ${verdict.delayMs} ms ` +
        `(restart ${verdict.restart} of ${maxRestarts} within ${window})`,
    );
    const timer = setTimeout(() => {
      this.restartTimers.delete(timer);
      const restart = this.restart(name).finally(() => this.restarting.delete(restart));
      this.restarting.add(restart);
    }, verdict.delayMs);
    this.restartTimers.add(timer);
  }

  private async restart(name: SupervisedName): Promise<void> {
    if (this.shuttingDown) return;
    this.metrics?.restarted(name);
    if (name !== 'temporal') {
      this.components[name] = this.spawnNode(name);
      return;
    }
    try {
      await this.startTemporal();
    } catch (err) {
      // Not coming up (its port taken, its database unreadable) is one more crash for the budget.
      this.crashed(name, `could not be restarted: ${errorMessage(err)}`, { err });
    }
  }

  /** Stops the API, then the worker, then the dev server; then exits with `code`. */
  async shutdown(code: number): Promise<never> {
    if (!this.shuttingDown) {
      this.shuttingDown = true;
      for (const timer of this.restartTimers) clearTimeout(timer);
      this.restartTimers.clear();
      // Let a startup step or a restart in progress (e.g. the dev server coming up) finish, so
      // nothing leaks.
      await this.startup.catch(() => undefined);
      await Promise.allSettled([...this.restarting]);
      const { api, worker, devServer } = this.components;
      for (const [name, stop] of [
        ['api', api && (() => api.stop(10_000))],
        ['worker', worker && (() => worker.stop(30_000))],
        ['Temporal dev server', devServer && (() => devServer.stop())],
      ] as const) {
        if (!stop) continue;
        this.log.info(`stopping ${name}`);
        try {
          await stop();
        } catch (err) {
          this.log.error({ err }, `failed to stop ${name}`);
        }
      }
      await this.metrics?.close();
      this.log.info({ code }, 'stopped');
      process.exit(code);
    }
    return new Promise<never>(() => undefined); // the first caller exits the process
  }

  /** Second Ctrl-C: no more waiting. */
  forceKill(): void {
    const { api, worker, devServer } = this.components;
    api?.kill('SIGKILL');
    worker?.kill('SIGKILL');
    if (devServer?.pid) {
      try {
        process.kill(-devServer.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = pino({ name: 'start', level: config.logLevel });
  const launcher = new Launcher(config, log);

  // Under `npm start`, a terminal Ctrl-C reaches us twice (from the terminal and forwarded by npm),
  // so only a signal that comes more than a second after the first one forces the exit.
  let firstSignalAt: number | undefined;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (firstSignalAt === undefined) {
        firstSignalAt = Date.now();
        log.info({ signal }, 'shutting down (press Ctrl-C again to force)');
        void launcher.shutdown(0);
      } else if (Date.now() - firstSignalAt > 1000) {
        log.warn({ signal }, 'forced exit');
        launcher.forceKill();
        process.exit(130);
      }
    });
  }
  process.on('unhandledRejection', (err) => {
    log.error({ err }, 'unhandled rejection');
    void launcher.shutdown(1);
  });

  try {
    await launcher.run();
  } catch (err) {
    log.error({ err }, err instanceof Error ? err.message : 'startup failed');
    await launcher.shutdown(1);
  }
}

void main();
