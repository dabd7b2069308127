/**
 * `npm run migrate`: applies pending migrations to DATABASE_URL and exits. The API and the
 * worker also migrate on start; this is for deploying the schema ahead of them.
 */
import { loadConfig } from '../infra/config';
import { describeDatabase, openDatabase } from './data-source';

async function main(): Promise<void> {
  const { databaseUrl } = loadConfig();
  const { label } = describeDatabase(databaseUrl);
  const dataSource = await openDatabase(databaseUrl);
  try {
    const executed = await dataSource.query<{ name: string }[]>(
      'SELECT name FROM schema_migrations ORDER BY id',
    );
    console.log(
      `${label}: schema at ${executed.at(-1)?.name ?? 'nothing'} (${executed.length} migrations applied)`,
    );
  } finally {
    await dataSource.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
