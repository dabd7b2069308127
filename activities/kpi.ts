/** The scheduled KPI snapshot, as an activity (idempotent: the snapshot id is its key). */
import type { KpiActivities } from '../domain/contracts/kpis';
import type { KpiService } from '../services/kpi/service';

export function createKpiActivities(service: KpiService): KpiActivities {
  return {
    async takeKpiSnapshot({ programmeId, snapshotId, at }) {
      const snapshot = await service.snapshot(programmeId, snapshotId, 'schedule', Date.parse(at));
      if (!snapshot) return null;
      const report = await service.compute(programmeId, Date.parse(at));
      return { status: report?.status ?? 'ACTIVE' };
    },
  };
}
