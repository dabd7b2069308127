/**
 * Lays each report model out as a ReportDocument: the sections a person reads in the PDF, the
 * sheets of the working XLSX, the CSV list and the JSON data. Wording is ours; every number
 * comes from the model.
 */
import {
  STATUS_COLOURS,
  type Cell,
  type ReportDocument,
  type ReportStamp,
  type Section,
  type Table,
} from './document';
import { internalAuditDocument, managementReviewDocument } from './audit-reports';
import { baseFacts, identity } from './document-header';
import { REPORT_TITLES } from '../../domain/report-kinds';
import type {
  Approval,
  GapModel,
  GroupScore,
  ImpactAssessmentModel,
  InventoryModel,
  ReportModel,
  RiskTreatmentModel,
  SoaModel,
} from './models';

export const STATUS_LABELS: Record<string, string> = {
  compliant: 'Compliant',
  partially_compliant: 'Partially compliant',
  not_compliant: 'Not compliant',
  not_applicable: 'Not applicable',
  not_assessed: 'Not assessed',
  implemented: 'Implemented',
  partially_implemented: 'Partially implemented',
  planned: 'Planned',
  not_implemented: 'Not implemented',
  excluded: 'Excluded',
};

const label = (status: string) => STATUS_LABELS[status] ?? status;
const list = (values: readonly string[]) => values.join('; ');
const yesNo = (value: boolean) => (value ? 'Yes' : 'No');
const percent = (value: number | null) => (value === null ? 'n/a' : `${value} %`);
const day = (iso: string) => iso.slice(0, 10);

function approvalText(a: Approval | undefined, what: string): string {
  if (!a) return `${what}: no decision recorded for this version yet`;
  return `${what}: ${a.outcome.replace('_', ' ')} by ${a.approver} on ${day(a.decidedAt)}${a.comment ? ` (${a.comment})` : ''}`;
}

// ---------------------------------------------------------------- gap analysis

const STATUS_SERIES = [
  'compliant',
  'partially_compliant',
  'not_compliant',
  'not_applicable',
  'not_assessed',
] as const;

function scoreTable(groups: GroupScore[], first: string): Table {
  return {
    columns: [
      { header: first, width: 0.7 },
      { header: 'Title', width: 2.6 },
      { header: 'Compliant' },
      { header: 'Partial' },
      { header: 'Not compliant' },
      { header: 'N/A' },
      { header: 'Not assessed' },
      { header: 'Compliance' },
    ],
    rows: groups.map((g) => [
      g.id,
      g.title,
      g.counts.compliant,
      g.counts.partially_compliant,
      g.counts.not_compliant,
      g.counts.not_applicable,
      g.counts.not_assessed,
      percent(g.compliance),
    ]),
  };
}

function gapDocument(m: GapModel, stamp: ReportStamp): ReportDocument {
  const s = m.summary;
  const top = m.gaps.slice(0, 5).map((g) => `${g.requirementId} (${g.score})`);
  const w = m.scoring.weights;
  const boosts = Object.entries(m.scoring.objectiveBoost).filter(([, b]) => b > 1);
  const gapRows: Cell[][] = m.gaps.map((g) => [
    g.rank,
    g.requirementId,
    g.title,
    label(g.status),
    g.score,
    `${g.factors.inherentRisk}/${g.factors.regulatoryExposure}/${g.factors.customerTrust}/${g.factors.implementationComplexity}`,
    g.boost === 1 ? '' : `x${g.boost} (${g.boostedBy.join(', ')})`,
    g.tasks.length === 0
      ? 'no task'
      : list(g.tasks.map((t) => `${t.id} ${t.owner} ${day(t.deadline)} ${t.overdue ? 'OVERDUE' : t.status}`)),
  ]);
  const roadmapRows: Cell[][] = m.roadmap.map((t) => [
    day(t.deadline),
    t.id,
    t.title,
    t.requirementId,
    t.owner,
    t.status,
    t.overdue ? 'overdue' : '',
  ]);
  const roadmapTable: Table = {
    columns: [
      { header: 'Deadline', width: 0.9 },
      { header: 'Task', width: 0.6 },
      { header: 'Title', width: 2.4 },
      { header: 'Requirement', width: 0.9 },
      { header: 'Owner', width: 1.6 },
      { header: 'Status', width: 0.8 },
      { header: 'Overdue', width: 0.7 },
    ],
    rows: roadmapRows,
  };
  const sections: Section[] = [
    {
      heading: 'Executive summary',
      paragraphs: [
        `${s.assessed} of ${s.requirements} requirements (clauses 4-10 and Annex A) are assessed; overall compliance is ${percent(s.compliance)} of the applicable requirements.`,
        `${s.gaps} gaps: ${s.counts.not_compliant} not compliant and ${s.counts.partially_compliant} partially compliant; ${s.gapsWithoutTask} still without a roadmap task.`,
        `${s.openTasks} roadmap tasks are open, ${s.overdueTasks} of them overdue. ${s.reusedFrom27001} management-system clauses reuse ISO/IEC 27001 evidence.`,
        top.length > 0 ? `Highest-priority gaps: ${top.join(', ')}.` : 'No gaps were found.',
      ],
      facts: [
        [
          'Scoring weights',
          `inherent risk ${w.inherentRisk}, regulatory exposure ${w.regulatoryExposure}, customer trust ${w.customerTrust}, implementation complexity ${w.implementationComplexity}`,
        ],
        ['Objective boosts', boosts.length === 0 ? 'none' : boosts.map(([o, b]) => `${o} x${b}`).join(', ')],
      ],
    },
    {
      heading: 'Status by control group',
      chart: {
        title: 'Annex A controls by assessment status',
        categories: m.controlGroups.map((g) => g.id),
        series: STATUS_SERIES.map((st) => ({
          name: label(st),
          color: STATUS_COLOURS[st],
          values: m.controlGroups.map((g) => g.counts[st]),
        })),
      },
    },
    { heading: 'Scores by clause', table: scoreTable(m.clauses, 'Clause') },
    { heading: 'Scores by Annex A control group', table: scoreTable(m.controlGroups, 'Group') },
    {
      heading: 'Prioritised gap list',
      paragraphs: [
        'Factors: inherent risk / regulatory exposure / customer trust / implementation complexity (1-5).',
      ],
      table: {
        columns: [
          { header: 'Rank', width: 0.45 },
          { header: 'Requirement', width: 0.85 },
          { header: 'Title', width: 2.2 },
          { header: 'Status', width: 1.1 },
          { header: 'Score', width: 0.55 },
          { header: 'Factors', width: 0.75 },
          { header: 'Boost', width: 0.8 },
          { header: 'Roadmap tasks', width: 2.3 },
        ],
        rows: gapRows,
      },
    },
    { heading: 'Roadmap', table: roadmapTable },
  ];
  const csv: Table = {
    columns: [
      'rank',
      'requirementId',
      'title',
      'kind',
      'status',
      'score',
      'inherentRisk',
      'regulatoryExposure',
      'customerTrust',
      'implementationComplexity',
      'boost',
      'boostedBy',
      'reuseFrom27001',
      'taskIds',
      'owners',
      'deadlines',
      'overdue',
    ].map((header) => ({ header })),
    rows: m.gaps.map((g) => [
      g.rank,
      g.requirementId,
      g.title,
      g.kind,
      g.status,
      g.score,
      g.factors.inherentRisk,
      g.factors.regulatoryExposure,
      g.factors.customerTrust,
      g.factors.implementationComplexity,
      g.boost,
      list(g.boostedBy),
      g.reuseFrom27001,
      list(g.tasks.map((t) => t.id)),
      list([...new Set(g.tasks.map((t) => t.owner))]),
      list(g.tasks.map((t) => day(t.deadline))),
      g.tasks.some((t) => t.overdue),
    ]),
  };
  return {
    title: REPORT_TITLES['gap-analysis'],
    subtitle: `${m.header.organisation}: ${m.header.programme}`,
    facts: baseFacts(m.header, stamp),
    sections,
    sheets: [
      { name: 'Prioritised gaps', table: csv },
      { name: 'Roadmap', table: roadmapTable },
      { name: 'Scores by clause', table: scoreTable(m.clauses, 'Clause') },
      { name: 'Scores by control group', table: scoreTable(m.controlGroups, 'Group') },
      {
        name: 'Assessments',
        table: {
          columns: [
            'Requirement',
            'Title',
            'Status',
            'Assessor',
            'Justification',
            'Evidence',
            'Reuses ISO 27001',
          ].map((header) => ({ header })),
          rows: m.assessments.map((a) => [
            a.requirementId,
            a.title,
            label(a.status),
            a.assessor ?? '',
            a.justification ?? '',
            list(a.evidence),
            yesNo(a.reuseFrom27001),
          ]),
        },
      },
    ],
    csv,
    data: { report: identity('gap-analysis', '', m.header, stamp), ...m },
  };
}

// ---------------------------------------------------------------- Statement of Applicability

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
    title: REPORT_TITLES.soa,
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

// ---------------------------------------------------------------- risk treatment plan

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
    title: REPORT_TITLES['risk-treatment-plan'],
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

// ---------------------------------------------------------------- impact assessment

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
    title: REPORT_TITLES['impact-assessment'],
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

// ---------------------------------------------------------------- inventory

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
    title: REPORT_TITLES.inventory,
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

/** `key` names the report instance (AI system, cycle); '' when the kind has one per programme. */
export function toDocument(model: ReportModel, stamp: ReportStamp, key = ''): ReportDocument {
  switch (model.kind) {
    case 'gap-analysis':
      return gapDocument(model, stamp);
    case 'soa':
      return soaDocument(model, stamp);
    case 'risk-treatment-plan':
      return riskDocument(model, stamp);
    case 'impact-assessment':
      return impactDocument(model, stamp);
    case 'inventory':
      return inventoryDocument(model, stamp);
    case 'internal-audit':
      return internalAuditDocument(model, key, stamp);
    case 'management-review':
      return managementReviewDocument(model, stamp);
  }
}
