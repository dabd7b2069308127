/** The scheduled KPI snapshot, as an activity (idempotent: the snapshot id is its key). */
export interface KpiActivities {
  /** @returns the programme's status, or null when it no longer exists */
  takeKpiSnapshot(input: {
    programmeId: string;
    snapshotId: string;
    at: string;
  }): Promise<{ status: string } | null>;
}
