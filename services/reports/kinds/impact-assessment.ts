/** The impact assessment of one AI system (the report key is its id). */
import type { ImpactAssessmentBody, ScopeBody } from '../../../domain/schemas';
import { REPORTS } from '../../../domain/report-kinds';
import type { ReportDocument, ReportStamp } from '../document';
import { baseFacts, identity } from '../document-header';
import { day, list, yesNo } from '../document-parts';
import type { Header } from '../model-parts';
import { reportHeader, ReportUnavailableError, type ReportSources } from '../sources';
import type { ReportKindBuilder } from './definition';

export interface ImpactAssessmentModel {
  kind: 'impact-assessment';
  header: Header;
  aiSystem: { id: string; name: string; inScope: boolean | null };
  assessment: { version: number; submittedAt: string; sha256: string };
  body: ImpactAssessmentBody;
  riskLevel: number;
}

export function impactAssessmentModel(s: ReportSources, aiSystemId: string): ImpactAssessmentModel {
  if (!s.impactAssessment)
    throw new ReportUnavailableError(
      `no impact assessment of AI system ${aiSystemId} has been submitted yet`,
    );
  const body = s.impactAssessment.body as ImpactAssessmentBody;
  const scoped = (s.scope?.body as ScopeBody | undefined)?.aiSystems.find((a) => a.id === aiSystemId);
  const inventoried = s.inventory?.systems.find((a) => a.id === aiSystemId);
  return {
    kind: 'impact-assessment',
    header: reportHeader(s),
    aiSystem: {
      id: aiSystemId,
      name: scoped?.name ?? inventoried?.name ?? aiSystemId,
      inScope: scoped?.inScope ?? inventoried?.inScope ?? null,
    },
    assessment: {
      version: s.impactAssessment.version,
      submittedAt: s.impactAssessment.submittedAt,
      sha256: s.impactAssessment.sha256,
    },
    body,
    riskLevel: body.likelihood * body.severity,
  };
}

function impactDocument(m: ImpactAssessmentModel, stamp: ReportStamp): ReportDocument {
  const b = m.body;
  const bullets = (items: readonly string[] | undefined) =>
    items && items.length > 0 ? items.map((i) => `- ${i}`) : ['- none recorded'];
  const facts: [string, string][] = [
    ['AI system', `${m.aiSystem.name} (${m.aiSystem.id})`],
    ['In scope', m.aiSystem.inScope === null ? 'unknown' : yesNo(m.aiSystem.inScope)],
    ['Assessment version', `${m.assessment.version}, submitted ${m.assessment.submittedAt}`],
    ['Assessment SHA-256', m.assessment.sha256],
  ];
  return {
    title: REPORTS['impact-assessment'].title,
    subtitle: `${m.aiSystem.name}: ${m.header.organisation}`,
    facts: baseFacts(m.header, stamp),
    sections: [
      { heading: 'Assessment', facts },
      { heading: 'Intended use', paragraphs: [b.intendedUse] },
      { heading: 'Reasonably foreseeable misuse', paragraphs: [b.foreseeableMisuse] },
      {
        heading: 'Affected parties',
        paragraphs: [
          ...bullets(b.affectedParties),
          ...(b.vulnerableGroups?.length ? ['Vulnerable groups:', ...bullets(b.vulnerableGroups)] : []),
        ],
      },
      { heading: 'Harms to individuals and groups', paragraphs: bullets(b.harms) },
      { heading: 'Benefits to individuals and groups', paragraphs: bullets(b.benefits) },
      { heading: 'Harms to society', paragraphs: bullets(b.societalHarms) },
      { heading: 'Benefits to society', paragraphs: bullets(b.societalBenefits) },
      {
        heading: 'Likelihood and severity',
        facts: [
          ['Likelihood (1-5)', String(b.likelihood)],
          ['Severity (1-5)', String(b.severity)],
          ['Risk level', String(m.riskLevel)],
        ],
      },
      { heading: 'Measures', paragraphs: bullets(b.measures) },
      {
        heading: 'Context',
        facts: [
          ['Data', b.dataDescription ?? 'not described'],
          ['Deployment', b.deploymentContext ?? 'not described'],
          ['Jurisdictions', list(b.jurisdictions ?? []) || 'not stated'],
          ['Linked risks', list(b.linkedRiskIds ?? []) || 'none'],
        ],
      },
      {
        heading: 'Responsibility and approval',
        facts: [
          ['Responsible', b.responsible ?? 'not named'],
          [
            'Approved',
            b.approvedBy && b.approvedOn ? `by ${b.approvedBy} on ${day(b.approvedOn)}` : 'not yet approved',
          ],
          ['Next review', b.reviewDue ? day(b.reviewDue) : 'not planned'],
        ],
      },
    ],
    sheets: [
      {
        name: 'Impact assessment',
        table: { columns: [{ header: 'Item' }, { header: 'Value' }], rows: facts },
      },
    ],
    csv: { columns: [{ header: 'item' }, { header: 'value' }], rows: facts },
    data: { report: identity('impact-assessment', m.aiSystem.id, m.header, stamp), ...m },
  };
}

export const impactAssessment: ReportKindBuilder<ImpactAssessmentModel> = {
  reads: ['impactAssessment'],
  model: (s, key) => impactAssessmentModel(s, key),
  document: (model, stamp) => impactDocument(model, stamp),
  artefactVersion: (model) => model.assessment.version,
};
