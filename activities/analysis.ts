/**
 * The inventory and report activities over one DataSource, as the worker registers them
 * (AimsWorkerOptions.extraActivities).
 */
import type { DataSource } from 'typeorm';
import { BodyStore } from '../db/body-store';
import { EvidenceRepository } from '../db/evidence-repository';
import { InventoryRepository } from '../db/inventory-repository';
import { KpiRepository } from '../db/kpi-repository';
import { ReportRepository } from '../db/report-repository';
import { ProgrammeRepository } from '../db/repository';
import type { InventoryActivities, ReportActivities } from '../domain/contracts/analysis';
import { createInventoryActivities, DEFAULT_SCAN_SETTINGS, type ScanSettings } from './inventory';
import { createReportActivities } from './reports';

export function createAnalysisActivities(
  dataSource: DataSource,
  scan: Partial<ScanSettings> = {},
): InventoryActivities & ReportActivities {
  const inventory = new InventoryRepository(dataSource);
  return {
    ...createInventoryActivities({
      inventory,
      bodies: new BodyStore(dataSource),
      settings: { ...DEFAULT_SCAN_SETTINGS, ...scan },
    }),
    ...createReportActivities({
      programmes: new ProgrammeRepository(dataSource),
      inventory,
      reports: new ReportRepository(dataSource),
      evidence: new EvidenceRepository(dataSource),
      kpis: new KpiRepository(dataSource),
    }),
  };
}
