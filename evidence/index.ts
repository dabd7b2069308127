/** Wires the evidence feature for a process: repository, file store, service and routes. */
import type { DataSource } from 'typeorm';
import { evidenceRoutes } from '../api/routes/evidence';
import type { Route } from '../api/route';
import { EvidenceRepository } from '../db/evidence-repository';
import { InventoryRepository } from '../db/inventory-repository';
import { KpiRepository } from '../db/kpi-repository';
import { ReportRepository } from '../db/report-repository';
import { ProgrammeRepository } from '../db/repository';
import { ContentStore } from './content-store';
import { packReports } from './pack-reports';
import { EvidenceService } from './service';

export function evidenceFeature(dataSource: DataSource, o: { dir: string; maxBytes: number }): Route[] {
  const evidence = new EvidenceRepository(dataSource);
  const programmes = new ProgrammeRepository(dataSource);
  const service = new EvidenceService({
    evidence,
    programmes,
    content: new ContentStore(o.dir),
    maxBytes: o.maxBytes,
    reports: packReports({
      programmes,
      inventory: new InventoryRepository(dataSource),
      reports: new ReportRepository(dataSource),
      evidence,
      kpis: new KpiRepository(dataSource),
    }),
  });
  return evidenceRoutes(service);
}
