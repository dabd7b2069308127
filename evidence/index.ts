/** Wires the evidence feature for a process: repository, file store, service and routes. */
import type { DataSource } from 'typeorm';
import { evidenceRoutes } from '../api/routes/evidence';
import type { Route } from '../api/route';
import { EvidenceRepository } from '../db/evidence-repository';
import { ProgrammeRepository } from '../db/repository';
import { ContentStore } from './content-store';
import { EvidenceService } from './service';

export function evidenceFeature(dataSource: DataSource, o: { dir: string; maxBytes: number }): Route[] {
  const service = new EvidenceService({
    evidence: new EvidenceRepository(dataSource),
    programmes: new ProgrammeRepository(dataSource),
    content: new ContentStore(o.dir),
    maxBytes: o.maxBytes,
  });
  return evidenceRoutes(service);
}
