/**
 * Nonconformity follow-up over the certification cycle. Pure: the stage workflow's NC clock
 * (workflows/nc-clock.ts) asks `nextNcEvent` when to wake and applies `fireNcEvent`; the input
 * rules apply the audit-time rules.
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
import type { AuditFact, FindingFact, ProgrammeFacts, VerificationFact } from './facts';
import type { Notice } from './notice-kinds';
import { distinctPeople, sameEmail, type Person } from './people';
import { isLive, isNonconformity, type StepContext } from './queries';
import type { AuditKind } from './vocabulary';

export const CA_ESCALATE_AFTER_DEFAULT = 'P14D';
export const MINOR_NC_PLAN_CONSEQUENCE =
  'the certification body may raise it to a major nonconformity or suspend the certificate until an accepted plan is in place';

/** Audits held by the certification body (their minor NCs follow the body's deadlines). */
export const CB_AUDITS: readonly AuditKind[] = ['stage2', 'surveillance', 'recertification'];

const iso = (ms: number) => new Date(ms).toISOString();

export type NcEventKind = 'correctiveActionOverdue' | 'correctiveActionEscalated' | 'minorNcPlanOverdue';

export interface NcEvent {
  kind: NcEventKind;
  findingId: string;
  /** Workflow time (ms) at which it falls due. */
  at: number;
}

/** What a verification says, as the workflow needs it (the verifier and note go to the record). */
export interface VerificationFacts {
  audit?: AuditKind;
  effective?: boolean;
  closureApprovedBy?: string;
}

export function isCertificationBodyMinor(f: Pick<FindingFact, 'grade' | 'audit'>): boolean {
  return f.grade === 'minor_nc' && CB_AUDITS.includes(f.audit);
}

function escalateAfter(f: ProgrammeFacts): string {
  return f.config.correctiveActionEscalateAfter ?? CA_ESCALATE_AFTER_DEFAULT;
}

/** The next deadline of each finding, earliest first. */
export function pendingNcEvents(f: ProgrammeFacts): NcEvent[] {
  const events: NcEvent[] = [];
  for (const x of Object.values(f.findings)) {
    if (!isNonconformity(x)) continue;
    const ca = x.correctiveAction;
    if (x.status === 'action_planned' && ca) {
      const due = Date.parse(ca.due);
      if (!ca.remindedAt) events.push({ kind: 'correctiveActionOverdue', findingId: x.id, at: due });
      else if (!ca.escalatedAt)
        events.push({
          kind: 'correctiveActionEscalated',
          findingId: x.id,
          at: addDuration(due, escalateAfter(f)),
        });
    }
    if (x.status === 'open' && isCertificationBodyMinor(x) && x.track?.planDueAt && !x.track.planOverdueAt) {
      events.push({ kind: 'minorNcPlanOverdue', findingId: x.id, at: Date.parse(x.track.planDueAt) });
    }
  }
  return events.sort((a, b) => a.at - b.at || a.findingId.localeCompare(b.findingId));
}

export function nextNcEvent(f: ProgrammeFacts): NcEvent | undefined {
  let next: NcEvent | undefined;
  for (const e of pendingNcEvents(f)) if (!next || e.at < next.at) next = e;
  return next;
}

function person(f: ProgrammeFacts, email: string): Person {
  const p = f.documents.scope?.people;
  return (
    [p?.complianceLead, p?.sponsor, p?.topManagement].find((x) => x && sameEmail(x.email, email)) ?? {
      name: email,
      email,
    }
  );
}

/** Who overdue corrective actions escalate to: the configured contact, else the sponsor. */
export function escalationContact(f: ProgrammeFacts): Person | undefined {
  return f.config.correctiveActionEscalation ?? f.documents.scope?.people.sponsor;
}

/**
 * Applies a due event to its finding (mutating the facts); returns the finding and its notice.
 * The notice names the finding; the mail activity adds its description from the record.
 */
export function fireNcEvent(f: ProgrammeFacts, event: NcEvent): { finding: FindingFact; notice: Notice } {
  const x = f.findings[event.findingId];
  const at = iso(event.at);
  const facts: Record<string, string> = {
    findingId: x.id,
    grade: x.grade === 'major_nc' ? 'major nonconformity' : 'minor nonconformity',
    requirementId: x.requirementId,
  };
  const lead = f.documents.scope?.people.complianceLead;
  switch (event.kind) {
    case 'correctiveActionOverdue': {
      const ca = x.correctiveAction;
      if (ca) ca.remindedAt = at;
      return {
        finding: x,
        notice: {
          id: `ca-overdue/${x.id}/${ca?.recordedAt ?? ''}`,
          kind: 'correctiveActionOverdue',
          at: event.at,
          recipients: distinctPeople(ca ? person(f, ca.owner) : undefined, lead),
          facts: { ...facts, owner: ca?.owner ?? '', due: (ca?.due ?? '').slice(0, 10) },
        },
      };
    }
    case 'correctiveActionEscalated': {
      const ca = x.correctiveAction;
      const contact = escalationContact(f);
      if (ca) {
        ca.escalatedAt = at;
        ca.escalatedTo = contact?.email;
      }
      return {
        finding: x,
        notice: {
          id: `ca-escalated/${x.id}/${ca?.recordedAt ?? ''}`,
          kind: 'correctiveActionEscalated',
          at: event.at,
          recipients: distinctPeople(contact, lead),
          facts: {
            ...facts,
            owner: ca?.owner ?? '',
            due: (ca?.due ?? '').slice(0, 10),
            escalatedAfter: escalateAfter(f),
          },
        },
      };
    }
    case 'minorNcPlanOverdue': {
      x.track = { ...x.track, planOverdueAt: at, consequence: MINOR_NC_PLAN_CONSEQUENCE };
      return {
        finding: x,
        notice: {
          id: `minor-plan-overdue/${x.id}`,
          kind: 'minorNcPlanOverdue',
          at: event.at,
          recipients: distinctPeople(lead, f.documents.scope?.people.sponsor),
          facts: {
            ...facts,
            planDue: (x.track.planDueAt ?? '').slice(0, 10),
            planDueAfter: f.config.minorNcPlanDue,
            consequence: MINOR_NC_PLAN_CONSEQUENCE,
          },
        },
      };
    }
  }
}

/** Minor NCs of the certification body whose plan deadline passed and still have no plan. */
export function overdueMinorNcs(f: ProgrammeFacts): FindingFact[] {
  return Object.values(f.findings).filter(
    (x) => x.status === 'open' && isCertificationBodyMinor(x) && !!x.track?.planOverdueAt,
  );
}

/** A new finding's follow-up: a body's minor NC gets its plan deadline. */
export function trackNewFinding(f: ProgrammeFacts, x: FindingFact): void {
  if (isCertificationBodyMinor(x) && x.status === 'open')
    x.track = { planDueAt: addDurationIso(x.raisedAt, f.config.minorNcPlanDue) };
}

/** Minor NCs of the body due for verification at the audit this step holds. */
export function minorsDueAtAudit(f: ProgrammeFacts, ctx: StepContext, audit: AuditKind): FindingFact[] {
  if (audit !== 'surveillance' && audit !== 'recertification') return [];
  return Object.values(f.findings).filter(
    (x) => isCertificationBodyMinor(x) && isLive(x) && x.stepKey !== ctx.stepKey,
  );
}

/** Why a verification cannot be recorded (beyond the finding having an action), or null. */
export function verificationRejection(ctx: StepContext, x: FindingFact, v: VerificationFacts): string | null {
  const ca = x.correctiveAction;
  if (v.closureApprovedBy && ca && sameEmail(v.closureApprovedBy, ca.owner))
    return `${v.closureApprovedBy} owns the corrective action of ${x.id} and cannot approve its closure`;
  if (!isCertificationBodyMinor(x)) return null;
  const exam = ctx.step.audits.find((a) => a === 'surveillance' || a === 'recertification');
  if (!exam || x.stepKey === ctx.stepKey)
    return `${x.id} is a minor nonconformity of the ${x.audit} audit: the certification body verifies it at its next audit (surveillance or recertification)`;
  if (v.audit !== undefined && v.audit !== exam)
    return `${x.id} is verified at the ${exam} audit of this step, not at a ${v.audit} audit`;
  return null;
}

/** Records a verification; an ineffective action reopens the nonconformity. */
export function applyVerification(
  x: FindingFact,
  v: VerificationFacts,
  now: string,
  auditId: string | undefined,
  defaultAudit: AuditKind | undefined,
): void {
  const verification: VerificationFact = {
    verifiedAt: now,
    ...(v.audit !== undefined ? { audit: v.audit } : defaultAudit ? { audit: defaultAudit } : {}),
    ...(auditId && { auditId }),
    ...(v.effective !== undefined && { effective: v.effective }),
    ...(v.closureApprovedBy && { closureApprovedBy: v.closureApprovedBy }),
  };
  if (v.effective === false && x.correctiveAction) {
    x.track = {
      ...x.track,
      previousActions: [...(x.track?.previousActions ?? []), { ...x.correctiveAction, verification }],
    };
    delete x.correctiveAction;
    delete x.verification;
    x.status = 'open';
    return;
  }
  x.verification = verification;
  x.status = 'verified';
}

/**
 * At a surveillance or recertification audit: the body's earlier minor NCs listed in
 * `verifications` are verified there; the others are raised to major NCs of this audit.
 * Returns the findings changed and created, each with the index of its verification in the
 * audit input (for the record's text) or the minor it was raised from.
 */
export function settleMinorsAtAudit(
  f: ProgrammeFacts,
  ctx: StepContext,
  audit: AuditFact,
  verifications: readonly (VerificationFacts & { findingId: string })[],
): { finding: FindingFact; verificationIndex?: number; raisedFrom?: FindingFact }[] {
  const now = iso(ctx.now);
  const changed: { finding: FindingFact; verificationIndex?: number; raisedFrom?: FindingFact }[] = [];
  for (const x of minorsDueAtAudit(f, ctx, audit.audit)) {
    const index = verifications.findIndex((v) => v.findingId === x.id);
    const v = index >= 0 ? verifications[index] : undefined;
    if (v && x.status === 'action_planned' && v.effective !== false) {
      applyVerification(x, { ...v, audit: audit.audit }, now, audit.id, audit.audit);
      changed.push({ finding: x, verificationIndex: index });
      continue;
    }
    const major: FindingFact = {
      id: `F-${++f.seq.finding}`,
      audit: audit.audit,
      auditId: audit.id,
      stepKey: ctx.stepKey,
      grade: 'major_nc',
      requirementId: x.requirementId,
      status: 'open',
      raisedAt: now,
      track: { escalatedFrom: x.id },
    };
    f.findings[major.id] = major;
    x.status = 'superseded';
    x.track = { ...x.track, escalatedTo: major.id };
    changed.push({ finding: x }, { finding: major, raisedFrom: x });
  }
  return changed;
}

/** Why the inline verifications of an audit record cannot be accepted, or null. */
export function auditVerificationsRejection(
  f: ProgrammeFacts,
  ctx: StepContext,
  audit: AuditKind,
  verifications: readonly (VerificationFacts & { findingId: string })[],
): string | null {
  const due = new Set(minorsDueAtAudit(f, ctx, audit).map((x) => x.id));
  for (const v of verifications) {
    const x = f.findings[v.findingId];
    if (!x) return `no finding ${v.findingId}`;
    if (!due.has(x.id))
      return `${x.id} is not a minor nonconformity of the certification body awaiting verification at this ${audit} audit`;
    if (x.status !== 'action_planned')
      return `${x.id} has no corrective action to verify; without one it is raised to a major nonconformity`;
    const ca = x.correctiveAction;
    if (v.closureApprovedBy && ca && sameEmail(v.closureApprovedBy, ca.owner))
      return `${v.closureApprovedBy} owns the corrective action of ${x.id} and cannot approve its closure`;
  }
  return null;
}

/** A repeated stage 2 (or recertification audit) starts afresh: this step's live NCs are superseded. */
export function supersedeStepNonconformities(f: ProgrammeFacts, ctx: StepContext): FindingFact[] {
  const open = Object.values(f.findings).filter(
    (x) => x.stepKey === ctx.stepKey && isNonconformity(x) && x.status !== 'verified',
  );
  for (const x of open) x.status = 'superseded';
  return open;
}
