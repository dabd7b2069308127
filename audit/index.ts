/** Wires the audit trail for a process: repository, anchors from Temporal, service and routes. */
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { auditTrailRoutes } from '../api/routes/audit-trail';
import { AuditRepository } from '../db/audit-repository';
import { ProgrammeRepository } from '../db/repository';
import { temporalAnchorSource } from './anchors';
import { AuditTrail } from './service';

export { AuditTrail } from './service';
export { auditedPersistence } from './worker';

/** Without a Temporal client the trail can append and verify hashes, but not anchors. */
export function createAuditTrail(dataSource: DataSource, client?: Client): AuditTrail {
  const programmes = new ProgrammeRepository(dataSource);
  const anchors = client
    ? temporalAnchorSource(client, async (id) => (await programmes.getProgramme(id))?.workflowId)
    : undefined;
  return new AuditTrail(new AuditRepository(dataSource), anchors);
}

export function auditFeature(dataSource: DataSource, client: Client) {
  const trail = createAuditTrail(dataSource, client);
  return { trail, routes: auditTrailRoutes(trail) };
}
