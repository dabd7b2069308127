/**
 * `npm run keys -- <command>`: API keys from the command line, against DATABASE_URL. This is how
 * the first admin key is made (the HTTP endpoints need one already).
 *
 *   npm run keys -- create --name ops --role admin    prints the key once
 *       [--holder sam@acme.test]     the person who holds it (decisions it records must be theirs)
 *       [--records-for-others]       may record decisions approvers made elsewhere, with evidence
 *   npm run keys -- list                              ids, names, roles, created, revoked, last used
 *   npm run keys -- revoke <id>
 */
import { parseArgs } from 'node:util';
import { CreateApiKeyBody } from '../api/routes/api-keys';
import { createAuditTrail } from '../services/audit-trail';
import { ApiKeyStore } from '../db/api-key-store';
import { openDatabase } from '../db/data-source';
import { SERVICE_CHAIN } from '../domain/audit-chain';
import { ROLES } from '../domain/roles';
import { ConfigError, loadConfig } from '../infra/config';

const USAGE = [
  'usage: npm run keys -- create --name <name> --role <role> [--holder <email>] [--records-for-others]',
  '       npm run keys -- list',
  '       npm run keys -- revoke <id>',
  `roles: ${ROLES.join(', ')}`,
].join('\n');

export class UsageError extends Error {}

/** Runs one command against the database; returns what to print. */
export async function runKeysCommand(args: readonly string[], databaseUrl: string): Promise<string> {
  const [command, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: [...rest],
    options: {
      name: { type: 'string' },
      role: { type: 'string' },
      holder: { type: 'string' },
      'records-for-others': { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (command === 'create') {
    const body = CreateApiKeyBody.safeParse({
      name: values.name,
      role: values.role,
      holder: values.holder,
      recordsForOthers: values['records-for-others'],
    });
    if (!body.success) {
      const problems = body.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`);
      throw new UsageError(`${problems.join('\n')}\n${USAGE}`);
    }
    return withStore(databaseUrl, async (store, record) => {
      const { key, info } = await store.create({ ...body.data, createdBy: 'cli' });
      await record('apikey.created', info.id, 'cli');
      return [
        `created ${info.role} key ${info.id} (${info.name})`,
        'This is the only time the key is shown; store it now:',
        key,
      ].join('\n');
    });
  }
  if (command === 'list' && positionals.length === 0) {
    return withStore(databaseUrl, async (store) => {
      const keys = await store.list();
      if (keys.length === 0) return 'no API keys';
      return keys
        .map((k) =>
          [k.id, k.role.padEnd(17), k.name, `created ${k.createdAt} by ${k.createdBy}`]
            .concat(k.holder ? [`held by ${k.holder}`] : [])
            .concat(k.recordsForOthers ? ['records decisions for others'] : [])
            .concat(k.revokedAt ? [`REVOKED ${k.revokedAt}`] : [])
            .concat(k.lastUsedAt ? [`last used ${k.lastUsedAt}`] : [])
            .join('  '),
        )
        .join('\n');
    });
  }
  if (command === 'revoke' && positionals.length === 1) {
    const id = positionals[0];
    return withStore(databaseUrl, async (store, record) => {
      const outcome = await store.revoke(id);
      if (outcome === 'not-found') throw new UsageError(`no API key ${id}`);
      if (outcome === 'last-admin')
        throw new UsageError(
          `${id} is the last working admin key; create another admin key first (npm run keys -- create --name <name> --role admin)`,
        );
      await record('apikey.revoked', id, 'cli');
      return `revoked ${id}`;
    });
  }
  throw new UsageError(USAGE);
}

/**
 * For `npm start` on a new machine: when no key was ever created, creates an admin key and
 * returns it so the launcher can print it once. Undefined when keys exist (revoked ones count:
 * an admin who revoked every key meant it).
 */
export async function bootstrapAdminKey(databaseUrl: string): Promise<string | undefined> {
  return withStore(databaseUrl, async (store, record) => {
    if ((await store.list()).length > 0) return undefined;
    const { key, info } = await store.create({
      name: 'first admin (npm start)',
      role: 'admin',
      createdBy: 'bootstrap',
    });
    await record('apikey.created', info.id, 'bootstrap');
    return key;
  });
}

/** Key management from the command line is recorded like the endpoints' (actor: the operator's shell). */
type RecordKeyChange = (
  action: 'apikey.created' | 'apikey.revoked',
  keyId: string,
  actorId: string,
) => Promise<void>;

async function withStore<T>(
  databaseUrl: string,
  work: (store: ApiKeyStore, record: RecordKeyChange) => Promise<T>,
): Promise<T> {
  const dataSource = await openDatabase(databaseUrl);
  const trail = createAuditTrail(dataSource);
  const record: RecordKeyChange = async (action, keyId, actorId) => {
    await trail.append({
      chainId: SERVICE_CHAIN,
      at: new Date().toISOString(),
      actorId,
      actorRole: 'admin',
      action,
      subject: keyId,
      beforeDigest: null,
      afterDigest: null,
      temporalEvent: null,
      dedupeKey: null,
    });
  };
  try {
    return await work(new ApiKeyStore(dataSource), record);
  } finally {
    await dataSource.destroy();
  }
}

const isUsageError = (err: unknown): err is Error =>
  err instanceof UsageError ||
  err instanceof ConfigError ||
  (err instanceof Error &&
    'code' in err &&
    typeof err.code === 'string' &&
    err.code.startsWith('ERR_PARSE_ARGS'));

if (require.main === module) {
  (async () => {
    const { databaseUrl } = loadConfig();
    process.stdout.write(`${await runKeysCommand(process.argv.slice(2), databaseUrl)}\n`);
  })().catch((err: unknown) => {
    if (isUsageError(err)) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 2;
    } else {
      console.error(err);
      process.exitCode = 1;
    }
  });
}
