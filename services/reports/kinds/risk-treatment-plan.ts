/** The AI risk register and treatment plan, with the sponsor's acceptance of residual risk. */
import type { RiskTreatmentPlanBody } from '../../../domain/schemas';
import { REPORTS } from '../../../domain/report-kinds';
import type { ReportDocument, ReportStamp, Table } from '../document';
import { baseFacts, identity } from '../document-header';
import { approvalText, list } from '../document-parts';
import type { Approval, Header } from '../model-parts';
import { decisionFor, reportHeader, ReportUnavailableError, type ReportSources } from '../sources';
import type { ReportKindBuilder } from './definition';

export interface RiskRow {
  id: string;
  title: string;
  aiSystemIds: string[];
  likelihood: number;
  severity: number;
  inherent: number;
  treatment: string;
  controls: string[];
  residualLikelihood: number;
  residualSeverity: number;
  residual: number;
  owner?: string;
  riskSources: string[];
}

export interface RiskTreatmentModel {
  kind: 'risk-treatment-plan';
  header: Header;
  plan: { version: number; submittedAt: string; sha256: string };
  /** The sponsor's decision on this version: approval of the plan and acceptance of residual risk. */
  acceptance?: Approval;
  summary: { risks: number; byTreatment: Record<string, number>; highInherent: number; highResidual: number };
  risks: RiskRow[];
}

export function riskTreatmentModel(s: ReportSources): RiskTreatmentModel {
  if (!s.riskTreatmentPlan) throw new ReportUnavailableError('no risk treatment plan has been submitted yet');
  const body = s.riskTreatmentPlan.body as RiskTreatmentPlanBody;
  const risks: RiskRow[] = body.risks.map((r) => ({
    id: r.id,
    title: r.title,
    aiSystemIds: r.aiSystemIds,
    likelihood: r.likelihood,
    severity: r.severity,
    inherent: r.likelihood * r.severity,
    treatment: r.treatment,
    controls: r.controls,
    residualLikelihood: r.residualLikelihood,
    residualSeverity: r.residualSeverity,
    residual: r.residualLikelihood * r.residualSeverity,
    ...(r.owner ? { owner: r.owner } : {}),
    riskSources: r.riskSources ?? [],
  }));
  const byTreatment: Record<string, number> = {};
  for (const r of risks) byTreatment[r.treatment] = (byTreatment[r.treatment] ?? 0) + 1;
  const acceptance = decisionFor(s, 'risk_treatment_plan', s.riskTreatmentPlan.version);
  return {
    kind: 'risk-treatment-plan',
    header: reportHeader(s),
    plan: {
      version: s.riskTreatmentPlan.version,
      submittedAt: s.riskTreatmentPlan.submittedAt,
      sha256: s.riskTreatmentPlan.sha256,
    },
    ...(acceptance ? { acceptance } : {}),
    summary: {
      risks: risks.length,
      byTreatment,
      // 15 and above on the 5x5 matrix is the conventional "high" band.
      highInherent: risks.filter((r) => r.inherent >= 15).length,
      highResidual: risks.filter((r) => r.residual >= 15).length,
    },
    risks: [...risks].sort((a, b) => b.inherent - a.inherent || (a.id < b.id ? -1 : 1)),
  };
}

function riskDocument(m: RiskTreatmentModel, stamp: ReportStamp): ReportDocument {
  const table: Table = {
    columns: [
      { header: 'Risk', width: 0.8 },
      { header: 'Title', width: 2 },
      { header: 'AI systems', width: 1 },
      { header: 'L x S', width: 0.6 },
      { header: 'Inherent', width: 0.6 },
      { header: 'Treatment', width: 0.8 },
      { header: 'Controls', width: 1.1 },
      { header: 'Residual L x S', width: 0.8 },
      { header: 'Residual', width: 0.6 },
      { header: 'Owner', width: 1.2 },
      { header: 'Risk sources', width: 0.8 },
    ],
    rows: m.risks.map((r) => [
      r.id,
      r.title,
      list(r.aiSystemIds),
      `${r.likelihood} x ${r.severity}`,
      r.inherent,
      r.treatment,
      list(r.controls),
      `${r.residualLikelihood} x ${r.residualSeverity}`,
      r.residual,
      r.owner ?? '',
      list(r.riskSources),
    ]),
  };
  return {
    title: REPORTS['risk-treatment-plan'].title,
    subtitle: `${m.header.organisation}: ${m.header.programme}`,
    facts: baseFacts(m.header, stamp),
    sections: [
      {
        heading: 'Summary',
        facts: [
          ['Plan version', `${m.plan.version}, submitted ${m.plan.submittedAt}`],
          ['Plan SHA-256', m.plan.sha256],
          ['Residual-risk acceptance', approvalText(m.acceptance, 'Sponsor')],
          [
            'Risks',
            `${m.summary.risks}; ${m.summary.highInherent} high before treatment, ${m.summary.highResidual} high after`,
          ],
          [
            'Treatments',
            Object.entries(m.summary.byTreatment)
              .map(([t, n]) => `${t} ${n}`)
              .join(', '),
          ],
        ],
      },
      { heading: 'Risk register and treatment', table },
    ],
    sheets: [{ name: 'Risks', table }],
    csv: {
      columns: [
        'id',
        'title',
        'aiSystemIds',
        'likelihood',
        'severity',
        'inherent',
        'treatment',
        'controls',
        'residualLikelihood',
        'residualSeverity',
        'residual',
        'owner',
        'riskSources',
      ].map((header) => ({ header })),
      rows: m.risks.map((r) => [
        r.id,
        r.title,
        list(r.aiSystemIds),
        r.likelihood,
        r.severity,
        r.inherent,
        r.treatment,
        list(r.controls),
        r.residualLikelihood,
        r.residualSeverity,
        r.residual,
        r.owner ?? '',
        list(r.riskSources),
      ]),
    },
    data: { report: identity('risk-treatment-plan', '', m.header, stamp), ...m },
  };
}

export const riskTreatmentPlan: ReportKindBuilder<RiskTreatmentModel> = {
  reads: [],
  model: (s) => riskTreatmentModel(s),
  document: (model, stamp) => riskDocument(model, stamp),
  artefactVersion: (model) => model.plan.version,
};
