/**
 * Builds the TypeORM DataSource for a DATABASE_URL. The schema only ever changes through the
 * versioned migrations (synchronize is off), and entities and migrations are listed
 * explicitly so the code runs the same from ts-jest and from dist/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DataSource, type EntitySchema } from 'typeorm';
import { buildApprovalEntities } from './approval-store';
import { buildAuditEntity } from './audit-repository';
import { describeDatabase, parseDatabaseUrl, type DatabaseKind } from './database-url';
import { buildBodyEntity } from './body-store';
import { buildEntities } from './entities';
import { buildFactsEntity } from './facts-store';
import { buildEvidenceEntity } from './evidence-repository';
import { buildKpiEntity } from './kpi-repository';
import { buildApiKeyEntity } from './api-key-store';
import { buildIdempotencyEntity } from './idempotency-repository';
import { buildInventoryEntities } from './inventory-repository';
import { buildReportEntity } from './report-repository';
import { MIGRATIONS } from './migrations';

export { describeDatabase, type DatabaseKind } from './database-url';

const MIGRATIONS_TABLE = 'schema_migrations';
const MIGRATION_LOCK = 'aimsflow.schema_migrations';
const MIGRATION_LOCK_TIMEOUT_SECONDS = 60;

export function createDataSource(databaseUrl: string): DataSource {
  const target = parseDatabaseUrl(databaseUrl);
  const common = {
    synchronize: false,
    migrationsRun: false,
    migrationsTableName: MIGRATIONS_TABLE,
    // Each migration commits on its own, so a failure leaves the earlier ones recorded
    // (on MySQL DDL commits implicitly anyway; SQLite runs them under one lock, see below).
    migrationsTransactionMode: 'each',
    migrations: MIGRATIONS,
    logging: false,
  } as const;
  if (target.kind === 'sqlite') {
    const inMemory = target.file === ':memory:';
    if (!inMemory) fs.mkdirSync(path.dirname(target.file), { recursive: true });
    return new DataSource({
      ...common,
      type: 'better-sqlite3',
      database: target.file,
      entities: allEntities('sqlite'),
      // WAL lets readers (the API) proceed while a writer (an activity) commits; it does not
      // apply to in-memory databases. The driver itself turns foreign_keys on.
      enableWAL: !inMemory,
      timeout: 5000,
    });
  }
  return new DataSource({
    ...common,
    type: 'mysql',
    host: target.host,
    port: target.port,
    username: target.user,
    password: target.password,
    database: target.database,
    charset: 'utf8mb4',
    entities: allEntities('mysql'),
  });
}

/** Every table mapping, the core ones and those of feature modules; one list for both dialects. */
function allEntities(kind: DatabaseKind): EntitySchema[] {
  return [
    ...buildEntities(kind),
    ...buildApprovalEntities(kind),
    buildEvidenceEntity(kind),
    ...buildInventoryEntities(kind),
    buildReportEntity(kind),
    buildKpiEntity(kind),
    buildAuditEntity(kind),
    buildApiKeyEntity(kind),
    buildIdempotencyEntity(kind),
    buildFactsEntity(kind),
    buildBodyEntity(kind),
  ] as EntitySchema[];
}

/** Connects and applies pending migrations; the caller owns the result and destroys it. */
export async function openDatabase(databaseUrl: string): Promise<DataSource> {
  const { label } = describeDatabase(databaseUrl);
  const dataSource = createDataSource(databaseUrl);
  try {
    await dataSource.initialize();
  } catch (err) {
    throw new Error(`cannot connect to ${label}`, { cause: err });
  }
  try {
    await runMigrations(dataSource);
    return dataSource;
  } catch (err) {
    await dataSource.destroy();
    throw new Error(`migrating ${label} failed`, { cause: err });
  }
}

/**
 * The API and the worker are separate processes that start together, so on an empty database
 * both try to migrate at once. Each dialect gets a cross-process lock so the second waits and
 * then finds nothing pending, instead of racing CREATE TABLE.
 */
async function runMigrations(dataSource: DataSource): Promise<void> {
  if (dataSource.options.type === 'mysql') await withMysqlLock(dataSource, () => dataSource.runMigrations());
  else await withSqliteWriteLock(dataSource, () => dataSource.runMigrations({ transaction: 'none' }));
}

/**
 * BEGIN IMMEDIATE takes SQLite's write lock up front (waiting up to the busy timeout), so the
 * pending-migration check and the DDL see one consistent state. TypeORM's own transactions
 * begin DEFERRED, which in WAL mode fails rather than waits when another writer got in first.
 * better-sqlite3 has a single connection, so every migration statement runs inside this one.
 */
async function withSqliteWriteLock(dataSource: DataSource, work: () => Promise<unknown>): Promise<void> {
  await dataSource.query('BEGIN IMMEDIATE');
  try {
    await work();
  } catch (err) {
    await dataSource.query('ROLLBACK');
    throw err;
  }
  await dataSource.query('COMMIT');
}

/** GET_LOCK is held by one session: the runner pins a pooled connection until released. */
async function withMysqlLock(dataSource: DataSource, work: () => Promise<unknown>): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    const rows = (await runner.query('SELECT GET_LOCK(?, ?) AS acquired', [
      MIGRATION_LOCK,
      MIGRATION_LOCK_TIMEOUT_SECONDS,
    ])) as { acquired: number | string | null }[];
    if (Number(rows[0]?.acquired) !== 1) throw new Error('timed out waiting for the migration lock');
    try {
      await work();
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [MIGRATION_LOCK]);
    }
  } finally {
    await runner.release();
  }
}
