/**
 * Parses the DATABASE_URL forms the service accepts (see infra/config.ts). Kept apart from the
 * DataSource so that logging and tests can inspect a URL without loading a driver.
 */
import path from 'node:path';

export type DatabaseKind = 'sqlite' | 'mysql';

export type DatabaseTarget =
  | { kind: 'sqlite'; /** Absolute path, or ':memory:'. */ file: string }
  | { kind: 'mysql'; host: string; port: number; user?: string; password?: string; database: string };

export class DatabaseUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUrlError';
  }
}

const MEMORY = ':memory:';

export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.startsWith('sqlite:')) return { kind: 'sqlite', file: sqliteFile(url.slice('sqlite:'.length)) };
  if (url.startsWith('mysql://') || url.startsWith('mariadb://')) return mysqlTarget(url);
  throw new DatabaseUrlError('database URL must start with sqlite:, mysql:// or mariadb://');
}

function sqliteFile(rest: string): string {
  if (rest === MEMORY) return MEMORY;
  // Accept the URL-ish spelling sqlite:///abs/path as well as sqlite:/abs/path.
  const file = rest.startsWith('//') ? rest.slice(2) : rest;
  if (file === '') throw new DatabaseUrlError('sqlite: URL needs a file path or :memory:');
  return path.resolve(file);
}

function mysqlTarget(url: string): DatabaseTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseUrlError('malformed mysql:// or mariadb:// URL');
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (parsed.hostname === '' || database === '' || database.includes('/')) {
    throw new DatabaseUrlError(
      'mysql:// URL needs a host and a database name: mysql://user:pass@host:port/db',
    );
  }
  return {
    kind: 'mysql',
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port === '' ? 3306 : Number(parsed.port),
    user: parsed.username === '' ? undefined : decodeURIComponent(parsed.username),
    password: parsed.password === '' ? undefined : decodeURIComponent(parsed.password),
    database,
  };
}

/** A label for logs: never contains the password. */
export function describeDatabase(url: string): { kind: DatabaseKind; label: string } {
  const target = parseDatabaseUrl(url);
  if (target.kind === 'sqlite') return { kind: 'sqlite', label: `sqlite:${target.file}` };
  const user = target.user ?? '';
  const credentials = target.password === undefined ? user : `${user}:***`;
  const at = credentials === '' ? '' : `${credentials}@`;
  return { kind: 'mysql', label: `mysql://${at}${target.host}:${target.port}/${target.database}` };
}
