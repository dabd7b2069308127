/** Builds the worker that runs programme and stage workflows and the persistence activities. */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createPersistenceActivities } from '../activities';
import type { NotificationActivities } from '../domain/contracts/notifications';
import { createDroppingNotificationActivities } from '../activities/notifications';
import type { ProgrammeRepository } from '../db/repository';
import { auditedPersistence } from '../activities/audited-persistence';
import type { AuditTrail } from '../services/audit-trail';
import type { WorkerTuning } from '../infra/config';

export interface AimsWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  repository: ProgrammeRepository;
  /** A prebuilt bundle (tests, production); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Concurrency, cache and shutdown settings; unset ones keep the SDK defaults. */
  tuning?: Partial<Omit<WorkerTuning, 'metricsBind' | 'workflowBundle'>>;
  /** Approval and notice mail (activities/notifications.ts); without it mail is dropped. */
  notifications?: NotificationActivities;
  /**
   * The audit trail: the persistence activities then append the workflows' own changes and
   * answer the chain head that the programme workflow anchors. Without it they do neither.
   */
  audit?: AuditTrail;
  /** Activities of feature modules (KPI snapshots, ...), registered as given. */
  extraActivities?: object;
}

export function createAimsWorker(o: AimsWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    ...(o.workflowBundle
      ? { workflowBundle: o.workflowBundle }
      : { workflowsPath: require.resolve('../workflows') }),
    activities: {
      ...(o.audit
        ? auditedPersistence(createPersistenceActivities(o.repository), o.repository, o.audit)
        : createPersistenceActivities(o.repository)),
      ...(o.notifications ?? createDroppingNotificationActivities()),
      ...(o.extraActivities ?? {}),
    },
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
