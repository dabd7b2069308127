/**
 * The databases every persistence-touching suite runs against: always SQLite (a temp file), and
 * MySQL/MariaDB when TEST_MYSQL_URL is set (CI always sets it). Each fresh database is empty.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createConnection } from 'mysql2/promise';
import { parseDatabaseUrl } from '../../db/database-url';

export interface Target {
  name: string;
  /** Returns a URL to an empty database that no other test uses. */
  freshDatabase(suffix: string): Promise<string>;
  cleanup(): Promise<void>;
}

export function sqliteTarget(): Target {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimsflow-db-'));
  return {
    name: 'sqlite',
    freshDatabase: (suffix) => Promise.resolve(`sqlite:${path.join(dir, 'nested', `${suffix}.sqlite`)}`),
    cleanup: () => fs.promises.rm(dir, { recursive: true, force: true }),
  };
}

export function mysqlTarget(url: string): Target {
  const target = parseDatabaseUrl(url);
  if (target.kind !== 'mysql') throw new Error('TEST_MYSQL_URL must be a mysql:// or mariadb:// URL');
  const created: string[] = [];
  const server = () =>
    createConnection({ host: target.host, port: target.port, user: target.user, password: target.password });
  return {
    name: 'mysql',
    async freshDatabase(suffix) {
      const database = suffix === 'main' ? target.database : `${target.database}_${suffix}`;
      const connection = await server();
      try {
        await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
        await connection.query(
          `CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
        );
      } finally {
        await connection.end();
      }
      if (suffix !== 'main') created.push(database);
      const parsed = new URL(url);
      parsed.pathname = `/${database}`;
      return parsed.toString();
    },
    async cleanup() {
      const connection = await server();
      try {
        for (const database of created) await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
      } finally {
        await connection.end();
      }
    },
  };
}

export function testDatabases(): Target[] {
  const targets: Target[] = [sqliteTarget()];
  if (process.env.TEST_MYSQL_URL) targets.push(mysqlTarget(process.env.TEST_MYSQL_URL));
  return targets;
}
