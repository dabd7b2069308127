/** The evidence service of a process: repository, file store and the audit pack's reports. */
import type { DataSource } from 'typeorm';
import { EvidenceRepository } from '../../db/evidence-repository';
import { InventoryRepository } from '../../db/inventory-repository';
import { KpiRepository } from '../../db/kpi-repository';
import { ReportRepository } from '../../db/report-repository';
import { ProgrammeRepository } from '../../db/repository';
import { ContentStore } from './content-store';
import { packReports } from './pack-reports';
import { EvidenceService } from './service';

export function createEvidenceService(
  dataSource: DataSource,
  o: { dir: string; maxBytes: number },
): EvidenceService {
  const evidence = new EvidenceRepository(dataSource);
  const programmes = new ProgrammeRepository(dataSource);
  return new EvidenceService({
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
}
