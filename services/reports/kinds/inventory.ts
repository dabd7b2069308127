/** The AI system inventory: registered and discovered systems, and how complete the register is. */
import type { InventoryView } from '../../../domain/inventory/view';
import { REPORTS } from '../../../domain/report-kinds';
import type { ReportDocument, ReportStamp, Table } from '../document';
import { baseFacts, identity } from '../document-header';
import { list, yesNo } from '../document-parts';
import type { Header } from '../model-parts';
import { reportHeader, type ReportSources } from '../sources';
import type { ReportKindBuilder } from './definition';

export interface InventoryModel {
  kind: 'inventory';
  header: Header;
  kpi: InventoryView['kpi'];
  systems: InventoryView['systems'];
}

export function inventoryModel(s: ReportSources): InventoryModel {
  const view = s.inventory ?? {
    systems: [],
    kpi: { registered: 0, discovered: 0, discoveredAndRegistered: 0, unregistered: [], completeness: 1 },
  };
  // Timestamps of the records would make every re-scan a new report version; the content decides.
  const systems = view.systems.map(({ updatedAt: _u, lastScanId: _l, fingerprint: _f, ...rest }) => ({
    ...rest,
    updatedAt: '',
    lastScanId: '',
    fingerprint: '',
  }));
  return { kind: 'inventory', header: reportHeader(s), kpi: view.kpi, systems };
}

function inventoryDocument(m: InventoryModel, stamp: ReportStamp): ReportDocument {
  const k = m.kpi;
  const table: Table = {
    columns: [
      { header: 'AI system', width: 1 },
      { header: 'Name', width: 1 },
      { header: 'Purpose', width: 1.6 },
      { header: 'Owner', width: 1.1 },
      { header: 'Life cycle', width: 0.9 },
      { header: 'Role', width: 0.7 },
      { header: 'In scope', width: 0.55 },
      { header: 'Registered', width: 0.7 },
      { header: 'Discovered', width: 0.7 },
      { header: 'Third-party AI', width: 1 },
      { header: 'Models', width: 1.6 },
      { header: 'Data sources', width: 1.2 },
      { header: 'Status', width: 0.5 },
    ],
    rows: m.systems.map((s) => [
      s.id,
      s.name,
      s.purpose ?? '',
      s.owner ?? '',
      s.lifecycleStage,
      s.aiRole ?? '',
      yesNo(s.inScope),
      yesNo(s.registered),
      yesNo(s.discovered),
      list(s.thirdPartyServices),
      list(s.models),
      list(s.dataSources),
      s.status,
    ]),
  };
  const full: Table = {
    columns: [...table.columns, { header: 'Frameworks' }, { header: 'Found at' }, { header: 'Sources' }],
    rows: m.systems.map((s, i) => [...table.rows[i], list(s.frameworks), list(s.locations), list(s.sources)]),
  };
  return {
    title: REPORTS.inventory.title,
    subtitle: `${m.header.organisation}: ${m.header.programme}`,
    facts: baseFacts(m.header, stamp),
    sections: [
      {
        heading: 'Completeness',
        facts: [
          ['Registered AI systems', String(k.registered)],
          ['Discovered by scans', String(k.discovered)],
          ['Discovered and registered', String(k.discoveredAndRegistered)],
          ['Inventory completeness', `${Math.round(k.completeness * 1000) / 10} %`],
          ['Discovered but not registered', list(k.unregistered) || 'none'],
        ],
      },
      { heading: 'AI systems', table },
    ],
    sheets: [{ name: 'AI systems', table: full }],
    csv: full,
    data: { report: identity('inventory', '', m.header, stamp), ...m },
  };
}

export const inventory: ReportKindBuilder<InventoryModel> = {
  reads: [],
  model: (s) => inventoryModel(s),
  document: (model, stamp) => inventoryDocument(model, stamp),
};
