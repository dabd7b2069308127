/**
 * The API's feature routes, wired in one place for every process that serves the API (the API
 * process, the in-process test stack): each feature gets its service over the shared
 * DataSource and Temporal client and contributes its routes. The core programme routes come
 * from the route table (routes.ts) inside createApp.
 */
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { ApiKeyStore } from '../db/api-key-store';
import { ApprovalStore } from '../db/approval-store';
import { createAuditTrail, type AuditTrail } from '../services/audit-trail';
import { createEvidenceService } from '../services/evidence';
import { createKpiService } from '../services/kpi';
import { analysisFeature } from './analysis-feature';
import type { ApprovalGateway } from './programme-gateway';
import type { InputListener, Route } from './route';
import { apiKeyRoutes } from './routes/api-keys';
import { approvalRoutes, type ApprovalRouteDeps } from './routes/approvals';
import { auditTrailRoutes } from './routes/audit-trail';
import { evidenceRoutes } from './routes/evidence';
import { kpiRoutes } from './routes/kpis';

export interface FeatureDeps {
  dataSource: DataSource;
  /** The Temporal client: scans and reports start workflows, the audit trail reads anchors. */
  client: Client;
  gateway: ApprovalGateway;
  taskQueue: string;
  logger: Logger;
  evidence: { dir: string; maxBytes: number };
  /** Directories scans may read (SCAN_ROOTS). */
  scanRoots: readonly string[];
  approvals: Pick<ApprovalRouteDeps, 'secret' | 'previousSecrets' | 'rateLimit' | 'secureCookies'>;
  /** The key table; one is made over the DataSource when not given. */
  apiKeys?: ApiKeyStore;
}

export interface Features {
  routes: Route[];
  /** Told of every accepted stage input (reports for the approvals it opened). */
  onInputAccepted: InputListener;
  audit: AuditTrail;
}

export function apiFeatures(d: FeatureDeps): Features {
  const analysis = analysisFeature({
    dataSource: d.dataSource,
    client: d.client,
    taskQueue: d.taskQueue,
    scanRoots: d.scanRoots,
    log: d.logger,
  });
  const audit = createAuditTrail(d.dataSource, d.client);
  const routes = [
    ...apiKeyRoutes(d.apiKeys ?? new ApiKeyStore(d.dataSource)),
    ...evidenceRoutes(createEvidenceService(d.dataSource, d.evidence)),
    ...kpiRoutes(createKpiService(d.dataSource)),
    ...auditTrailRoutes(audit),
    ...analysis.routes,
    ...approvalRoutes({
      gateway: d.gateway,
      links: new ApprovalStore(d.dataSource),
      secret: d.approvals.secret,
      rateLimit: d.approvals.rateLimit,
      secureCookies: d.approvals.secureCookies,
      previousSecrets: d.approvals.previousSecrets,
    }),
  ];
  return { routes, onInputAccepted: analysis.onInputAccepted, audit };
}
