/**
 * The inventory as the programme manager sees it: every AI system known from scans, imports and
 * the scope, whether each is registered and in scope, and the completeness KPI (how many of
 * the systems scans discovered the organisation had registered). Pure.
 */
import type { ScopeBody } from '../schemas';
import type { AiSystemRecord } from './types';

export interface InventoryItem extends Omit<AiSystemRecord, 'inScope'> {
  /** Resolved: the scope decides for the systems it lists, else the source, else in scope. */
  inScope: boolean;
  /** Listed in the submitted scope. */
  inScopeStatement: boolean;
}

export interface InventoryKpi {
  /** Active systems registered by an import or listed in the scope. */
  registered: number;
  /** Active systems found by scans. */
  discovered: number;
  discoveredAndRegistered: number;
  /** Discovered systems nobody registered: candidates for shadow AI. */
  unregistered: string[];
  /** discoveredAndRegistered / discovered; 1 when scans found nothing. */
  completeness: number;
}

export interface InventoryView {
  systems: InventoryItem[];
  kpi: InventoryKpi;
}

export function buildInventoryView(
  records: readonly AiSystemRecord[],
  scope: Pick<ScopeBody, 'aiSystems'> | undefined,
): InventoryView {
  const listed = new Map((scope?.aiSystems ?? []).map((s) => [s.id, s]));
  const items: InventoryItem[] = records.map((r) => {
    const scoped = listed.get(r.id);
    return {
      ...r,
      registered: r.registered || scoped !== undefined,
      inScope: scoped ? scoped.inScope : (r.inScope ?? true),
      inScopeStatement: scoped !== undefined,
    };
  });
  const known = new Set(records.map((r) => r.id));
  for (const s of scope?.aiSystems ?? []) {
    if (known.has(s.id)) continue;
    items.push({
      id: s.id,
      name: s.name,
      ...(s.description ? { purpose: s.description } : {}),
      lifecycleStage: 'unknown',
      dataSources: [],
      models: [],
      thirdPartyServices: [],
      frameworks: [],
      locations: [],
      registered: true,
      discovered: false,
      sources: ['scope'],
      status: 'active',
      fingerprint: '',
      firstSeenAt: '',
      updatedAt: '',
      lastScanId: '',
      inScope: s.inScope,
      inScopeStatement: true,
    });
  }
  items.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const active = items.filter((i) => i.status === 'active');
  const discovered = active.filter((i) => i.discovered);
  const unregistered = discovered.filter((i) => !i.registered).map((i) => i.id);
  return {
    systems: items,
    kpi: {
      registered: active.filter((i) => i.registered).length,
      discovered: discovered.length,
      discoveredAndRegistered: discovered.length - unregistered.length,
      unregistered,
      completeness:
        discovered.length === 0
          ? 1
          : Math.round(((discovered.length - unregistered.length) / discovered.length) * 1000) / 1000,
    },
  };
}
