/** Builds the worker that runs programme and stage workflows and the persistence activities. */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createPersistenceActivities } from '../activities';
import type { ProgrammeRepository } from '../db/repository';

export interface AimsWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  repository: ProgrammeRepository;
  /** A prebuilt bundle (tests, production); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export function createAimsWorker(o: AimsWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    ...(o.workflowBundle
      ? { workflowBundle: o.workflowBundle }
      : { workflowsPath: require.resolve('../workflows') }),
    activities: createPersistenceActivities(o.repository),
  });
}
