/**
 * `npm run audit:verify -- <programmeId> | --all` checks audit trails against their hashes and
 * the anchors in the workflow histories and prints the report as JSON (one line per chain);
 * `npm run audit:verify -- --jsonl <programmeId>` prints a trail as JSON Lines instead.
 *
 * Exit status: 0 every chain checked is intact, 1 a chain is broken, 2 bad usage or no such
 * chain, 3 intact but the anchors could not be read (Temporal unreachable), so a rewrite with
 * recomputed hashes would have gone unseen.
 */
import { Client, Connection } from '@temporalio/client';
import { createAuditTrail } from '../services/audit-trail';
import type { VerificationReport } from '../services/audit-trail/service';
import { openDatabase } from '../db/data-source';
import { SERVICE_CHAIN } from '../domain/audit-chain';
import { ConfigError, loadConfig } from '../infra/config';

const USAGE = 'usage: npm run audit:verify -- <programmeId> | --all | --jsonl <programmeId>';

export function exitStatus(reports: readonly VerificationReport[]): number {
  if (reports.some((r) => !r.ok)) return 1;
  // The service chain has no workflow; only programme chains can be expected to have anchors.
  if (reports.some((r) => !r.anchors.available && r.chainId !== SERVICE_CHAIN)) return 3;
  return 0;
}

async function connectTemporal(address: string): Promise<Connection | undefined> {
  try {
    return await Connection.connect({ address, connectTimeout: '5s' });
  } catch (err) {
    process.stderr.write(`Temporal at ${address} unreachable (${String(err)}); anchors are not checked\n`);
    return undefined;
  }
}

async function main(argv: string[]): Promise<number> {
  const all = argv.includes('--all');
  const jsonl = argv.includes('--jsonl');
  const ids = argv.filter((a) => !a.startsWith('--'));
  if (all === ids.length > 0 || (jsonl && (all || ids.length !== 1))) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig();
  const dataSource = await openDatabase(config.databaseUrl);
  const address = config.temporalAddress ?? `127.0.0.1:${config.temporalPort}`;
  const connection = jsonl ? undefined : await connectTemporal(address);
  try {
    const client = connection && new Client({ connection, namespace: config.temporalNamespace });
    const trail = createAuditTrail(dataSource, client);
    const known = await trail.chains();
    const chains = all ? known : ids;
    const unknown = chains.filter((c) => !known.includes(c));
    if (unknown.length > 0) {
      process.stderr.write(`no audit trail for ${unknown.join(', ')}\n`);
      return 2;
    }
    if (jsonl) {
      process.stdout.write(await trail.jsonl(chains[0]));
      return 0;
    }
    const reports: VerificationReport[] = [];
    for (const chainId of chains) {
      const report = await trail.verify(chainId);
      reports.push(report);
      process.stdout.write(`${JSON.stringify(report)}\n`);
    }
    return exitStatus(reports);
  } finally {
    await connection?.close();
    await dataSource.destroy();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `${String(err)}\n`);
      process.exitCode = 2;
    },
  );
}

export { main };
