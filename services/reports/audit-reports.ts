/**
 * The internal audit report (clause 9.2 results with the corrective actions of 10.2) and the
 * management review minutes (9.3): their models, built from the programme's records, and their
 * layout as a ReportDocument. Pure and deterministic like the other reports: the same records
 * give the same model, so a new version is stored only when something changed.
 */
import { CLAUSES, CONTROLS, findRequirement } from '../../domain/catalogue/iso42001';
import { cycleOfStepKey } from '../../domain/queries';
import type { AuditProgrammeBody, FindingGrade, ManagementReviewBody, SoaEntry } from '../../domain/schemas';
import type { AuditRecord, Finding } from '../../domain/records';
import type { ReviewInputs } from '../../domain/kpis/management-review-inputs';
import type { ReportDocument, ReportStamp, Section, Table } from './document';
import { baseFacts, identity } from './document-header';
import { CYCLE_KEY, REPORTS } from '../../domain/report-kinds';
import type { Approval, Header, StoredArtefactLike } from './model-parts';
import { decisionText } from './document-parts';

/** An evidence register entry as the audit reports cite it. */
export interface EvidenceRef {
  id: string;
  key: string;
  version: number;
  title: string;
  sha256: string;
  requirementIds: string[];
  createdAt: string;
}

/** What the two reports read besides the common header. */
export interface AuditReportSources {
  header: Header;
  /** The programme's current cycle. */
  cycle: number;
  audits: AuditRecord[];
  findings: Finding[];
  evidence: EvidenceRef[];
  soa?: StoredArtefactLike;
  /** The internal audit programme (planned audits with scope and auditor), when one was submitted. */
  auditProgramme?: StoredArtefactLike;
  managementReview?: StoredArtefactLike;
  /** The decision on the management_review gate for each review version. */
  signOff?: Approval;
  /** Inputs compiled from the records (kpi/management-review-inputs), earlier reviews only. */
  reviewInputs?: ReviewInputs;
  now: number;
}

/** A report cannot be built yet; the API answers 409 with the reason. */
export class AuditReportUnavailable extends Error {}

const requirementTitle = (id: string) => findRequirement(id)?.title ?? id;
const day = (iso: string | undefined) => (iso ? iso.slice(0, 10) : '');
const list = (values: readonly string[]) => values.join('; ');
const pct = (ratio: number | null) => (ratio === null ? 'n/a' : `${Math.round(ratio * 1000) / 10} %`);

export const GRADE_LABELS: Record<FindingGrade, string> = {
  major_nc: 'Major nonconformity',
  minor_nc: 'Minor nonconformity',
  observation: 'Observation',
  ofi: 'Opportunity for improvement',
  conformity: 'Conformity',
};
const GRADE_ORDER: FindingGrade[] = ['major_nc', 'minor_nc', 'observation', 'ofi', 'conformity'];
const isNc = (f: Finding) => f.grade === 'major_nc' || f.grade === 'minor_nc';

// ---------------------------------------------------------------- internal audit report

export interface AuditedAudit {
  id: string;
  stepKey: string;
  firstDay: string;
  lastDay: string;
  auditors: { name: string; email: string }[];
  independent: boolean;
  independenceStatement?: string;
  /** What the auditor is responsible for (and so may not audit). */
  auditorResponsibleFor: string[];
  /** The planned audit of the audit programme this audit held. */
  planId?: string;
  /** Requirement ids the audit covered. */
  scope: string[];
  /** 'recorded' when the audit named its scope; 'findings' when it is derived from its findings. */
  scopeBasis: 'recorded' | 'findings';
}

export interface CorrectiveActionRow {
  correction: string;
  rootCause: string;
  action: string;
  owner: string;
  due: string;
  recordedAt: string;
  overdue: boolean;
  /** Evidence register entries the action names, or that support the requirement since the finding. */
  evidence: { id: string; key: string; version: number; title: string; sha256: string }[];
}

export interface AuditFindingRow {
  id: string;
  auditId: string;
  grade: FindingGrade;
  requirementId: string;
  requirementTitle: string;
  description: string;
  status: Finding['status'];
  raisedAt: string;
  correctiveAction?: CorrectiveActionRow;
  verification?: {
    verifiedBy: string;
    verifiedAt: string;
    note?: string;
    effective: boolean;
    closureApprovedBy?: string;
  };
  /** When the finding was closed: its verification. */
  closedAt?: string;
}

export interface PlannedAuditRow {
  id: string;
  title: string;
  scope: string[];
  auditor: string;
  plannedOn: string;
  status: 'planned' | 'overdue' | 'held';
  auditId?: string;
}

export interface InternalAuditModel {
  kind: 'internal-audit';
  header: Header;
  cycle: number;
  audits: AuditedAudit[];
  /** The audit programme's planned audits, when a programme was submitted. */
  plan?: { version: number; audits: PlannedAuditRow[] };
  findings: AuditFindingRow[];
  summary: {
    byGrade: Record<FindingGrade, number>;
    openNonconformities: number;
    openMajor: number;
    correctiveActions: { planned: number; verified: number; overdue: number; missing: number };
  };
  coverage: {
    required: number;
    audited: number;
    ratio: number;
    basis: 'soa' | 'all-controls';
    notAudited: string[];
  };
  conclusion: string[];
}

function auditScope(
  a: AuditRecord,
  findings: readonly Finding[],
): Pick<AuditedAudit, 'scope' | 'scopeBasis'> {
  const recorded = a.scope;
  if (recorded && recorded.length > 0)
    return { scope: [...new Set(recorded)].sort(), scopeBasis: 'recorded' };
  const fromFindings = findings.filter((f) => f.auditId === a.id).map((f) => f.requirementId);
  return { scope: [...new Set(fromFindings)].sort(), scopeBasis: 'findings' };
}

function evidenceFor(f: Finding, evidence: readonly EvidenceRef[]): CorrectiveActionRow['evidence'] {
  const ca = f.correctiveAction;
  if (!ca) return [];
  const named = new Set([...(ca.evidenceIds ?? []), ...(f.verification?.evidenceIds ?? [])]);
  const picked =
    named.size > 0
      ? evidence.filter((e) => named.has(e.id) || named.has(e.key))
      : evidence.filter((e) => e.requirementIds.includes(f.requirementId) && e.createdAt >= f.raisedAt);
  return picked
    .map((e) => ({ id: e.id, key: e.key, version: e.version, title: e.title, sha256: e.sha256 }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.version - b.version));
}

/** The internal audits of one cycle: `key` 'c<n>', or '' for the latest cycle with an internal audit. */
export function internalAuditModel(s: AuditReportSources, key: string): InternalAuditModel {
  const internal = s.audits.filter((a) => a.audit === 'internal');
  if (internal.length === 0) throw new AuditReportUnavailable('no internal audit has been recorded yet');
  const asked = CYCLE_KEY.exec(key);
  const cycle = asked ? Number(asked[1]) : Math.max(...internal.map((a) => cycleOfStepKey(a.stepKey)));
  const audits = internal.filter((a) => cycleOfStepKey(a.stepKey) === cycle);
  if (audits.length === 0)
    throw new AuditReportUnavailable(`no internal audit has been recorded in cycle ${cycle}`);
  const ids = new Set(audits.map((a) => a.id));
  const findings = s.findings.filter((f) => ids.has(f.auditId));
  const rows: AuditFindingRow[] = findings
    .map((f): AuditFindingRow => {
      const ca = f.correctiveAction;
      return {
        id: f.id,
        auditId: f.auditId,
        grade: f.grade,
        requirementId: f.requirementId,
        requirementTitle: requirementTitle(f.requirementId),
        description: f.description,
        status: f.status,
        raisedAt: f.raisedAt,
        ...(ca
          ? {
              correctiveAction: {
                correction: ca.correction,
                rootCause: ca.rootCause,
                action: ca.action,
                owner: ca.owner,
                due: ca.due,
                recordedAt: ca.recordedAt,
                overdue: f.status === 'action_planned' && Date.parse(ca.due) < s.now,
                evidence: evidenceFor(f, s.evidence),
              },
            }
          : {}),
        ...(f.verification
          ? {
              verification: {
                verifiedBy: f.verification.verifiedBy,
                verifiedAt: f.verification.verifiedAt,
                ...(f.verification.note ? { note: f.verification.note } : {}),
                effective: f.verification.effective !== false,
                ...(f.verification.closureApprovedBy
                  ? { closureApprovedBy: f.verification.closureApprovedBy }
                  : {}),
              },
              closedAt: f.verification.verifiedAt,
            }
          : {}),
      };
    })
    .sort(
      (a, b) =>
        GRADE_ORDER.indexOf(a.grade) - GRADE_ORDER.indexOf(b.grade) ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
  const byGrade = Object.fromEntries(GRADE_ORDER.map((g) => [g, 0])) as Record<FindingGrade, number>;
  for (const f of findings) byGrade[f.grade]++;
  const ncs = findings.filter(isNc);
  const open = ncs.filter((f) => f.status === 'open' || f.status === 'action_planned');
  const overdue = rows.filter((r) => r.correctiveAction?.overdue).length;

  const soa = (s.soa?.body as { entries?: SoaEntry[] } | undefined)?.entries;
  const applicable = soa
    ? soa.filter((e) => e.applicable).map((e) => e.controlId)
    : CONTROLS.map((c) => c.id);
  const universe = [...CLAUSES.map((c) => c.id), ...applicable.filter((id) => findRequirement(id))];
  const auditedAudits = audits.map((a): AuditedAudit => {
    const { independence, planId } = a;
    return {
      id: a.id,
      stepKey: a.stepKey,
      firstDay: a.firstDay,
      lastDay: a.lastDay,
      auditors: a.auditors,
      independent: a.independent,
      ...(independence ? { independenceStatement: independence.statement } : {}),
      auditorResponsibleFor: independence?.auditorResponsibleFor ?? [],
      ...(planId ? { planId } : {}),
      ...auditScope(a, findings),
    };
  });
  const planned = (s.auditProgramme?.body as AuditProgrammeBody | undefined)?.audits;
  const plan = planned
    ? {
        version: s.auditProgramme?.version ?? 0,
        audits: planned.map((p): PlannedAuditRow => {
          const held = auditedAudits.find((a) => a.planId === p.id);
          return {
            id: p.id,
            title: p.title,
            scope: p.scope,
            auditor: p.auditor.email,
            plannedOn: p.plannedOn,
            status: held ? 'held' : Date.parse(p.plannedOn) <= s.now ? 'overdue' : 'planned',
            ...(held ? { auditId: held.id } : {}),
          };
        }),
      }
    : undefined;
  const covered = new Set(auditedAudits.flatMap((a) => a.scope));
  const notAudited = universe.filter((id) => !covered.has(id));
  const ratio = universe.length === 0 ? 1 : (universe.length - notAudited.length) / universe.length;
  const openMajor = open.filter((f) => f.grade === 'major_nc').length;
  const missing = ncs.filter((f) => f.status === 'open').length;

  const conclusion: string[] = [];
  if (openMajor > 0)
    conclusion.push(
      `The AIMS is not yet effectively implemented: ${openMajor} major nonconformit${openMajor === 1 ? 'y is' : 'ies are'} not verified as corrected.`,
    );
  else if (open.length > 0)
    conclusion.push(
      `The AIMS conforms to ISO/IEC 42001 subject to ${open.length} minor nonconformit${open.length === 1 ? 'y' : 'ies'} whose corrective action${open.length === 1 ? ' is' : 's are'} still to be verified.`,
    );
  else
    conclusion.push(
      ncs.length > 0
        ? `The AIMS conforms to ISO/IEC 42001: all ${ncs.length} nonconformities raised were corrected and verified.`
        : 'The AIMS conforms to ISO/IEC 42001: no nonconformity was raised.',
    );
  if (missing > 0)
    conclusion.push(
      `${missing} nonconformit${missing === 1 ? 'y has' : 'ies have'} no corrective action yet.`,
    );
  if (overdue > 0)
    conclusion.push(`${overdue} corrective action${overdue === 1 ? ' is' : 's are'} past due.`);
  conclusion.push(
    notAudited.length === 0
      ? 'The audit programme covered every clause and applicable control this cycle.'
      : `The audit programme covered ${universe.length - notAudited.length} of ${universe.length} clauses and applicable controls (${pct(ratio)}); the rest must be audited before the cycle ends.`,
  );
  if (auditedAudits.some((a) => !a.independent))
    conclusion.push(
      'At least one audit was not performed independently of the audited area; its results carry less weight.',
    );

  return {
    kind: 'internal-audit',
    header: s.header,
    cycle,
    audits: auditedAudits,
    ...(plan ? { plan } : {}),
    findings: rows,
    summary: {
      byGrade,
      openNonconformities: open.length,
      openMajor,
      correctiveActions: {
        planned: ncs.filter((f) => f.status === 'action_planned').length,
        verified: ncs.filter((f) => f.status === 'verified').length,
        overdue,
        missing,
      },
    },
    coverage: {
      required: universe.length,
      audited: universe.length - notAudited.length,
      ratio: Math.round(ratio * 1000) / 1000,
      basis: soa ? 'soa' : 'all-controls',
      notAudited,
    },
    conclusion,
  };
}

// ---------------------------------------------------------------- management review minutes

export interface ManagementReviewModel {
  kind: 'management-review';
  header: Header;
  review: {
    version: number;
    submittedAt: string;
    sha256: string;
    heldOn: string;
    attendees: { name: string; email: string }[];
    submittedBy?: string;
  };
  signOff?: Approval;
  inputs: ReviewInputs;
  outputs: {
    topic: string;
    decision: string;
    owner?: string;
    due?: string;
    resources?: string;
  }[];
}

export function managementReviewModel(s: AuditReportSources): ManagementReviewModel {
  if (!s.managementReview) throw new AuditReportUnavailable('no management review has been submitted yet');
  if (!s.reviewInputs) throw new Error('management review inputs were not compiled');
  const body = s.managementReview.body as ManagementReviewBody;
  return {
    kind: 'management-review',
    header: s.header,
    review: {
      version: s.managementReview.version,
      submittedAt: s.managementReview.submittedAt,
      sha256: s.managementReview.sha256,
      heldOn: body.heldOn,
      attendees: body.attendees.map((p) => ({ name: p.name, email: p.email })),
      ...(body.submittedBy ? { submittedBy: body.submittedBy } : {}),
    },
    ...(s.signOff ? { signOff: s.signOff } : {}),
    inputs: s.reviewInputs,
    outputs: body.decisions.map((d) => ({
      topic: d.topic,
      decision: d.decision,
      ...(d.owner ? { owner: d.owner } : {}),
      ...(d.due ? { due: d.due } : {}),
      ...(d.resources ? { resources: d.resources } : {}),
    })),
  };
}

// ---------------------------------------------------------------- documents

const itemTable = (rows: [string, string][]): Table => ({
  columns: [{ header: 'Item' }, { header: 'Value' }],
  rows,
});

export function internalAuditDocument(
  m: InternalAuditModel,
  key: string,
  stamp: ReportStamp,
): ReportDocument {
  const auditsTable: Table = {
    columns: [
      { header: 'Audit', width: 0.9 },
      { header: 'Dates', width: 1.1 },
      { header: 'Auditors', width: 1.3 },
      { header: 'Independent', width: 0.7 },
      { header: 'Independence statement', width: 2 },
      { header: 'Auditor responsible for', width: 1 },
      { header: 'Scope', width: 3 },
    ],
    rows: m.audits.map((a) => [
      a.id,
      a.firstDay.slice(0, 10) === a.lastDay.slice(0, 10)
        ? day(a.lastDay)
        : `${day(a.firstDay)} to ${day(a.lastDay)}`,
      list(a.auditors.map((p) => `${p.name} <${p.email}>`)),
      a.independent ? 'Yes' : 'No',
      a.independenceStatement ?? 'not recorded',
      list(a.auditorResponsibleFor) || 'nothing declared',
      `${a.planId ? `plan ${a.planId}: ` : ''}${list(a.scope)}${a.scopeBasis === 'findings' ? ' (from its findings)' : ''}`,
    ]),
  };
  const findingsTable: Table = {
    columns: [
      { header: 'Finding', width: 0.6 },
      { header: 'Grade', width: 1.1 },
      { header: 'Requirement', width: 1.5 },
      { header: 'Description', width: 2.6 },
      { header: 'Status', width: 0.8 },
      { header: 'Raised', width: 0.7 },
    ],
    rows: m.findings.map((f) => [
      f.id,
      GRADE_LABELS[f.grade],
      `${f.requirementId} ${f.requirementTitle}`,
      f.description,
      f.status.replace('_', ' '),
      day(f.raisedAt),
    ]),
  };
  const withActions = m.findings.filter(
    (f) => f.correctiveAction || f.grade === 'major_nc' || f.grade === 'minor_nc',
  );
  const actionsTable: Table = {
    columns: [
      { header: 'Finding', width: 0.55 },
      { header: 'Correction', width: 1.4 },
      { header: 'Root cause', width: 1.4 },
      { header: 'Corrective action', width: 1.5 },
      { header: 'Owner', width: 1.1 },
      { header: 'Deadline', width: 0.7 },
      { header: 'Evidence', width: 1.5 },
      { header: 'Verification', width: 1.3 },
      { header: 'Closed', width: 0.65 },
    ],
    rows: withActions.map((f) => {
      const ca = f.correctiveAction;
      return [
        f.id,
        ca?.correction ?? 'NO CORRECTIVE ACTION YET',
        ca?.rootCause ?? '',
        ca?.action ?? '',
        ca?.owner ?? '',
        ca ? `${day(ca.due)}${ca.overdue ? ' OVERDUE' : ''}` : '',
        ca
          ? list(
              ca.evidence.map((e) => `${e.title} (${e.key} v${e.version}, sha256 ${e.sha256.slice(0, 12)})`),
            ) || 'none'
          : '',
        f.verification
          ? `${f.verification.effective ? 'effective' : 'NOT effective'}, by ${f.verification.verifiedBy} on ${day(f.verification.verifiedAt)}${f.verification.note ? `: ${f.verification.note}` : ''}${f.verification.closureApprovedBy ? `; closure approved by ${f.verification.closureApprovedBy}` : ''}`
          : 'not verified',
        day(f.closedAt),
      ];
    }),
  };
  const sm = m.summary;
  const sections: Section[] = [
    { heading: 'Conclusion', paragraphs: m.conclusion },
    {
      heading: 'Summary',
      facts: [
        ['Cycle', String(m.cycle)],
        ['Audits', String(m.audits.length)],
        ['Findings', GRADE_ORDER.map((g) => `${GRADE_LABELS[g]} ${sm.byGrade[g]}`).join(', ')],
        ['Open nonconformities', `${sm.openNonconformities} (${sm.openMajor} major)`],
        [
          'Corrective actions',
          `${sm.correctiveActions.planned} planned, ${sm.correctiveActions.verified} verified, ${sm.correctiveActions.overdue} overdue, ${sm.correctiveActions.missing} missing`,
        ],
        [
          'Audit programme coverage',
          `${m.coverage.audited} of ${m.coverage.required} clauses and applicable controls audited (${pct(m.coverage.ratio)})`,
        ],
      ],
    },
    { heading: 'Audits', table: auditsTable },
    ...(m.plan
      ? [
          {
            heading: `Internal audit programme (version ${m.plan.version})`,
            table: {
              columns: [
                { header: 'Planned audit', width: 0.8 },
                { header: 'Title', width: 1.6 },
                { header: 'Auditor', width: 1.2 },
                { header: 'Planned on', width: 0.7 },
                { header: 'Status', width: 0.9 },
                { header: 'Scope', width: 3 },
              ],
              rows: m.plan.audits.map((p) => [
                p.id,
                p.title,
                p.auditor,
                day(p.plannedOn),
                p.auditId ? `held (${p.auditId})` : p.status,
                list(p.scope),
              ]),
            },
          },
        ]
      : []),
    { heading: 'Findings by grade', table: findingsTable },
    {
      heading: 'Corrective actions',
      paragraphs:
        withActions.length === 0 ? ['No nonconformity was raised, so no corrective action was needed.'] : [],
      ...(withActions.length > 0 ? { table: actionsTable } : {}),
    },
    {
      heading: 'Audit programme coverage',
      paragraphs: [
        `Required: every clause of 4-10 and every ${m.coverage.basis === 'soa' ? 'control the SoA declares applicable' : 'Annex A control (no SoA yet)'}.`,
        m.coverage.notAudited.length === 0
          ? 'Nothing remains to be audited.'
          : `Not yet audited: ${m.coverage.notAudited.join(', ')}.`,
      ],
    },
  ];
  return {
    title: REPORTS['internal-audit'].title,
    subtitle: `${m.header.organisation}: ${m.header.programme}, cycle ${m.cycle}`,
    facts: baseFacts(m.header, stamp),
    sections,
    sheets: [{ name: 'Findings', table: findingsTable }],
    csv: findingsTable,
    data: { report: identity('internal-audit', key, m.header, stamp), ...m },
  };
}

export function managementReviewDocument(m: ManagementReviewModel, stamp: ReportStamp): ReportDocument {
  const i = m.inputs;
  const k = i.performance.latestKpis;
  const bullets = (items: string[], none: string) => (items.length > 0 ? items.map((x) => `- ${x}`) : [none]);
  const outputs: Table = {
    columns: [
      { header: 'Topic', width: 1 },
      { header: 'Decision', width: 2.4 },
      { header: 'Resources', width: 1.6 },
      { header: 'Owner', width: 1.2 },
      { header: 'Due', width: 0.7 },
    ],
    rows: m.outputs.map((d) => [
      d.topic,
      d.decision,
      d.resources ?? 'none stated',
      d.owner ?? 'not assigned',
      day(d.due),
    ]),
  };
  const signOff = m.signOff ? decisionText(m.signOff) : 'awaiting the decision of top management';
  const sections: Section[] = [
    {
      heading: 'Meeting',
      facts: [
        ['Held on', day(m.review.heldOn)],
        ['Attendees', list(m.review.attendees.map((p) => `${p.name} <${p.email}>`))],
        [
          'Record',
          `version ${m.review.version}, submitted ${m.review.submittedAt}${m.review.submittedBy ? ` by ${m.review.submittedBy}` : ''}`,
        ],
        ['Record SHA-256', m.review.sha256],
        ['Sign-off by top management', signOff],
      ],
    },
    {
      heading: 'Inputs: status of actions from previous reviews',
      paragraphs: bullets(
        i.previousActions.map((a) => {
          const who = [a.owner ? `owner ${a.owner}` : '', a.due ? `due ${day(a.due)}` : '']
            .filter((x) => x !== '')
            .join(', ');
          return `${a.topic}: ${a.decision}${who ? ` (${who})` : ''}${a.overdue ? ' OVERDUE' : ''}`;
        }),
        'This is the first management review: there are no earlier actions.',
      ),
    },
    {
      heading: 'Inputs: changes in context and interested parties',
      facts: [
        ['Scope versions', String(i.contextChanges.scopeVersions)],
        ['AI systems added', list(i.contextChanges.aiSystemsAdded) || 'none'],
        ['AI systems removed', list(i.contextChanges.aiSystemsRemoved) || 'none'],
        ['Interested parties added', list(i.contextChanges.interestedPartiesAdded) || 'none'],
        ['Issues added', list(i.contextChanges.issuesAdded) || 'none'],
      ],
    },
    {
      heading: 'Inputs: performance of the AIMS',
      facts: k
        ? [
            ['Inventory completeness', pct(k.inventoryCompleteness)],
            ['Impact-assessment coverage', pct(k.impactAssessmentCoverage)],
            ['SoA implementation rate', pct(k.soaImplementationRate)],
            ['Evidence coverage', pct(k.evidenceCoverage)],
            ['Open nonconformities', String(k.openNonconformities)],
            ['Overdue corrective actions', String(k.overdueCorrectiveActions)],
            ['Internal audit programme completion', pct(k.auditProgrammeCompletion)],
            ['Open roadmap tasks (overdue)', `${k.openRoadmapTasks} (${k.overdueRoadmapTasks})`],
          ]
        : [['KPIs', 'no KPI snapshot has been taken yet']],
      paragraphs: [
        `KPI snapshots considered: ${i.performance.kpiTrend.length}.`,
        `Nonconformity trend: ${i.performance.kpiTrend.map((t) => `${day(t.takenAt)} ${t.openNonconformities} open`).join(', ') || 'no snapshots'}.`,
        `Corrective actions: ${i.performance.correctiveActions.planned} planned, ${i.performance.correctiveActions.verified} verified, ${i.performance.correctiveActions.overdue} overdue.`,
        `Objectives: the roadmap has ${i.performance.roadmap.open} open, ${i.performance.roadmap.done} done and ${i.performance.roadmap.riskAccepted} risk-accepted tasks.`,
      ],
    },
    {
      heading: 'Inputs: audit results',
      paragraphs: bullets(
        i.performance.nonconformitiesByAudit.map(
          (a) =>
            `${a.audit} audit ${a.auditId}: ${a.major} major and ${a.minor} minor nonconformities, ${a.open} still open`,
        ),
        'No audit has been held yet.',
      ),
    },
    {
      heading: 'Inputs: opportunities for improvement',
      paragraphs: bullets(
        i.improvementOpportunities.map((o) => `${o.requirementId} (${o.findingId}): ${o.description}`),
        'None recorded.',
      ),
    },
    { heading: 'Outputs: decisions, resources and owners', table: outputs },
  ];
  return {
    title: REPORTS['management-review'].title,
    subtitle: `${m.header.organisation}: ${m.header.programme}, review of ${day(m.review.heldOn)}`,
    facts: baseFacts(m.header, stamp),
    sections,
    sheets: [
      { name: 'Decisions', table: outputs },
      { name: 'Meeting', table: itemTable(sections[0].facts ?? []) },
    ],
    csv: outputs,
    data: { report: identity('management-review', '', m.header, stamp), ...m },
  };
}
