/** Builds the worker that runs every workflow and the activities it is given. */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { WorkerTuning } from '../infra/config';

export interface AimsWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** A prebuilt bundle (tests, production); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Concurrency, cache and shutdown settings; unset ones keep the SDK defaults. */
  tuning?: Partial<Omit<WorkerTuning, 'metricsBind' | 'workflowBundle'>>;
  /** Every activity it runs (worker/activities.ts). */
  activities: object;
}

export function createAimsWorker(o: AimsWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    ...(o.workflowBundle
      ? { workflowBundle: o.workflowBundle }
      : { workflowsPath: require.resolve('../workflows') }),
    activities: o.activities,
    ...tuningOptions(o.tuning ?? {}),
  });
}

/** Only the settings given: an explicit undefined would override the SDK's default with nothing. */
function tuningOptions(t: NonNullable<AimsWorkerOptions['tuning']>): Partial<WorkerOptions> {
  const options: Partial<WorkerOptions> = {};
  if (t.maxConcurrentActivities !== undefined)
    options.maxConcurrentActivityTaskExecutions = t.maxConcurrentActivities;
  if (t.maxConcurrentWorkflowTasks !== undefined)
    options.maxConcurrentWorkflowTaskExecutions = t.maxConcurrentWorkflowTasks;
  if (t.maxCachedWorkflows !== undefined) options.maxCachedWorkflows = t.maxCachedWorkflows;
  // Activities in flight get this long to finish after SIGTERM before they are cancelled.
  if (t.shutdownGraceMs !== undefined) options.shutdownGraceTime = t.shutdownGraceMs;
  return options;
}
