/** The scheduled KPI snapshot, as an activity (idempotent: the snapshot id is its key). */
import type { KpiService } from '../kpi/service';

export interface KpiActivities {
  /** @returns the programme's status, or null when it no longer exists */
  takeKpiSnapshot(input: {
    programmeId: string;
    snapshotId: string;
    at: string;
  }): Promise<{ status: string } | null>;
}

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
