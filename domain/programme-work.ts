/**
 * The running cycle as a programme manager follows it: recurring work (internal audit
 * programme, management review, surveillance and recertification audits), the internal audit
 * programme's coverage, every live nonconformity with its follow-up, and what the previous
 * cycle handed over. Computed by the API from the facts the workflows keep (and the plan's
 * titles from its stored body), so it can list every record without any workflow payload
 * growing with them. Also: what a new cycle starts from.
 */
import { auditProgrammeStatus, currentPlan, type AuditProgrammeStatus } from './audit-programme';
import type { AuditFact, FindingFact, ProgrammeFacts } from './facts';
import { isCertificationBodyMinor } from './nc-follow-up';
import { cycleOfStepKey, isLive, isNonconformity } from './queries';
import type { ProgrammeWork } from './views';
import type { AuditKind } from './vocabulary';

export type CycleWorkItem = ProgrammeWork['cycleWork'][number];
export type NcFollowUp = ProgrammeWork['nonconformities'][number];

function stepAudit(f: ProgrammeFacts, step: string, kind: AuditKind): AuditFact | undefined {
  return f.audits.find((a) => !a.voided && a.audit === kind && a.stepKey.startsWith(`c${f.cycle}.${step}.`));
}

export function cycleWork(f: ProgrammeFacts, programme: AuditProgrammeStatus): CycleWorkItem[] {
  const review = f.documents.managementReview;
  const reviewed = review && (!f.cycleStartedAt || review.submittedAt >= f.cycleStartedAt);
  const audited = (step: string, kind: AuditKind, item: CycleWorkItem['item']): CycleWorkItem => {
    const a = stepAudit(f, step, kind);
    return a
      ? { item, status: 'done', detail: `${a.id} on ${a.lastDay.slice(0, 10)}` }
      : { item, status: 'todo', detail: `no ${kind} audit recorded in cycle ${f.cycle} yet` };
  };
  return [
    {
      item: 'internalAuditProgramme',
      status:
        programme.coverage >= 1
          ? 'done'
          : programme.planned || programme.audited > 0
            ? 'in_progress'
            : 'todo',
      detail: `${programme.audited} of ${programme.universe} requirements audited in cycle ${f.cycle}${programme.planned ? '' : '; no plan yet'}`,
    },
    reviewed
      ? { item: 'managementReview', status: 'done', detail: `held ${review.heldOn.slice(0, 10)}` }
      : { item: 'managementReview', status: 'todo', detail: `no management review in cycle ${f.cycle} yet` },
    audited('SURVEILLANCE_1', 'surveillance', 'surveillance1'),
    audited('SURVEILLANCE_2', 'surveillance', 'surveillance2'),
    audited('RECERTIFICATION', 'recertification', 'recertification'),
  ];
}

export function ncFollowUp(f: ProgrammeFacts, now: number): NcFollowUp[] {
  return Object.values(f.findings)
    .filter((x) => isNonconformity(x) && isLive(x))
    .sort((a, b) => Number(a.id.slice(2)) - Number(b.id.slice(2)))
    .map((x) => {
      const ca = x.correctiveAction;
      return {
        findingId: x.id,
        grade: x.grade,
        audit: x.audit,
        requirementId: x.requirementId,
        status: x.status,
        owner: ca?.owner,
        due: ca?.due,
        actionOverdue: !!ca && x.status === 'action_planned' && Date.parse(ca.due) < now,
        escalatedTo: ca?.escalatedTo,
        planDueAt: x.track?.planDueAt,
        planOverdue: x.status === 'open' && !!x.track?.planOverdueAt,
        consequence: x.status === 'open' ? x.track?.consequence : undefined,
        verifyAt: isCertificationBodyMinor(x) ? 'next surveillance or recertification audit' : undefined,
      };
    });
}

/** `titles`: the planned audits' titles, from the stored plan. */
export function programmeWork(
  f: ProgrammeFacts,
  now: number,
  titles: ReadonlyMap<string, string>,
): ProgrammeWork {
  const plan = currentPlan(f);
  const status = auditProgrammeStatus(
    {
      cycle: f.cycle,
      plan: plan && {
        version: plan.version,
        audits: plan.audits.map((a) => ({ ...a, auditor: a.auditorEmail, title: titles.get(a.id) })),
      },
      audits: f.audits,
      findings: Object.values(f.findings),
      notApplicable: f.documents.soa?.notApplicable ?? [],
    },
    now,
  );
  return {
    cycle: f.cycle,
    cycleStartedAt: f.cycleStartedAt,
    cycleWork: cycleWork(f, status),
    auditProgramme: status,
    nonconformities: ncFollowUp(f, now),
    carriedOver: f.carriedOver && { ...f.carriedOver, openFindings: carriedFindings(f) },
  };
}

/** Nonconformities raised in an earlier cycle that are still in the facts: those carried over. */
function carriedFindings(f: ProgrammeFacts): string[] {
  return Object.values(f.findings)
    .filter((x) => isNonconformity(x) && cycleOfStepKey(x.stepKey) < f.cycle)
    .map((x) => x.id);
}

/**
 * A new three-year cycle begins (mutating the facts): what recurs (the internal audit programme,
 * management review, surveillance and recertification audits) starts again as to-do; open
 * nonconformities and their corrective actions carry over as they are; closed ones stay in the
 * records and leave the facts; decisions belong to their steps and are cleared.
 */
export function carryIntoNextCycle(f: ProgrammeFacts, now: string): void {
  const findings = Object.values(f.findings);
  const live = findings.filter(isLive);
  f.carriedOver = {
    fromCycle: f.cycle,
    openFindings: live.filter(isNonconformity).length,
    closedFindings: findings.filter((x) => isNonconformity(x) && !isLive(x)).length,
    certificate: f.certificate?.number,
  };
  f.cycle += 1;
  f.cycleStartedAt = now;
  f.findings = Object.fromEntries(live.map((x: FindingFact) => [x.id, x]));
  // The latest stage 1 stays: a certificate withdrawn in a later cycle needs only a new stage 2.
  f.audits = f.audits.filter((a) => a.audit === 'stage1').slice(-1);
  f.approvals = {};
  delete f.auditProgramme;
  // Notices of the last cycle's steps cannot fall due again; only the certificate's may.
  f.noticesSent = f.noticesSent.filter((id) => id === `certificate-expiring/${f.certificate?.number}`);
}
