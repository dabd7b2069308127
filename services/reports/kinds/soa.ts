/** The Statement of Applicability: every control, applicable or excluded, with its implementation. */
import { CONTROL_GROUPS, CONTROLS } from '../../../domain/catalogue/iso42001';
import type { RiskTreatmentPlanBody, SoaEntry } from '../../../domain/schemas';
import { REPORTS } from '../../../domain/report-kinds';
import { STATUS_COLOURS, type ReportDocument, type ReportStamp, type Table } from '../document';
import { baseFacts, identity } from '../document-header';
import { approvalText, label, list, yesNo } from '../document-parts';
import type { Approval, Header } from '../model-parts';
import {
  currentAssessments,
  decisionFor,
  reportHeader,
  ReportUnavailableError,
  type ReportSources,
} from '../sources';
import type { ReportKindBuilder } from './definition';

export interface SoaRow {
  controlId: string;
  title: string;
  origin: 'Annex A' | 'Own';
  group: string;
  applicable: boolean;
  justification: string;
  implementationStatus: SoaEntry['implementationStatus'];
  owner?: string;
  linkedRiskIds: string[];
  linkedAiSystemIds: string[];
  evidenceRefs: string[];
}

export interface SoaModel {
  kind: 'soa';
  header: Header;
  soa: { version: number; submittedAt: string; sha256: string; submittedBy?: string };
  approval?: Approval;
  summary: {
    annexA: number;
    own: number;
    applicable: number;
    excluded: number;
    byStatus: Record<string, number>;
  };
  groups: {
    id: string;
    title: string;
    counts: Record<SoaEntry['implementationStatus'] | 'excluded', number>;
  }[];
  rows: SoaRow[];
}

const sortedUnique = (values: Iterable<string>) => [...new Set(values)].sort();

export function soaModel(s: ReportSources): SoaModel {
  if (!s.soa) throw new ReportUnavailableError('no Statement of Applicability has been submitted yet');
  const body = s.soa.body as { entries: SoaEntry[]; submittedBy?: string };
  const risks = (s.riskTreatmentPlan?.body as RiskTreatmentPlanBody | undefined)?.risks ?? [];
  const current = currentAssessments(s.assessments);
  const annexOrder = new Map(CONTROLS.map((c, i) => [c.id, i]));
  const entries = [...body.entries].sort((a, b) => {
    const x = annexOrder.get(a.controlId) ?? Number.MAX_SAFE_INTEGER;
    const y = annexOrder.get(b.controlId) ?? Number.MAX_SAFE_INTEGER;
    return x - y || (a.controlId < b.controlId ? -1 : 1);
  });
  const rows: SoaRow[] = entries.map((e) => {
    const control = CONTROLS.find((c) => c.id === e.controlId);
    const treating = risks.filter((r) => r.controls.includes(e.controlId));
    const riskIds = sortedUnique([...(e.linkedRiskIds ?? []), ...treating.map((r) => r.id)]);
    const systemIds = sortedUnique([
      ...(e.linkedAiSystemIds ?? []),
      ...risks.filter((r) => riskIds.includes(r.id)).flatMap((r) => r.aiSystemIds),
    ]);
    return {
      controlId: e.controlId,
      title: control?.title ?? e.title ?? e.controlId,
      origin: control ? 'Annex A' : 'Own',
      group: control?.group ?? 'Own',
      applicable: e.applicable,
      justification: e.justification,
      implementationStatus: e.implementationStatus,
      ...(e.owner ? { owner: e.owner } : {}),
      linkedRiskIds: riskIds,
      linkedAiSystemIds: systemIds,
      evidenceRefs: sortedUnique([...(e.evidenceRefs ?? []), ...(current.get(e.controlId)?.evidence ?? [])]),
    };
  });
  const byStatus: Record<string, number> = {};
  for (const r of rows.filter((x) => x.applicable))
    byStatus[r.implementationStatus] = (byStatus[r.implementationStatus] ?? 0) + 1;
  const approval = decisionFor(s, 'soa', s.soa.version);
  return {
    kind: 'soa',
    header: reportHeader(s),
    soa: {
      version: s.soa.version,
      submittedAt: s.soa.submittedAt,
      sha256: s.soa.sha256,
      ...(body.submittedBy ? { submittedBy: body.submittedBy } : {}),
    },
    ...(approval ? { approval } : {}),
    summary: {
      annexA: rows.filter((r) => r.origin === 'Annex A').length,
      own: rows.filter((r) => r.origin === 'Own').length,
      applicable: rows.filter((r) => r.applicable).length,
      excluded: rows.filter((r) => !r.applicable).length,
      byStatus,
    },
    groups: [...Object.entries(CONTROL_GROUPS), ['Own', 'Own controls'] as const].map(([id, title]) => {
      const counts = {
        implemented: 0,
        partially_implemented: 0,
        planned: 0,
        not_implemented: 0,
        excluded: 0,
      };
      for (const r of rows.filter((x) => x.group === id))
        counts[r.applicable ? r.implementationStatus : 'excluded']++;
      return { id, title, counts };
    }),
    rows,
  };
}

const IMPLEMENTATION_SERIES = [
  'implemented',
  'partially_implemented',
  'planned',
  'not_implemented',
  'excluded',
] as const;

function soaDocument(m: SoaModel, stamp: ReportStamp): ReportDocument {
  const table: Table = {
    columns: [
      { header: 'Control', width: 0.8 },
      { header: 'Title', width: 1.7 },
      { header: 'Origin', width: 0.7 },
      { header: 'Applicable', width: 0.75 },
      { header: 'Justification', width: 2 },
      { header: 'Implementation', width: 1.1 },
      { header: 'Owner', width: 1.3 },
      { header: 'Risks', width: 0.8 },
      { header: 'AI systems', width: 0.9 },
      { header: 'Evidence', width: 1.2 },
    ],
    rows: m.rows.map((r) => [
      r.controlId,
      r.title,
      r.origin,
      yesNo(r.applicable),
      r.justification,
      r.applicable ? label(r.implementationStatus) : 'Excluded',
      r.owner ?? '',
      list(r.linkedRiskIds),
      list(r.linkedAiSystemIds),
      list(r.evidenceRefs),
    ]),
  };
  const groups = m.groups.filter((g) => Object.values(g.counts).some((n) => n > 0));
  const facts: [string, string][] = [
    [
      'SoA version',
      `${m.soa.version}, submitted ${m.soa.submittedAt}${m.soa.submittedBy ? ` by ${m.soa.submittedBy}` : ''}`,
    ],
    ['SoA SHA-256', m.soa.sha256],
    ['Approval', approvalText(m.approval, 'Top management')],
    [
      'Controls',
      `${m.summary.annexA} Annex A and ${m.summary.own} own; ${m.summary.applicable} applicable, ${m.summary.excluded} excluded`,
    ],
    [
      'Implementation',
      Object.entries(m.summary.byStatus)
        .map(([st, n]) => `${label(st)} ${n}`)
        .join(', ') || 'none applicable',
    ],
  ];
  return {
    title: REPORTS.soa.title,
    subtitle: `${m.header.organisation}: ${m.header.programme}`,
    facts: baseFacts(m.header, stamp),
    sections: [
      { heading: 'Summary', facts },
      {
        heading: 'Implementation status by control group',
        chart: {
          title: 'Controls by implementation status',
          categories: groups.map((g) => g.id),
          series: IMPLEMENTATION_SERIES.map((st) => ({
            name: label(st),
            color: STATUS_COLOURS[st],
            values: groups.map((g) => g.counts[st]),
          })),
        },
      },
      { heading: 'Controls', table },
    ],
    sheets: [
      { name: 'Statement of Applicability', table },
      { name: 'Summary', table: { columns: [{ header: 'Item' }, { header: 'Value' }], rows: facts } },
    ],
    csv: {
      columns: [
        'controlId',
        'title',
        'origin',
        'group',
        'applicable',
        'justification',
        'implementationStatus',
        'owner',
        'linkedRiskIds',
        'linkedAiSystemIds',
        'evidenceRefs',
      ].map((header) => ({ header })),
      rows: m.rows.map((r) => [
        r.controlId,
        r.title,
        r.origin,
        r.group,
        r.applicable,
        r.justification,
        r.implementationStatus,
        r.owner ?? '',
        list(r.linkedRiskIds),
        list(r.linkedAiSystemIds),
        list(r.evidenceRefs),
      ]),
    },
    data: { report: identity('soa', '', m.header, stamp), ...m },
  };
}

export const soa: ReportKindBuilder<SoaModel> = {
  reads: [],
  model: (s) => soaModel(s),
  document: (model, stamp) => soaDocument(model, stamp),
  artefactVersion: (model) => model.soa.version,
};
