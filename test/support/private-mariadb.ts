/**
 * A MariaDB server of the test's own (its own data folder and port), so that a test can stop
 * the database under a running service and start it again, without touching the machine's
 * shared server that other suites use. Needs `mariadb-install-db` and `mariadbd` (Debian's
 * mariadb-server, which CI installs); runs as the current user (`--user` is given so that root
 * may run it too).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { spawnSupervised, type ExitInfo, type SupervisedProcess } from '../../infra/process-supervisor';
import { findFreePort } from '../../infra/temporal-server';
import { mysqlTarget, type Target } from './databases';

const run = promisify(execFile);

function binary(
  names: string[],
  dirs = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin'],
): string {
  for (const name of names)
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      if (fs.existsSync(candidate)) return candidate;
    }
  throw new Error(`none of ${names.join(', ')} found; install Debian's mariadb-server`);
}

export class PrivateMariaDb {
  private server: SupervisedProcess | undefined;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  /** Initialises a data folder (root without a password) and starts the server on a free port. */
  static async start(): Promise<PrivateMariaDb> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimsflow-mariadb-'));
    await run(
      binary(['mariadb-install-db', 'mysql_install_db']),
      [
        '--no-defaults',
        `--datadir=${path.join(dir, 'data')}`,
        `--user=${os.userInfo().username}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
      ],
      { timeout: 120_000 },
    );
    const db = new PrivateMariaDb(dir, await findFreePort());
    await db.startServer();
    return db;
  }

  /** mysql://root@127.0.0.1:<port>/<database> */
  url(database: string): string {
    return `mysql://root@127.0.0.1:${this.port}/${database}`;
  }

  get running(): boolean {
    return this.server !== undefined && this.server.exitInfo === undefined;
  }

  async createDatabase(database: string): Promise<void> {
    const connection = await createConnection({ host: '127.0.0.1', port: this.port, user: 'root' });
    try {
      await connection.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4`);
    } finally {
      await connection.end();
    }
  }

  /** Starts the server on the same data folder and port; resolves once it answers queries. */
  async startServer(): Promise<void> {
    if (this.running) throw new Error('MariaDB is already running');
    const server = spawnSupervised({
      name: 'mariadb',
      command: binary(['mariadbd', 'mysqld']),
      args: [
        '--no-defaults',
        `--datadir=${path.join(this.dir, 'data')}`,
        `--port=${this.port}`,
        `--socket=${path.join(this.dir, 'mariadb.sock')}`,
        `--pid-file=${path.join(this.dir, 'mariadb.pid')}`,
        '--bind-address=127.0.0.1',
        `--user=${os.userInfo().username}`,
        '--skip-name-resolve',
        '--skip-log-bin',
        '--performance-schema=OFF',
        '--innodb-buffer-pool-size=32M',
        `--log-error=${path.join(this.dir, 'error.log')}`,
      ],
      tailLines: 40,
    });
    this.server = server;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (server.exitInfo) throw new Error(`mariadbd exited: ${this.errorLogTail()}`);
      try {
        const connection = await createConnection({ host: '127.0.0.1', port: this.port, user: 'root' });
        await connection.query('SELECT 1');
        await connection.end();
        return;
      } catch (err) {
        if (Date.now() > deadline) {
          await server.stop(5000);
          throw new Error(`mariadbd did not answer within 60 s\n${this.errorLogTail()}`, { cause: err });
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** SIGTERM (an orderly shutdown: client connections are cut) and wait for the exit. */
  async stopServer(): Promise<ExitInfo | undefined> {
    const server = this.server;
    this.server = undefined;
    return server?.stop(60_000);
  }

  errorLogTail(): string {
    try {
      return fs.readFileSync(path.join(this.dir, 'error.log'), 'utf8').split('\n').slice(-20).join('\n');
    } catch {
      return '(no error log)';
    }
  }

  async destroy(): Promise<void> {
    await this.stopServer();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The MariaDB the fault suites run on: TEST_MYSQL_URL's server when set (CI), otherwise a
 * private server of its own, so that `npm test` needs no database server already running.
 */
export async function faultSuiteDatabase(): Promise<Target> {
  if (process.env.TEST_MYSQL_URL) return mysqlTarget(process.env.TEST_MYSQL_URL);
  const server = await PrivateMariaDb.start();
  const target = mysqlTarget(server.url('aimsflow_faults'));
  return {
    ...target,
    async cleanup() {
      await target.cleanup();
      await server.stopServer();
      fs.rmSync(server.dir, { recursive: true, force: true });
    },
  };
}
