/**
 * API process entry point (dist/api/main.js, spawned by scripts/start.ts). Connects the database
 * and Temporal, serves HTTP, and on SIGTERM/SIGINT stops accepting connections, lets requests
 * in flight finish, then closes its connections.
 */
import { createServer, type Server } from 'node:http';
import pino, { type Logger } from 'pino';
import { resolveApprovalSecret } from '../services/approval-links/secret';
import { prepareScanRoots } from '../services/inventory/paths';
import { ApiKeyStore } from '../db/api-key-store';
import { openDatabase } from '../db/data-source';
import { IdempotencyRepository } from '../db/idempotency-repository';
import { countFailingWorkflows } from './workflow-problems';
import { OpsStats } from '../db/ops-stats';
import { ProgrammeRepository } from '../db/repository';
import { ConfigError, loadConfig } from '../infra/config';
import { createApp } from './app';
import { apiFeatures } from './features';
import { LOG_REDACTION } from './security';
import { createTemporalGateway } from './temporal-gateway';

/** How long requests in flight may take after a shutdown signal before their sockets are cut. */
const DRAIN_MS = 10_000;

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server, logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      logger.warn('requests still open after %d ms; closing their connections', DRAIN_MS);
      server.closeAllConnections();
    }, DRAIN_MS);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    // Keep-alive sockets with no request in flight would otherwise hold close() open.
    server.closeIdleConnections();
  });
}

export async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel, base: { component: 'api' }, redact: LOG_REDACTION });

  const missingRoots = await prepareScanRoots(config.scan.roots, config.scan.defaultRoot);
  if (missingRoots.length > 0)
    logger.warn(
      { missingRoots },
      'SCAN_ROOTS names directories that do not exist; scans inside them will fail',
    );
  else logger.info({ scanRoots: config.scan.roots }, 'inventory scans may read these directories');
  const dataSource = await openDatabase(config.databaseUrl);
  const gateway = await createTemporalGateway(config);
  const apiKeys = new ApiKeyStore(dataSource);
  const features = apiFeatures({
    dataSource,
    client: gateway.client,
    gateway,
    taskQueue: config.taskQueue,
    logger,
    evidence: { dir: config.evidenceDir, maxBytes: config.evidenceMaxBytes },
    scanRoots: config.scan.roots,
    approvals: {
      secret: resolveApprovalSecret({ approvalSecret: config.mail.approvalSecret, dataDir: config.dataDir }),
      previousSecrets: config.mail.previousApprovalSecrets,
      rateLimit: config.security.approvalLinks,
      secureCookies: config.security.secureCookies,
    },
    apiKeys,
  });
  const app = createApp({
    gateway,
    store: new ProgrammeRepository(dataSource),
    authenticator: apiKeys,
    authFailureLimit: config.security.authFailures,
    trustProxy: config.security.trustProxy,
    logger,
    ops: new OpsStats(dataSource, { approvalOverdueAfter: config.approvalOverdueAfter }),
    failingWorkflows: () => countFailingWorkflows(gateway.client),
    extraRoutes: features.routes,
    onInputAccepted: features.onInputAccepted,
    audit: features.audit,
    idempotency: new IdempotencyRepository(dataSource),
    idempotencyTtlSeconds: config.idempotencyKeyTtlSeconds,
  });
  const server = createServer(app);
  await listen(server, config.port, config.host);
  logger.info({ host: config.host, port: config.port }, 'API listening');

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal; exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    void (async () => {
      await closeServer(server, logger);
      const results = await Promise.allSettled([gateway.close(), dataSource.destroy()]);
      for (const result of results) {
        if (result.status === 'rejected')
          logger.error({ err: result.reason as unknown }, 'error while closing a connection');
      }
      logger.info('stopped');
      process.exit(0);
    })();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
    } else {
      pino().fatal({ err }, 'API failed to start');
    }
    process.exit(1);
  });
}
