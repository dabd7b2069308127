/**
 * Every activity a worker registers, wired over one DataSource: persistence (with the audit
 * trail when given), mail, KPI snapshots, inventory scans and reports. The worker process and
 * the in-process test stack both build their activities here.
 */
import type { DataSource } from 'typeorm';
import { createAnalysisActivities } from '../activities/analysis';
import { auditedPersistence } from '../activities/audited-persistence';
import type { ScanSettings } from '../activities/inventory';
import { createKpiActivities } from '../activities/kpi';
import { createDroppingNotificationActivities } from '../activities/notifications';
import { createPersistenceActivities } from '../activities/persistence';
import { BodyStore } from '../db/body-store';
import { InventoryRepository } from '../db/inventory-repository';
import { ProgrammeRepository } from '../db/repository';
import type { NotificationActivities } from '../domain/contracts/notifications';
import type { AuditTrail } from '../services/audit-trail';
import { createKpiService } from '../services/kpi';

export interface WorkerActivityOptions {
  dataSource: DataSource;
  /** The audit trail: persistence then appends the workflows' own changes and answers anchors. */
  audit?: AuditTrail;
  /** Approval and notice mail; without it mail is dropped. */
  notifications?: NotificationActivities;
  scan?: Partial<ScanSettings>;
}

export function workerActivities(o: WorkerActivityOptions): object {
  const repository = new ProgrammeRepository(o.dataSource);
  const persistence = createPersistenceActivities({
    repository,
    bodies: new BodyStore(o.dataSource),
    inventory: new InventoryRepository(o.dataSource),
  });
  return {
    ...(o.audit ? auditedPersistence(persistence, repository, o.audit) : persistence),
    ...(o.notifications ?? createDroppingNotificationActivities()),
    ...createKpiActivities(createKpiService(o.dataSource)),
    ...createAnalysisActivities(o.dataSource, o.scan),
  };
}
