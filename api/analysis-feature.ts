/**
 * Wires the inventory, gap-analysis and report routes for the API process: repositories over
 * its DataSource and a gateway over its Temporal client, both guarded so that their failures
 * become 503s like the core routes'. Also returns the listener that generates the report an
 * approval gate will decide on when an artefact is submitted.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { InventoryRepository } from '../db/inventory-repository';
import { ReportRepository } from '../db/report-repository';
import { ProgrammeRepository } from '../db/repository';
import { TemporalAnalysisGateway } from './analysis-gateway';
import { guarded } from './dependency-errors';
import type { Route } from './route';
import { inventoryRoutes } from './routes/inventory';
import { reportRoutes, reportsOnInput } from './routes/reports';

export interface AnalysisFeatureOptions {
  dataSource: DataSource;
  client: Client;
  taskQueue: string;
  /** Directories scans may read (SCAN_ROOTS). */
  scanRoots: readonly string[];
  log: Logger;
}

export function analysisFeature(o: AnalysisFeatureOptions) {
  const gateway = guarded(new TemporalAnalysisGateway(o.client, o.taskQueue, randomUUID), 'temporal');
  const inventory = guarded(new InventoryRepository(o.dataSource), 'database');
  const programmes = guarded(new ProgrammeRepository(o.dataSource), 'database');
  const reports = guarded(new ReportRepository(o.dataSource), 'database');
  const routes: Route[] = [
    ...inventoryRoutes({ gateway, inventory, scanRoots: o.scanRoots }),
    ...reportRoutes({ gateway, reports, programmes }),
  ];
  const onInputAccepted = reportsOnInput(
    gateway,
    async (programmeId) => (await programmes.getProgramme(programmeId))?.workflowId,
    (err, programmeId) => o.log.warn({ err, programmeId }, 'could not request the report for an approval'),
  );
  return { routes, onInputAccepted };
}
