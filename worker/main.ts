/**
 * Worker process entry point (dist/worker/main.js, spawned by scripts/start.ts). The SDK's
 * Runtime shuts the worker down on SIGINT/SIGTERM; run() then resolves once in-flight tasks
 * are handed back, and the connections close.
 */
import { Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import pino from 'pino';
import { openDatabase } from '../db/data-source';
import { ConfigError, loadConfig } from '../infra/config';
import { notificationsFromConfig } from './notifications';
import { registerSearchAttributes } from '../infra/temporal-server';
import { createAuditTrail } from '../services/audit-trail';
import { DEFAULT_SCAN_LIMITS } from '../domain/inventory/types';
import { workerActivities } from './activities';
import { createAimsWorker } from './create-worker';
import { PinoSdkLogger } from './sdk-logger';
import { workflowSource } from './workflow-source';

/**
 * On a server we did not start (compose, a cluster), every worker replica makes sure our search
 * attributes exist before it polls; registration is idempotent, so N replicas racing is fine.
 */
async function ensureSearchAttributes(
  address: string,
  namespace: string,
  logger: pino.Logger,
): Promise<void> {
  const connection = await Connection.connect({ address, connectTimeout: '15s' });
  try {
    const added = await registerSearchAttributes(connection, namespace);
    logger.info({ namespace, added }, 'search attributes ready');
  } finally {
    await connection.close();
  }
}

export async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel, base: { component: 'worker' } });
  const { metricsBind } = config.worker;
  Runtime.install({
    // The SDK logs at the same level as we do, as JSON through pino, with the programme id added.
    logger: new PinoSdkLogger(logger),
    // Temporal's own worker metrics (task slots, latencies, sticky cache, polls) in Prometheus format.
    telemetryOptions: metricsBind ? { metrics: { prometheus: { bindAddress: metricsBind } } } : {},
  });

  const address = config.temporalAddress ?? `127.0.0.1:${config.temporalPort}`;
  if (config.temporalAddress) await ensureSearchAttributes(address, config.temporalNamespace, logger);
  const source = workflowSource(config.worker.workflowBundle);
  const dataSource = await openDatabase(config.databaseUrl);
  const connection = await NativeConnection.connect({ address });
  const worker = await createAimsWorker({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    ...(source.kind === 'bundle' ? { workflowBundle: source.options.workflowBundle } : {}),
    tuning: config.worker,
    activities: workerActivities({
      dataSource,
      audit: createAuditTrail(dataSource),
      notifications: notificationsFromConfig(config, dataSource, logger),
      scan: {
        roots: config.scan.roots,
        limits: {
          ...DEFAULT_SCAN_LIMITS,
          maxFileBytes: config.scan.maxFileBytes,
          maxFiles: config.scan.maxFiles,
        },
      },
    }),
  });
  logger.info(
    {
      address,
      taskQueue: config.taskQueue,
      workflows: source.path,
      metrics: metricsBind ? `http://${metricsBind}/metrics` : 'off',
      tuning: config.worker,
    },
    'worker running',
  );
  try {
    await worker.run();
  } finally {
    await connection.close();
    await dataSource.destroy();
    logger.info('worker stopped');
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
    else pino().fatal({ err }, 'worker failed');
    process.exit(1);
  });
}
