/**
 * Worker process entry point (dist/worker/main.js, spawned by scripts/start.ts). The SDK's
 * Runtime shuts the worker down on SIGINT/SIGTERM; run() then resolves once in-flight tasks
 * are handed back, and the connections close.
 */
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import pino from 'pino';
import { openDatabase } from '../db/data-source';
import { ProgrammeRepository } from '../db/repository';
import { ConfigError, loadConfig } from '../infra/config';
import { createAimsWorker } from './create-worker';

export async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel, base: { component: 'worker' } });
  Runtime.install({ logger: new DefaultLogger(config.logLevel === 'debug' ? 'DEBUG' : 'WARN') });

  const dataSource = await openDatabase(config.databaseUrl);
  const address = config.temporalAddress ?? `127.0.0.1:${config.temporalPort}`;
  const connection = await NativeConnection.connect({ address });
  const worker = await createAimsWorker({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    repository: new ProgrammeRepository(dataSource),
  });
  logger.info({ address, taskQueue: config.taskQueue }, 'worker running');
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
