/** Wires the KPI feature for a process: service, API routes and worker activities. */
import type { DataSource } from 'typeorm';
import { createKpiActivities } from '../activities/kpi';
import { kpiRoutes } from '../api/routes/kpis';
import { EvidenceRepository } from '../db/evidence-repository';
import { InventoryRepository } from '../db/inventory-repository';
import { KpiRepository } from '../db/kpi-repository';
import { ProgrammeRepository } from '../db/repository';
import { KpiService } from './service';

export function kpiFeature(dataSource: DataSource) {
  const service = new KpiService(
    new ProgrammeRepository(dataSource),
    new EvidenceRepository(dataSource),
    new KpiRepository(dataSource),
    new InventoryRepository(dataSource),
  );
  return { routes: kpiRoutes(service), activities: createKpiActivities(service) };
}
