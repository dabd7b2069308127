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

export const MIGRATIONS: (new () => MigrationInterface)[] = [
  Initial1767225600001,
  EmailApprovals1767225600002,
  InventoryReports1767225600003,
  Evidence1767225600005,
  KpiSnapshots1767225600006,
];
