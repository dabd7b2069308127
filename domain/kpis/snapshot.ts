/** One KPI snapshot of a programme: the KPIs and readiness at a moment, scheduled or on demand. */
import type { Kpis } from './compute';
import type { Readiness } from './readiness';

export interface KpiSnapshot {
  programmeId: string;
  id: string;
  cycle: number;
  trigger: 'schedule' | 'on_demand';
  takenAt: string;
  kpis: Kpis;
  readiness: Readiness;
}
