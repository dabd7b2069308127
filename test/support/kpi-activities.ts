/**
 * Every programme starts its KPI clock; workflow tests that are not about KPIs register this
 * stand-in so the clock's activity has somewhere to run and says nothing.
 */
import type { KpiActivities } from '../../domain/contracts/kpis';

export const idleKpiActivities: KpiActivities = {
  takeKpiSnapshot: () => Promise.resolve({ status: 'ACTIVE' }),
};
