/**
 * AI inventory routes: start a scan of a source tree (only inside SCAN_ROOTS), follow its
 * progress, read its exact findings, import a register (CSV, JSON or YAML), and read the merged
 * inventory with its completeness KPI. Every input is checked before anything is written: a bad
 * path or a bad import row is a 400 with a pointer, and no scan is recorded.
 */
import { CONTRIBUTES, READERS } from '../../domain/roles';
import { WorkflowFailedError } from '@temporalio/client';
import { z } from 'zod';
import type { InventoryRepository, ScanRecord } from '../../db/inventory-repository';
import { InventoryImportBody, ScanBody } from '../../domain/schemas';
import { parseInventoryImport } from '../../services/inventory/import';
import { importSourceKey, pathSourceKey, resolveScanPath } from '../../services/inventory/paths';
import { FINDING_CATEGORIES, SKIP_REASONS } from '../../domain/inventory/types';
import { buildInventoryView } from '../../domain/inventory/view';
import type { InventoryScanInput } from '../../domain/contracts/workflows';
import type { AnalysisGateway } from '../analysis-gateway';
import { programmePath, requireProgramme } from '../handlers';
import { ProgrammeParams } from '../params';
import { HttpProblem, validationProblem } from '../problem';
import { defineRoute, type HandlerContext, type Route } from '../route';
import { NoBody, NoQuery } from '../validate';

const TAG = 'AI inventory';

const ScanParams = ProgrammeParams.extend({
  scanId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'a scan id'),
});

const Diff = z.object({
  new: z.array(z.string()),
  changed: z.array(z.string()),
  gone: z.array(z.string()),
  unchanged: z.number().int(),
});

export const InventoryScan = z.object({
  id: z.string(),
  kind: z.enum(['scan', 'import']),
  source: z.string().meta({ description: 'The scanned directory (real path) or the register name' }),
  inScope: z.boolean(),
  status: z.enum(['queued', 'running', 'completed', 'failed']),
  filesSeen: z.number().int(),
  filesScanned: z.number().int(),
  findings: z.number().int().meta({ description: 'Findings so far (systems, for an import)' }),
  result: z
    .object({
      diff: Diff,
      newInScope: z.array(z.object({ id: z.string(), name: z.string(), owner: z.string().optional() })),
      skipped: z.array(z.object({ path: z.string(), reason: z.enum(SKIP_REASONS) })),
      attempts: z.number().int().optional(),
      resumedFrom: z.string().optional(),
    })
    .nullable(),
  error: z.string().nullable(),
  requestedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  updatedAt: z.string(),
});

const InventoryScanList = z.object({ items: z.array(InventoryScan) });

const InventoryFinding = z.object({
  id: z.string(),
  category: z.enum(FINDING_CATEGORIES),
  signature: z.string(),
  path: z.string(),
  line: z.number().int().optional(),
  cell: z.number().int().optional(),
  evidence: z.string(),
  service: z.string().optional(),
  role: z.enum(['service', 'framework', 'orchestration', 'pipeline']).optional(),
  meta: z.record(z.string(), z.string()).optional(),
});
const InventoryFindingList = z.object({ items: z.array(InventoryFinding) });

const InventorySystem = z.object({
  id: z.string(),
  name: z.string(),
  purpose: z.string().optional(),
  owner: z.string().optional(),
  lifecycleStage: z.string(),
  aiRole: z.string().optional(),
  dataSources: z.array(z.string()),
  models: z.array(z.string()),
  thirdPartyServices: z.array(z.string()),
  frameworks: z.array(z.string()),
  locations: z.array(z.string()),
  registered: z.boolean().meta({ description: 'Imported or listed in the scope' }),
  discovered: z.boolean().meta({ description: 'Found by a scan' }),
  inScope: z.boolean(),
  inScopeStatement: z.boolean(),
  sources: z.array(z.string()),
  status: z.enum(['active', 'gone']),
});

export const InventoryView = z.object({
  systems: z.array(InventorySystem),
  kpi: z.object({
    registered: z.number().int(),
    discovered: z.number().int(),
    discoveredAndRegistered: z.number().int(),
    unregistered: z.array(z.string()),
    completeness: z.number().meta({ description: 'Discovered systems that are registered, 0-1' }),
  }),
});

const COMPONENTS = {
  InventoryScan,
  InventoryScanList,
  InventoryFinding,
  InventoryFindingList,
  InventorySystem,
  InventoryView,
};

export interface InventoryRouteDeps {
  gateway: AnalysisGateway;
  inventory: Pick<
    InventoryRepository,
    'insertScan' | 'deleteScan' | 'getScan' | 'listScans' | 'listFindings' | 'listSystems' | 'latestScope'
  >;
  scanRoots: readonly string[];
}

const scanPath = (programmeId: string, scanId: string) =>
  `${programmePath(programmeId)}/inventory/scans/${encodeURIComponent(scanId)}`;

function view(scan: ScanRecord): z.input<typeof InventoryScan> {
  const { programmeId: _p, sourceKey: _k, ...rest } = scan;
  return rest;
}

/** Records the scan row first (so the client can follow it at once), then starts the workflow. */
async function launch(
  deps: InventoryRouteDeps,
  ctx: HandlerContext,
  row: Parameters<InventoryRouteDeps['inventory']['insertScan']>[0],
  input: InventoryScanInput,
  run: () => Promise<unknown>,
): Promise<void> {
  await deps.inventory.insertScan(row);
  try {
    await run();
  } catch (err) {
    // Only a scan whose workflow never started is rolled back; a failed one keeps its record.
    if (!(err instanceof WorkflowFailedError)) {
      await deps.inventory.deleteScan(input.programmeId, input.scanId).catch((cleanup: unknown) => {
        ctx.log.error(
          { err: cleanup, scanId: input.scanId },
          'could not remove the record of a scan that did not start',
        );
      });
    }
    throw err;
  }
}

export function inventoryRoutes(deps: InventoryRouteDeps): Route[] {
  return [
    defineRoute({
      method: 'post',
      path: '/programmes/{id}/inventory/scans',
      operationId: 'startInventoryScan',
      audit: { action: 'inventory.scan.started' },
      access: CONTRIBUTES,
      summary: 'Scan a source tree for AI systems',
      description:
        'Starts a durable scan of a directory inside SCAN_ROOTS (a local path or git checkout). Follow it at Location; it survives worker restarts and resumes from its last checkpoint.',
      tag: TAG,
      components: COMPONENTS,
      params: ProgrammeParams,
      query: NoQuery,
      body: ScanBody,
      success: {
        status: 202,
        description: 'Scan started; follow it at Location',
        schema: InventoryScan,
        location: true,
      },
      handle: async ({ params, body }, ctx) => {
        const programme = await requireProgramme(ctx.store, params.id);
        const resolved = await resolveScanPath(body.path, deps.scanRoots);
        if (!resolved.ok) throw validationProblem([{ pointer: '/body/path', detail: resolved.detail }]);
        const scanId = `scan-${ctx.newId()}`;
        const input: InventoryScanInput = {
          programmeId: params.id,
          programmeWorkflowId: programme.workflowId,
          scanId,
          source: { kind: 'scan', path: resolved.realPath, inScope: body.inScope },
        };
        const row = {
          programmeId: params.id,
          id: scanId,
          kind: 'scan' as const,
          source: resolved.realPath,
          sourceKey: pathSourceKey(resolved.realPath),
          inScope: body.inScope,
          requestedAt: new Date().toISOString(),
        };
        await launch(deps, ctx, row, input, () => deps.gateway.startScan(input));
        const scan = await deps.inventory.getScan(params.id, scanId);
        return { status: 202, body: scan ? view(scan) : null, location: scanPath(params.id, scanId) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/programmes/{id}/inventory/scans',
      operationId: 'listInventoryScans',
      access: READERS,
      summary: 'Scans and imports, newest first',
      tag: TAG,
      components: COMPONENTS,
      params: ProgrammeParams,
      query: NoQuery,
      body: NoBody,
      success: { status: 200, description: 'Scans', schema: InventoryScanList },
      handle: async ({ params }, ctx) => {
        await requireProgramme(ctx.store, params.id);
        return { status: 200, body: { items: (await deps.inventory.listScans(params.id)).map(view) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/programmes/{id}/inventory/scans/{scanId}',
      operationId: 'getInventoryScan',
      access: READERS,
      summary:
        'Progress and outcome of a scan: files seen, findings, and which AI systems are new, changed or gone',
      tag: TAG,
      components: COMPONENTS,
      params: ScanParams,
      query: NoQuery,
      body: NoBody,
      success: { status: 200, description: 'The scan', schema: InventoryScan },
      handle: async ({ params }, ctx) => {
        await requireProgramme(ctx.store, params.id);
        const scan = await deps.inventory.getScan(params.id, params.scanId);
        if (!scan) throw new HttpProblem('not-found', `Programme ${params.id} has no scan ${params.scanId}.`);
        return { status: 200, body: view(scan) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/programmes/{id}/inventory/scans/{scanId}/findings',
      operationId: 'listInventoryFindings',
      access: READERS,
      summary: 'Every finding of a scan, in file order, with where it was found',
      tag: TAG,
      components: COMPONENTS,
      params: ScanParams,
      query: NoQuery,
      body: NoBody,
      success: { status: 200, description: 'Findings', schema: InventoryFindingList },
      handle: async ({ params }, ctx) => {
        await requireProgramme(ctx.store, params.id);
        if (!(await deps.inventory.getScan(params.id, params.scanId)))
          throw new HttpProblem('not-found', `Programme ${params.id} has no scan ${params.scanId}.`);
        return { status: 200, body: { items: await deps.inventory.listFindings(params.id, params.scanId) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/programmes/{id}/inventory/import',
      operationId: 'importInventory',
      audit: { action: 'inventory.imported' },
      access: CONTRIBUTES,
      summary: 'Import a register of AI systems (CSV, JSON or YAML)',
      description:
        'For systems no scan can see. Every row is checked first; problems come back as a 400 with a pointer per row and field, and nothing is imported. A later import under the same source name replaces this one.',
      tag: TAG,
      components: COMPONENTS,
      params: ProgrammeParams,
      query: NoQuery,
      body: InventoryImportBody,
      success: {
        status: 201,
        description: 'Imported; the scan record at Location',
        schema: InventoryScan,
        location: true,
      },
      handle: async ({ params, body }, ctx) => {
        const parsed = parseInventoryImport(body.format, body.content);
        if (!parsed.ok) throw validationProblem(parsed.errors);
        const programme = await requireProgramme(ctx.store, params.id);
        const scanId = `import-${ctx.newId()}`;
        const content = await ctx.store.stageBody(params.id, 'inventoryImport', { content: body.content });
        const input: InventoryScanInput = {
          programmeId: params.id,
          programmeWorkflowId: programme.workflowId,
          scanId,
          // An import may be close to a megabyte: the workflow gets a reference to it.
          source: {
            kind: 'import',
            format: body.format,
            content,
            register: body.source,
          },
        };
        const row = {
          programmeId: params.id,
          id: scanId,
          kind: 'import' as const,
          source: body.source,
          sourceKey: importSourceKey(body.source),
          inScope: true,
          requestedAt: new Date().toISOString(),
        };
        try {
          await launch(deps, ctx, row, input, () => deps.gateway.runImport(input));
        } finally {
          // Applied or failed, the import has ended: its content is in the scan's record now.
          await ctx.store.discardBody(content).catch(() => undefined);
        }
        const scan = await deps.inventory.getScan(params.id, scanId);
        return { status: 201, body: scan ? view(scan) : null, location: scanPath(params.id, scanId) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/programmes/{id}/inventory',
      operationId: 'getInventory',
      access: READERS,
      summary: 'The AI inventory: every system from scans, imports and the scope, with the completeness KPI',
      tag: TAG,
      components: COMPONENTS,
      params: ProgrammeParams,
      query: NoQuery,
      body: NoBody,
      success: { status: 200, description: 'The inventory', schema: InventoryView },
      handle: async ({ params }, ctx) => {
        await requireProgramme(ctx.store, params.id);
        const [systems, scope] = await Promise.all([
          deps.inventory.listSystems(params.id),
          deps.inventory.latestScope(params.id),
        ]);
        const inventory = buildInventoryView(systems, scope);
        const body: z.input<typeof InventoryView> = {
          kpi: inventory.kpi,
          systems: inventory.systems.map(
            ({ fingerprint: _f, firstSeenAt: _s, updatedAt: _u, lastScanId: _l, ...s }) => s,
          ),
        };
        return { status: 200, body };
      },
    }),
  ];
}
