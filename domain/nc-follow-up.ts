/**
 * Nonconformity follow-up over the certification cycle, and what each new cycle starts from.
 * Pure: the stage workflow's NC clock (workflows/nc-clock.ts) asks `nextNcEvent` when to wake
 * and applies `fireNcEvent`; the engine applies the audit-time rules.
 *
 * The rules, in our words:
 * - Every nonconformity needs a corrective action: correction, root cause, action, owner and
 *   deadline, later evidence of implementation, an effectiveness verification and a closure
 *   approval by someone other than the action's owner. A verification that finds the action
 *   not effective reopens the nonconformity (the failed action is kept in its history).
 * - A corrective action still open at its deadline: its owner and the compliance lead are
 *   reminded; `correctiveActionEscalateAfter` (P14D) later it escalates to
 *   `correctiveActionEscalation` (default the executive sponsor).
 * - A minor NC raised by the certification body needs an accepted corrective-action plan within
 *   `minorNcPlanDue` (P30D). Missing it flags the finding overdue (status and AimsOverdue) and
 *   notes the consequence: the body may raise it to a major NC or suspend the certificate.
 * - Such a minor NC is verified at the body's next audit (surveillance or recertification; a
 *   stage-2 minor NC at the first surveillance). One still unverified when that audit is recorded
 *   is raised to a major NC of that audit (a common certification-body rule), which then blocks
 *   the step until corrected and verified.
 */
import { addDuration, addDurationIso } from './durations';
import type { StepContext } from './gates';
import type { Notice } from './notices';
import type { AuditKind, Person, VerificationBody } from './schemas';
import type { AuditRecord, Dossier, Finding } from './types';
import { distinctPeople } from './people';
import { auditProgrammeStatus } from './audit-programme';

export const CA_ESCALATE_AFTER_DEFAULT = 'P14D';
export const MINOR_NC_PLAN_CONSEQUENCE =
  'the certification body may raise it to a major nonconformity or suspend the certificate until an accepted plan is in place';

/** Audits held by the certification body (their minor NCs follow the body's deadlines). */
export const CB_AUDITS: readonly AuditKind[] = ['stage2', 'surveillance', 'recertification'];

const iso = (ms: number) => new Date(ms).toISOString();
const isNc = (f: Finding) => f.grade === 'minor_nc' || f.grade === 'major_nc';
const isLive = (f: Finding) => f.status === 'open' || f.status === 'action_planned';

export type NcEventKind = 'correctiveActionOverdue' | 'correctiveActionEscalated' | 'minorNcPlanOverdue';

export interface NcEvent {
  kind: NcEventKind;
  findingId: string;
  /** Workflow time (ms) at which it falls due. */
  at: number;
}

function cbMinor(f: Finding): boolean {
  return f.grade === 'minor_nc' && CB_AUDITS.includes(f.audit);
}

function escalateAfter(d: Dossier): string {
  return d.config.correctiveActionEscalateAfter ?? CA_ESCALATE_AFTER_DEFAULT;
}

/** Every deadline still to fire, earliest first. */
export function pendingNcEvents(d: Dossier): NcEvent[] {
  const events: NcEvent[] = [];
  for (const f of Object.values(d.findings)) {
    if (!isNc(f)) continue;
    const ca = f.correctiveAction;
    if (f.status === 'action_planned' && ca) {
      const due = Date.parse(ca.due);
      if (!ca.remindedAt) events.push({ kind: 'correctiveActionOverdue', findingId: f.id, at: due });
      else if (!ca.escalatedAt)
        events.push({
          kind: 'correctiveActionEscalated',
          findingId: f.id,
          at: addDuration(due, escalateAfter(d)),
        });
    }
    if (f.status === 'open' && cbMinor(f) && f.track?.planDueAt && !f.track.planOverdueAt) {
      events.push({ kind: 'minorNcPlanOverdue', findingId: f.id, at: Date.parse(f.track.planDueAt) });
    }
  }
  return events.sort((a, b) => a.at - b.at || a.findingId.localeCompare(b.findingId));
}

export function nextNcEvent(d: Dossier): NcEvent | undefined {
  return pendingNcEvents(d)[0];
}

function person(d: Dossier, email: string): Person {
  const s = d.scope?.body;
  return (
    [s?.complianceLead, s?.sponsor, s?.topManagement].find(
      (p) => p?.email.toLowerCase() === email.toLowerCase(),
    ) ?? { name: email, email }
  );
}

/** Who overdue corrective actions escalate to: the configured contact, else the sponsor. */
export function escalationContact(d: Dossier): Person | undefined {
  return d.config.correctiveActionEscalation ?? d.scope?.body.sponsor;
}

/** Applies a due event to its finding (mutating the dossier); returns the finding and its notice. */
export function fireNcEvent(d: Dossier, event: NcEvent): { finding: Finding; notice: Notice } {
  const f = d.findings[event.findingId];
  const at = iso(event.at);
  const facts: Record<string, string> = {
    findingId: f.id,
    grade: f.grade === 'major_nc' ? 'major nonconformity' : 'minor nonconformity',
    requirementId: f.requirementId,
    description: f.description,
  };
  const lead = d.scope?.body.complianceLead;
  switch (event.kind) {
    case 'correctiveActionOverdue': {
      const ca = f.correctiveAction;
      if (ca) ca.remindedAt = at;
      return {
        finding: f,
        notice: {
          id: `ca-overdue/${f.id}/${ca?.recordedAt ?? ''}`,
          kind: 'correctiveActionOverdue',
          at: event.at,
          recipients: distinctPeople(ca ? person(d, ca.owner) : undefined, lead),
          facts: { ...facts, owner: ca?.owner ?? '', due: (ca?.due ?? '').slice(0, 10) },
        },
      };
    }
    case 'correctiveActionEscalated': {
      const ca = f.correctiveAction;
      const contact = escalationContact(d);
      if (ca) {
        ca.escalatedAt = at;
        ca.escalatedTo = contact?.email;
      }
      return {
        finding: f,
        notice: {
          id: `ca-escalated/${f.id}/${ca?.recordedAt ?? ''}`,
          kind: 'correctiveActionEscalated',
          at: event.at,
          recipients: distinctPeople(contact, lead),
          facts: {
            ...facts,
            owner: ca?.owner ?? '',
            due: (ca?.due ?? '').slice(0, 10),
            escalatedAfter: escalateAfter(d),
          },
        },
      };
    }
    case 'minorNcPlanOverdue': {
      f.track = { ...f.track, planOverdueAt: at, consequence: MINOR_NC_PLAN_CONSEQUENCE };
      return {
        finding: f,
        notice: {
          id: `minor-plan-overdue/${f.id}`,
          kind: 'minorNcPlanOverdue',
          at: event.at,
          recipients: distinctPeople(lead, d.scope?.body.sponsor),
          facts: {
            ...facts,
            planDue: (f.track.planDueAt ?? '').slice(0, 10),
            planDueAfter: d.config.minorNcPlanDue,
            consequence: MINOR_NC_PLAN_CONSEQUENCE,
          },
        },
      };
    }
  }
}

/** Minor NCs of the certification body whose plan deadline passed and still have no plan. */
export function overdueMinorNcs(d: Dossier): Finding[] {
  return Object.values(d.findings).filter(
    (f) => f.status === 'open' && cbMinor(f) && !!f.track?.planOverdueAt,
  );
}

/** A new finding's follow-up: a body's minor NC gets its plan deadline. */
export function trackNewFinding(d: Dossier, f: Finding): void {
  if (cbMinor(f) && f.status === 'open')
    f.track = { planDueAt: addDurationIso(f.raisedAt, d.config.minorNcPlanDue) };
}

/** Minor NCs of the body due for verification at the audit this step holds. */
export function minorsDueAtAudit(d: Dossier, ctx: StepContext, audit: AuditKind): Finding[] {
  if (audit !== 'surveillance' && audit !== 'recertification') return [];
  return Object.values(d.findings).filter((f) => cbMinor(f) && isLive(f) && f.stepKey !== ctx.stepKey);
}

/** Why a verification cannot be recorded (beyond the finding having an action), or null. */
export function verificationRejection(ctx: StepContext, f: Finding, v: VerificationBody): string | null {
  const ca = f.correctiveAction;
  if (v.closureApprovedBy && ca && v.closureApprovedBy.toLowerCase() === ca.owner.toLowerCase())
    return `${v.closureApprovedBy} owns the corrective action of ${f.id} and cannot approve its closure`;
  if (!cbMinor(f)) return null;
  const exam = ctx.step.audits.find((a) => a === 'surveillance' || a === 'recertification');
  if (!exam || f.stepKey === ctx.stepKey)
    return `${f.id} is a minor nonconformity of the ${f.audit} audit: the certification body verifies it at its next audit (surveillance or recertification)`;
  if (v.audit !== undefined && v.audit !== exam)
    return `${f.id} is verified at the ${exam} audit of this step, not at a ${v.audit} audit`;
  return null;
}

/** Records a verification; an ineffective action reopens the nonconformity. */
export function applyVerification(
  f: Finding,
  v: VerificationBody,
  now: string,
  auditId: string | undefined,
  defaultAudit: AuditKind | undefined,
): void {
  const verification = {
    ...v,
    ...(v.audit === undefined && defaultAudit && { audit: defaultAudit }),
    verifiedAt: now,
    ...(auditId && { auditId }),
  };
  if (v.effective === false && f.correctiveAction) {
    f.track = {
      ...f.track,
      previousActions: [...(f.track?.previousActions ?? []), { ...f.correctiveAction, verification }],
    };
    delete f.correctiveAction;
    delete f.verification;
    f.status = 'open';
    return;
  }
  f.verification = verification;
  f.status = 'verified';
}

/**
 * At a surveillance or recertification audit: the body's earlier minor NCs listed in
 * `verifications` are verified there; the others are raised to major NCs of this audit.
 * Returns the findings changed and created.
 */
export function settleMinorsAtAudit(
  d: Dossier,
  ctx: StepContext,
  audit: AuditRecord,
  verifications: (VerificationBody & { findingId: string })[],
): Finding[] {
  const now = iso(ctx.now);
  const changed: Finding[] = [];
  for (const f of minorsDueAtAudit(d, ctx, audit.audit)) {
    const v = verifications.find((x) => x.findingId === f.id);
    if (v && f.status === 'action_planned' && v.effective !== false) {
      applyVerification(f, { ...v, audit: audit.audit }, now, audit.id, audit.audit);
      changed.push(f);
      continue;
    }
    const major: Finding = {
      id: `F-${++d.seq.finding}`,
      audit: audit.audit,
      auditId: audit.id,
      stepKey: ctx.stepKey,
      grade: 'major_nc',
      requirementId: f.requirementId,
      description: `Raised from minor nonconformity ${f.id} (${f.audit} audit), not verified as corrected at this ${audit.audit} audit: ${f.description}`,
      status: 'open',
      raisedAt: now,
      track: { escalatedFrom: f.id },
    };
    d.findings[major.id] = major;
    f.status = 'superseded';
    f.track = { ...f.track, escalatedTo: major.id };
    changed.push(f, major);
  }
  return changed;
}

/** Why the inline verifications of an audit record cannot be accepted, or null. */
export function auditVerificationsRejection(
  d: Dossier,
  ctx: StepContext,
  audit: AuditKind,
  verifications: (VerificationBody & { findingId: string })[],
): string | null {
  const due = new Set(minorsDueAtAudit(d, ctx, audit).map((f) => f.id));
  for (const v of verifications) {
    const f = d.findings[v.findingId];
    if (!f) return `no finding ${v.findingId}`;
    if (!due.has(f.id))
      return `${f.id} is not a minor nonconformity of the certification body awaiting verification at this ${audit} audit`;
    if (f.status !== 'action_planned')
      return `${f.id} has no corrective action to verify; without one it is raised to a major nonconformity`;
    const ca = f.correctiveAction;
    if (v.closureApprovedBy && ca && v.closureApprovedBy.toLowerCase() === ca.owner.toLowerCase())
      return `${v.closureApprovedBy} owns the corrective action of ${f.id} and cannot approve its closure`;
  }
  return null;
}

// ---------------------------------------------------------------- the cycle

export interface CarryOver {
  fromCycle: number;
  /** Nonconformities still open or awaiting verification, carried into this cycle as they were. */
  openFindings: string[];
  /** Nonconformities closed (verified or superseded) in the previous cycle: they stay closed. */
  closedFindings: number;
  certificate?: string;
}

export type CycleWorkStatus = 'todo' | 'in_progress' | 'done';
export type CycleWorkKind =
  'internalAuditProgramme' | 'managementReview' | 'surveillance1' | 'surveillance2' | 'recertification';

export interface CycleWorkItem {
  item: CycleWorkKind;
  status: CycleWorkStatus;
  detail: string;
}

/**
 * The dossier a new three-year cycle starts from. What recurs (the internal audit programme,
 * management review, surveillance and recertification audits) starts again as to-do; open
 * nonconformities and their corrective actions carry over as they are; closed ones stay closed
 * in the records (the database keeps their history) and leave the workflow state.
 */
export function carryIntoNextCycle(d: Dossier, now: string): Dossier {
  const findings = Object.values(d.findings);
  const live = findings.filter(isLive);
  const stage1 = d.audits.filter((a) => a.audit === 'stage1').slice(-1);
  const { auditProgramme: _plan, ...rest } = d;
  return {
    ...rest,
    cycle: d.cycle + 1,
    cycleStartedAt: now,
    findings: Object.fromEntries(live.map((f) => [f.id, f])),
    audits: stage1,
    approvals: {},
    carriedOver: {
      fromCycle: d.cycle,
      openFindings: live.filter(isNc).map((f) => f.id),
      closedFindings: findings.filter((f) => isNc(f) && !isLive(f)).length,
      certificate: d.certificate?.number,
    },
  };
}

function stepAudit(d: Dossier, step: string, kind: AuditKind): AuditRecord | undefined {
  return d.audits.find((a) => a.audit === kind && a.stepKey.startsWith(`c${d.cycle}.${step}.`));
}

export function cycleWork(d: Dossier, now: number): CycleWorkItem[] {
  const programme = auditProgrammeStatus(d, now);
  const review = d.managementReview;
  const reviewed = review && (!d.cycleStartedAt || review.submittedAt >= d.cycleStartedAt);
  const audited = (step: string, kind: AuditKind, item: CycleWorkKind): CycleWorkItem => {
    const a = stepAudit(d, step, kind);
    return a
      ? { item, status: 'done', detail: `${a.id} on ${a.lastDay.slice(0, 10)}` }
      : { item, status: 'todo', detail: `no ${kind} audit recorded in cycle ${d.cycle} yet` };
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
      detail: `${programme.audited} of ${programme.universe} requirements audited in cycle ${d.cycle}${programme.planned ? '' : '; no plan yet'}`,
    },
    reviewed
      ? { item: 'managementReview', status: 'done', detail: `held ${review.body.heldOn.slice(0, 10)}` }
      : { item: 'managementReview', status: 'todo', detail: `no management review in cycle ${d.cycle} yet` },
    audited('SURVEILLANCE_1', 'surveillance', 'surveillance1'),
    audited('SURVEILLANCE_2', 'surveillance', 'surveillance2'),
    audited('RECERTIFICATION', 'recertification', 'recertification'),
  ];
}

/** One live nonconformity with its follow-up, for status and reports. */
export interface NcFollowUp {
  findingId: string;
  grade: Finding['grade'];
  audit: AuditKind;
  requirementId: string;
  status: Finding['status'];
  owner?: string;
  due?: string;
  actionOverdue: boolean;
  escalatedTo?: string;
  planDueAt?: string;
  planOverdue: boolean;
  consequence?: string;
  /** For a body's minor NC: verified at the next surveillance or recertification audit. */
  verifyAt?: string;
}

export function ncFollowUp(d: Dossier, now: number): NcFollowUp[] {
  return Object.values(d.findings)
    .filter((f) => isNc(f) && isLive(f))
    .map((f) => {
      const ca = f.correctiveAction;
      return {
        findingId: f.id,
        grade: f.grade,
        audit: f.audit,
        requirementId: f.requirementId,
        status: f.status,
        owner: ca?.owner,
        due: ca?.due,
        actionOverdue: !!ca && f.status === 'action_planned' && Date.parse(ca.due) < now,
        escalatedTo: ca?.escalatedTo,
        planDueAt: f.track?.planDueAt,
        planOverdue: f.status === 'open' && !!f.track?.planOverdueAt,
        consequence: f.status === 'open' ? f.track?.consequence : undefined,
        verifyAt: cbMinor(f) ? 'next surveillance or recertification audit' : undefined,
      };
    });
}
