/**
 * The inputs a management review must consider, compiled from the system's own records:
 * status of earlier review actions, changes in context and interested parties, performance
 * (KPIs, nonconformity and corrective-action trends, audit results) and improvement ideas.
 */
import type { ManagementReviewBody, ScopeBody } from '../schemas';
import type { AuditRecord, Finding, RoadmapTask } from '../records';
import type { KpiSnapshot } from './snapshot';

export interface ReviewRecords {
  now: number;
  /** Every version of the scope, oldest first. */
  scopes: { version: number; submittedAt: string; body: ScopeBody }[];
  /** Earlier management reviews, oldest first. */
  reviews: { version: number; submittedAt: string; body: ManagementReviewBody }[];
  tasks: RoadmapTask[];
  audits: AuditRecord[];
  findings: Finding[];
  kpiSnapshots: KpiSnapshot[];
}

export interface ReviewInputs {
  previousActions: { topic: string; decision: string; owner?: string; due?: string; overdue: boolean }[];
  contextChanges: {
    scopeVersions: number;
    aiSystemsAdded: string[];
    aiSystemsRemoved: string[];
    interestedPartiesAdded: string[];
    issuesAdded: string[];
  };
  performance: {
    latestKpis: KpiSnapshot['kpis'] | null;
    kpiTrend: { takenAt: string; openNonconformities: number; soaImplementationRate: number | null }[];
    nonconformitiesByAudit: { audit: string; auditId: string; minor: number; major: number; open: number }[];
    correctiveActions: { planned: number; verified: number; overdue: number };
    roadmap: { open: number; done: number; riskAccepted: number };
  };
  improvementOpportunities: { findingId: string; requirementId: string; description: string }[];
}

export function compileReviewInputs(r: ReviewRecords): ReviewInputs {
  const firstScope = r.scopes[0]?.body;
  const lastScope = r.scopes.at(-1)?.body;
  const ids = (s?: ScopeBody) => new Set((s?.aiSystems ?? []).map((a) => a.id));
  const [before, after] = [ids(firstScope), ids(lastScope)];
  const added = <T>(a: readonly T[] = [], b: readonly T[] = []) => b.filter((x) => !a.includes(x));
  const ncs = r.findings.filter((f) => f.grade === 'minor_nc' || f.grade === 'major_nc');
  const lastReview = r.reviews.at(-1)?.body;
  return {
    previousActions: (lastReview?.decisions ?? []).map((d) => ({
      topic: d.topic,
      decision: d.decision,
      owner: d.owner,
      due: d.due,
      overdue: d.due !== undefined && Date.parse(d.due) < r.now,
    })),
    contextChanges: {
      scopeVersions: r.scopes.length,
      aiSystemsAdded: [...after].filter((x) => !before.has(x)),
      aiSystemsRemoved: [...before].filter((x) => !after.has(x)),
      interestedPartiesAdded: added(
        firstScope?.interestedParties.map((p) => p.name),
        lastScope?.interestedParties.map((p) => p.name),
      ),
      issuesAdded: added(
        [...(firstScope?.internalIssues ?? []), ...(firstScope?.externalIssues ?? [])],
        [...(lastScope?.internalIssues ?? []), ...(lastScope?.externalIssues ?? [])],
      ),
    },
    performance: {
      latestKpis: r.kpiSnapshots.at(-1)?.kpis ?? null,
      kpiTrend: r.kpiSnapshots.map((s) => ({
        takenAt: s.takenAt,
        openNonconformities: s.kpis.openNonconformities,
        soaImplementationRate: s.kpis.soaImplementationRate,
      })),
      nonconformitiesByAudit: r.audits.map((a) => {
        const mine = ncs.filter((f) => f.auditId === a.id);
        return {
          audit: a.audit,
          auditId: a.id,
          minor: mine.filter((f) => f.grade === 'minor_nc').length,
          major: mine.filter((f) => f.grade === 'major_nc').length,
          open: mine.filter((f) => f.status === 'open' || f.status === 'action_planned').length,
        };
      }),
      correctiveActions: {
        planned: ncs.filter((f) => f.status === 'action_planned').length,
        verified: ncs.filter((f) => f.status === 'verified').length,
        overdue: ncs.filter(
          (f) =>
            f.status === 'action_planned' && f.correctiveAction && Date.parse(f.correctiveAction.due) < r.now,
        ).length,
      },
      roadmap: {
        open: r.tasks.filter((t) => t.status === 'open').length,
        done: r.tasks.filter((t) => t.status === 'done').length,
        riskAccepted: r.tasks.filter((t) => t.status === 'risk_accepted').length,
      },
    },
    improvementOpportunities: r.findings
      .filter((f) => f.grade === 'ofi' || f.grade === 'observation')
      .map((f) => ({ findingId: f.id, requirementId: f.requirementId, description: f.description })),
  };
}

/**
 * The records as they stood at `at` (ms): what a review held then could consider. Findings and
 * tasks are put back into the state their timestamps show; later records are left out. Used by
 * the minutes, so that they keep saying what the review saw however the programme moves on.
 */
export function reviewRecordsAsOf(r: ReviewRecords, at: number): ReviewRecords {
  const until = (iso: string | undefined) => iso !== undefined && Date.parse(iso) <= at;
  return {
    now: at,
    scopes: r.scopes.filter((s) => until(s.submittedAt)),
    reviews: r.reviews.filter((s) => until(s.submittedAt)),
    tasks: r.tasks.map((t) =>
      t.status !== 'open' && !until(t.closedAt) ? { ...t, status: 'open' as const } : t,
    ),
    audits: r.audits.filter((a) => until(a.lastDay) || until(a.firstDay)),
    findings: r.findings
      .filter((f) => until(f.raisedAt))
      .map((f): Finding => {
        if (f.status === 'superseded') return f;
        if (f.verification && until(f.verification.verifiedAt)) return f;
        const { verification: _v, ...rest } = f;
        if (f.correctiveAction && until(f.correctiveAction.recordedAt))
          return { ...rest, status: 'action_planned' };
        const { correctiveAction: _c, ...bare } = rest;
        return { ...bare, status: 'open' };
      }),
    kpiSnapshots: r.kpiSnapshots.filter((s) => until(s.takenAt)),
  };
}
