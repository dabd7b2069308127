/** The gap analysis and roadmap: compliance by clause and control group, prioritised gaps, tasks. */
import {
  CLAUSES,
  CONTROL_GROUPS,
  CONTROLS,
  REQUIREMENTS,
  findRequirement,
} from '../../../domain/catalogue/iso42001';
import { CLAUSE_TITLES } from '../../../domain/catalogue/profiles';
import {
  prioritiseGaps,
  resolveGapScoring,
  isTaskOverdue,
  type ResolvedGapScoring,
  type RoadmapEntry,
} from '../../../domain/gap-scoring';
import type { AssessmentStatus } from '../../../domain/schemas';
import type { RoadmapTask } from '../../../domain/records';
import { REPORTS } from '../../../domain/report-kinds';
import {
  STATUS_COLOURS,
  type Cell,
  type ReportDocument,
  type ReportStamp,
  type Section,
  type Table,
} from '../document';
import { baseFacts, identity } from '../document-header';
import { day, label, list, percent, yesNo } from '../document-parts';
import type { Header } from '../model-parts';
import { currentAssessments, reportHeader, type ReportSources } from '../sources';
import type { ReportKindBuilder } from './definition';

export type StatusCounts = Record<AssessmentStatus | 'not_assessed', number>;

export interface GroupScore {
  id: string;
  title: string;
  counts: StatusCounts;
  /** Share met of the applicable requirements (partial counts half), in percent; null if none applies. */
  compliance: number | null;
}

export interface GapModel {
  kind: 'gap-analysis';
  header: Header;
  scoring: ResolvedGapScoring;
  summary: {
    requirements: number;
    assessed: number;
    counts: StatusCounts;
    gaps: number;
    gapsWithoutTask: number;
    compliance: number | null;
    reusedFrom27001: number;
    openTasks: number;
    overdueTasks: number;
  };
  clauses: GroupScore[];
  controlGroups: GroupScore[];
  gaps: RoadmapEntry[];
  roadmap: (RoadmapTask & { requirementTitle: string; overdue: boolean })[];
  assessments: {
    requirementId: string;
    title: string;
    status: AssessmentStatus | 'not_assessed';
    assessor?: string;
    justification?: string;
    evidence: string[];
    reuseFrom27001: boolean;
  }[];
}

const emptyCounts = (): StatusCounts => ({
  compliant: 0,
  partially_compliant: 0,
  not_compliant: 0,
  not_applicable: 0,
  not_assessed: 0,
});

function compliance(c: StatusCounts): number | null {
  const applicable = c.compliant + c.partially_compliant + c.not_compliant;
  return applicable === 0
    ? null
    : Math.round(((c.compliant + c.partially_compliant / 2) / applicable) * 1000) / 10;
}

function groupScore(
  id: string,
  title: string,
  ids: readonly string[],
  statusOf: (id: string) => AssessmentStatus | 'not_assessed',
): GroupScore {
  const counts = emptyCounts();
  for (const r of ids) counts[statusOf(r)]++;
  return { id, title, counts, compliance: compliance(counts) };
}

export function gapModel(s: ReportSources): GapModel {
  const current = currentAssessments(s.assessments);
  const statusOf = (id: string) => current.get(id)?.status ?? 'not_assessed';
  const counts = emptyCounts();
  for (const r of REQUIREMENTS) counts[statusOf(r.id)]++;
  const gaps = prioritiseGaps([...current.values()], s.tasks, s.programme.config.gapScoring, s.now);
  const clauseNumbers = [...new Set(CLAUSES.map((c) => c.clause))];
  const open = s.tasks.filter((t) => t.status === 'open');
  return {
    kind: 'gap-analysis',
    header: reportHeader(s),
    scoring: resolveGapScoring(s.programme.config.gapScoring),
    summary: {
      requirements: REQUIREMENTS.length,
      assessed: REQUIREMENTS.length - counts.not_assessed,
      counts,
      gaps: gaps.length,
      gapsWithoutTask: gaps.filter((g) => !g.planned).length,
      compliance: compliance(counts),
      reusedFrom27001: [...current.values()].filter((a) => a.reuseFrom27001).length,
      openTasks: open.length,
      overdueTasks: open.filter((t) => isTaskOverdue(t, s.now)).length,
    },
    clauses: clauseNumbers.map((n) =>
      groupScore(
        String(n),
        CLAUSE_TITLES[n],
        CLAUSES.filter((c) => c.clause === n).map((c) => c.id),
        statusOf,
      ),
    ),
    controlGroups: (Object.entries(CONTROL_GROUPS) as [string, string][]).map(([id, title]) =>
      groupScore(
        id,
        title,
        CONTROLS.filter((c) => c.group === id).map((c) => c.id),
        statusOf,
      ),
    ),
    gaps,
    roadmap: [...s.tasks]
      .sort((a, b) => (a.deadline < b.deadline ? -1 : a.deadline > b.deadline ? 1 : a.id < b.id ? -1 : 1))
      .map((t) => ({
        ...t,
        requirementTitle: findRequirement(t.requirementId)?.title ?? t.requirementId,
        overdue: isTaskOverdue(t, s.now),
      })),
    assessments: REQUIREMENTS.map((r) => {
      const a = current.get(r.id);
      return {
        requirementId: r.id,
        title: r.title,
        status: a?.status ?? 'not_assessed',
        ...(a?.assessor ? { assessor: a.assessor } : {}),
        ...(a?.justification ? { justification: a.justification } : {}),
        evidence: a?.evidence ?? [],
        reuseFrom27001: a?.reuseFrom27001 ?? false,
      };
    }),
  };
}

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
    title: REPORTS['gap-analysis'].title,
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

export const gapAnalysis: ReportKindBuilder<GapModel> = {
  reads: [],
  model: (s) => gapModel(s),
  document: (model, stamp) => gapDocument(model, stamp),
};
