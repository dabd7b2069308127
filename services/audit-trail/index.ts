/** The audit trail of a process: repository, anchors read from Temporal, and the service. */
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { AuditRepository } from '../../db/audit-repository';
import { ProgrammeRepository } from '../../db/repository';
import { temporalAnchorSource } from './anchors';
import { AuditTrail } from './service';

export { AuditTrail } from './service';

/** Without a Temporal client the trail can append and verify hashes, but not anchors. */
export function createAuditTrail(dataSource: DataSource, client?: Client): AuditTrail {
  const programmes = new ProgrammeRepository(dataSource);
  const anchors = client
    ? temporalAnchorSource(client, async (id) => (await programmes.getProgramme(id))?.workflowId)
    : undefined;
  return new AuditTrail(new AuditRepository(dataSource), anchors);
}
