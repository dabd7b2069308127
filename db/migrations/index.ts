/**
 * Every migration, oldest first. Registered as classes rather than a glob so the same list
 * works from ts-jest and from compiled dist/. TypeORM orders by the 13-digit timestamp that
 * ends each class name; append new ones here as 0002-..., with a larger timestamp.
 */
import type { MigrationInterface } from 'typeorm';
import { Initial1767225600001 } from './0001-initial';
import { EmailApprovals1767225600002 } from './0002-email-approvals';
import { InventoryReports1767225600003 } from './0003-inventory-reports';
import { Evidence1767225600005 } from './0005-evidence';
import { KpiSnapshots1767225600006 } from './0006-kpi-snapshots';
import { AuditTrail1767225600007 } from './0007-audit-trail';
import { ApiKeys1767225600008 } from './0008-api-keys';
import { IdempotencyRecords1767225600009 } from './0009-idempotency';
import { CertificationCycle1767225600010 } from './0010-certification-cycle';
import { FactsAndBodies1767225600011 } from './0011-facts-and-bodies';
import { DecisionsOnBehalf1767225600012 } from './0012-decisions-on-behalf';

export const MIGRATIONS: (new () => MigrationInterface)[] = [
  Initial1767225600001,
  EmailApprovals1767225600002,
  InventoryReports1767225600003,
  Evidence1767225600005,
  KpiSnapshots1767225600006,
  AuditTrail1767225600007,
  ApiKeys1767225600008,
  IdempotencyRecords1767225600009,
  CertificationCycle1767225600010,
  FactsAndBodies1767225600011,
  DecisionsOnBehalf1767225600012,
];
