/** The KPI service of a process over its DataSource (API routes and worker activities share it). */
import type { DataSource } from 'typeorm';
import { EvidenceRepository } from '../../db/evidence-repository';
import { InventoryRepository } from '../../db/inventory-repository';
import { KpiRepository } from '../../db/kpi-repository';
import { ProgrammeRepository } from '../../db/repository';
import { KpiService } from './service';

export function createKpiService(dataSource: DataSource): KpiService {
  return new KpiService(
    new ProgrammeRepository(dataSource),
    new EvidenceRepository(dataSource),
    new KpiRepository(dataSource),
    new InventoryRepository(dataSource),
  );
}
