/**
 * Approval requests: who is asked to decide an approval gate, what exactly they are asked
 * about (the artefact version and its SHA-256), when they are reminded, whom the request
 * escalates to, and when the gate counts as overdue. Pure and deterministic: the stage
 * workflow keeps the requests in its state and calls these functions from its handlers,
 * validators and timer loop. Mail is sent by activities (see workflows/approvals.ts).
 */
import { APPROVAL_DEFAULTS } from './approval-defaults';
import { ARTEFACTS } from './artefacts';
import type { ProgrammeConfig } from './config';
import type { RecordChanges } from './contracts/persistence';
import { addDuration } from './durations';
import type { ApprovalState, ProgrammeFacts } from './facts';
import { sameEmail, type Person } from './people';
import type { ApprovalDef } from './process-model';
import type { StepContext } from './queries';
import { artefactVersion, decisionFor } from './step-status';
import type { ApprovalOutcome, ApproverRole, ArtefactKind } from './vocabulary';

export { sameEmail } from './people';
export { decisionFor } from './step-status';

export type LadderRung = ApproverRole | Person;

export interface GateApprovalConfig {
  approvers?: Person[];
  quorum?: number;
}

export interface ApprovalPolicy {
  reminderInterval: string;
  maxReminders: number;
  escalation: LadderRung[];
  expiry: string;
  linkValidity: string;
  gates: Partial<Record<string, GateApprovalConfig>>;
  segregationOfDuties: boolean;
  auditNotice: string;
  certificateNotice: string;
}

/** The effective settings: unset ones take the defaults. */
export function approvalPolicy(config: ProgrammeConfig): ApprovalPolicy {
  const c: Partial<ProgrammeConfig> = config;
  return {
    reminderInterval: c.approvalReminderInterval ?? APPROVAL_DEFAULTS.reminderInterval,
    maxReminders: c.approvalMaxReminders ?? APPROVAL_DEFAULTS.maxReminders,
    escalation: c.approvalEscalation ?? APPROVAL_DEFAULTS.escalation,
    expiry: c.approvalExpiry ?? APPROVAL_DEFAULTS.expiry,
    linkValidity: c.approvalLinkValidity ?? APPROVAL_DEFAULTS.linkValidity,
    gates: c.approvalGates ?? {},
    segregationOfDuties: c.segregationOfDuties ?? APPROVAL_DEFAULTS.segregationOfDuties,
    auditNotice: c.auditUpcomingNotice ?? APPROVAL_DEFAULTS.auditNotice,
    certificateNotice: c.certificateExpiryNotice ?? APPROVAL_DEFAULTS.certificateNotice,
  };
}

export interface Approver {
  name: string;
  email: string;
  /** The role that makes them an approver; 'named' for approvers named in the programme config. */
  role: ApproverRole | 'named';
  /** Added by escalation rather than designated for the gate. */
  escalated?: boolean;
}

export interface ApprovalVote {
  approver: string;
  outcome: ApprovalOutcome;
  decidedAt: string;
  decisionId: string;
}

export type ApprovalRequestStatus = 'open' | 'decided' | 'superseded';

/** One request for a decision on one artefact version; replaced when the version or approvers change. */
export interface ApprovalRequest {
  /** `${stepKey}/${gate}/v${version}/r${round}`: deterministic, and bound into every link. */
  requestId: string;
  stepKey: string;
  stepTitle: string;
  gate: string;
  title: string;
  artefact: ArtefactKind;
  artefactVersion: number;
  /**
   * Which version the approvers see: the n-th version of this artefact sent to them in this step.
   * The record's own version counts every edit (a roadmap's task edits before it settled), which
   * means nothing to someone who was sent version 1.
   */
  approvalVersion: number;
  /** Increases when the approvers are reassigned for the same version. */
  round: number;
  artefactSha256: string;
  approvers: Approver[];
  /** Approvals needed (k of n); one rejection or change request decides the request. */
  quorum: number;
  votes: ApprovalVote[];
  submittedBy?: string;
  issuedAt: string;
  remindersSent: number;
  resends: number;
  /** The escalation step has happened (whether or not someone above was found). */
  escalated: boolean;
  overdue: boolean;
  status: ApprovalRequestStatus;
  /** Why the request changed hands or was replaced, for the people reading the list. */
  note?: string;
}

/** A request with its timetable, as the API lists it. */
export interface ApprovalRequestView extends ApprovalRequest {
  approvals: number;
  /** Approvers who have not decided yet. */
  waitingFor: string[];
  nextReminderAt?: string;
  escalationAt?: string;
  dueAt: string;
  linkValidity: string;
}

export type RejectionCode =
  | 'not-in-step'
  | 'not-ready'
  | 'not-open'
  | 'decided'
  | 'superseded'
  | 'segregation-of-duties'
  | 'wrong-approver'
  | 'invalid'
  /** The stage is about to continue as new: the same message, sent again, reaches the next run. */
  | 'resting';

export interface Rejection {
  code: RejectionCode;
  reason: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

// ---------------------------------------------------------------- artefacts

/** Who submitted the current version, when the submission said so. */
export function submitterOf(f: ProgrammeFacts, artefact: ArtefactKind): string | undefined {
  return ARTEFACTS[artefact].document(f)?.submittedBy;
}

// ---------------------------------------------------------------- people

function personInRole(f: ProgrammeFacts, role: ApproverRole): Approver | undefined {
  const person = f.documents.scope?.people[role];
  return person ? { name: person.name, email: person.email, role } : undefined;
}

function ladder(f: ProgrammeFacts, policy: ApprovalPolicy): Approver[] {
  return policy.escalation.flatMap((rung): Approver[] => {
    if (typeof rung === 'string') {
      const person = personInRole(f, rung);
      return person ? [person] : [];
    }
    return [{ name: rung.name, email: rung.email, role: 'named' }];
  });
}

export function barred(policy: ApprovalPolicy, submitter: string | undefined, email: string): boolean {
  return policy.segregationOfDuties && submitter !== undefined && sameEmail(submitter, email);
}

/** The next person above `current` on the escalation ladder who is not already asked and may decide. */
export function nextOnLadder(
  f: ProgrammeFacts,
  policy: ApprovalPolicy,
  current: readonly Approver[],
  submitter: string | undefined,
): Approver | undefined {
  const rungs = ladder(f, policy);
  const highest = Math.max(-1, ...current.map((a) => rungs.findIndex((r) => sameEmail(r.email, a.email))));
  return rungs
    .slice(highest + 1)
    .find((r) => !current.some((a) => sameEmail(a.email, r.email)) && !barred(policy, submitter, r.email));
}

/**
 * Who decides the gate: the approvers named for it in the programme config, else the person in
 * the gate's role. Under segregation of duties the submitter is left out; when that leaves
 * nobody, the request goes to the next person on the escalation ladder.
 */
export function designatedApprovers(
  f: ProgrammeFacts,
  def: ApprovalDef,
  policy: ApprovalPolicy,
): { approvers: Approver[]; quorum: number; note?: string } {
  const submitter = submitterOf(f, def.artefact);
  const config = policy.gates[def.gate];
  const named: Approver[] = (config?.approvers ?? []).map((p) => ({
    name: p.name,
    email: p.email,
    role: 'named',
  }));
  const role = personInRole(f, def.approverRole);
  const candidates = named.length > 0 ? named : role ? [role] : [];
  const approvers = candidates.filter((a) => !barred(policy, submitter, a.email));
  const quorum = Math.max(1, config?.quorum ?? 1);
  if (approvers.length > 0) {
    const note =
      approvers.length < quorum
        ? `needs ${quorum} approvals but only ${approvers.length} approvers may decide; reassign one`
        : undefined;
    return { approvers, quorum, note };
  }
  const substitute = nextOnLadder(f, policy, candidates, submitter);
  if (!substitute) return { approvers: [], quorum, note: 'nobody may decide this gate; reassign it' };
  return {
    approvers: [substitute],
    quorum,
    note: `${submitter ?? 'the submitter'} submitted it and may not approve it, so it goes to ${substitute.email}`,
  };
}

// ---------------------------------------------------------------- requests

export function requestIdFor(stepKey: string, gate: string, version: number, round: number): string {
  return `${stepKey}/${gate}/v${version}/r${round}`;
}

/** A new request for the current version of the gate's artefact, issued now. */
export function newRequest(
  f: ProgrammeFacts,
  ctx: StepContext,
  def: ApprovalDef,
  policy: ApprovalPolicy,
  round: number,
  approvalVersion = 1,
): ApprovalRequest {
  const version = artefactVersion(f, def.artefact, ctx);
  const { approvers, quorum, note } = designatedApprovers(f, def, policy);
  return {
    requestId: requestIdFor(ctx.stepKey, def.gate, version, round),
    stepKey: ctx.stepKey,
    stepTitle: ctx.step.title,
    gate: def.gate,
    title: def.title,
    artefact: def.artefact,
    artefactVersion: version,
    approvalVersion,
    round,
    artefactSha256: ARTEFACTS[def.artefact].document(f)?.sha256 ?? '',
    approvers,
    quorum,
    votes: [],
    submittedBy: submitterOf(f, def.artefact),
    issuedAt: iso(ctx.now),
    remindersSent: 0,
    resends: 0,
    escalated: false,
    overdue: false,
    status: 'open',
    note,
  };
}

export const approvalsCount = (r: ApprovalRequest): number =>
  r.votes.filter((v) => v.outcome === 'approved').length;

/** Approvers who have not decided this request yet. */
export function waitingFor(r: ApprovalRequest): Approver[] {
  return r.approvers.filter((a) => !r.votes.some((v) => sameEmail(v.approver, a.email)));
}

export interface RequestTimetable {
  nextReminderAt?: number;
  escalationAt?: number;
  dueAt: number;
}

/**
 * Reminder k goes out k intervals after issue (k = 1..maxReminders); escalation one interval
 * after the last reminder; the gate is overdue `expiry` after issue. Everything counts from
 * the issue of this request, so a reassignment or a new version starts the clock again.
 */
export function timetable(r: ApprovalRequest, policy: ApprovalPolicy): RequestTimetable {
  const issued = Date.parse(r.issuedAt);
  return {
    nextReminderAt:
      r.remindersSent < policy.maxReminders
        ? addDuration(issued, policy.reminderInterval, r.remindersSent + 1)
        : undefined,
    escalationAt: r.escalated
      ? undefined
      : addDuration(issued, policy.reminderInterval, policy.maxReminders + 1),
    dueAt: addDuration(issued, policy.expiry),
  };
}

export type RequestEvent = 'reminder' | 'escalation' | 'expiry';

/** The next timed event of an open request, if any. */
export function nextEvent(
  r: ApprovalRequest,
  policy: ApprovalPolicy,
): { at: number; event: RequestEvent } | undefined {
  if (r.status !== 'open') return undefined;
  const t = timetable(r, policy);
  const candidates: { at: number; event: RequestEvent }[] = [];
  if (t.nextReminderAt !== undefined) candidates.push({ at: t.nextReminderAt, event: 'reminder' });
  if (t.escalationAt !== undefined) candidates.push({ at: t.escalationAt, event: 'escalation' });
  if (!r.overdue) candidates.push({ at: t.dueAt, event: 'expiry' });
  // Stable on ties: a reminder before an escalation before expiry, as the timetable reads.
  return candidates.sort((a, b) => a.at - b.at)[0];
}

export function requestView(r: ApprovalRequest, policy: ApprovalPolicy): ApprovalRequestView {
  const t = timetable(r, policy);
  const open = r.status === 'open';
  return {
    ...r,
    approvals: approvalsCount(r),
    waitingFor: open ? waitingFor(r).map((a) => a.email) : [],
    nextReminderAt: open && t.nextReminderAt !== undefined ? iso(t.nextReminderAt) : undefined,
    escalationAt: open && t.escalationAt !== undefined ? iso(t.escalationAt) : undefined,
    dueAt: iso(t.dueAt),
    linkValidity: policy.linkValidity,
  };
}

// ---------------------------------------------------------------- decisions

function describeApprovers(approvers: readonly Approver[]): string {
  if (approvers.length === 0) return 'nobody (reassign the request)';
  return approvers
    .map((a) => (a.role === 'named' ? a.email : `the ${a.role} (${a.email})`))
    .join(approvers.length === 2 ? ' or ' : ', ');
}

/**
 * Why a decision cannot be recorded now, or null. `request` is the gate's current request
 * (undefined for gates decided before requests existed). A decision from an e-mail link must
 * name the current request and artefact hash: a link to an earlier version or an earlier set
 * of approvers is superseded.
 */
export function approvalRejection(
  f: ProgrammeFacts,
  ctx: StepContext,
  request: ApprovalRequest | undefined,
  decision: DecisionInput,
  policy: ApprovalPolicy,
): Rejection | null {
  const def = ctx.step.approvals.find((a) => a.gate === decision.gate);
  if (!def) {
    const gates = ctx.step.approvals.map((a) => a.gate);
    return {
      code: 'not-in-step',
      reason: `gate ${decision.gate} is not decided in step ${ctx.step.id}${
        gates.length ? `; open gates here: ${gates.join(', ')}` : '; this step has no approval gates'
      }`,
    };
  }
  const version = artefactVersion(f, def.artefact, ctx);
  if (version === 0) return { code: 'not-ready', reason: `${def.title}: nothing is ready for approval yet` };
  const decided = decisionFor(f, ctx, def);
  if (decided) {
    return {
      code: 'decided',
      reason: `${def.title} v${version} was already ${decided.outcome.replace('_', ' ')} by ${decided.approver}`,
    };
  }
  const current =
    request && request.status === 'open' && request.artefactVersion === version ? request : undefined;
  const evidence = decision.evidence;
  if (
    evidence &&
    (!current ||
      current.requestId !== evidence.requestId ||
      current.artefactSha256 !== evidence.artefactSha256)
  ) {
    return {
      code: 'superseded',
      reason: `this link is for request ${evidence.requestId}, which has been replaced: ${def.title} is now at v${version}${
        current ? ` and waits on request ${current.requestId}` : ''
      }`,
    };
  }
  const submitter = submitterOf(f, def.artefact);
  if (barred(policy, submitter, decision.approver)) {
    return {
      code: 'segregation-of-duties',
      reason: `${decision.approver} submitted ${def.title} v${version} and may not approve it (segregation of duties)`,
    };
  }
  const eligible = current?.approvers ?? designatedApprovers(f, def, policy).approvers;
  if (!eligible.some((a) => sameEmail(a.email, decision.approver))) {
    return {
      code: 'wrong-approver',
      reason: `${def.title} is decided by ${describeApprovers(eligible)}, not ${decision.approver}`,
    };
  }
  if (current?.votes.some((v) => sameEmail(v.approver, decision.approver))) {
    return { code: 'decided', reason: `${decision.approver} has already decided ${def.title} v${version}` };
  }
  return null;
}

/**
 * Records an accepted decision. An approval short of the quorum is kept as a vote (and stored as
 * a decision record) while the gate stays open; the quorum-completing approval, or any
 * rejection or change request, decides the gate. Marks the request decided when it is.
 */
export function applyApproval(
  f: ProgrammeFacts,
  ctx: StepContext,
  request: ApprovalRequest | undefined,
  decision: DecisionInput,
  decisionId: string,
): Pick<RecordChanges, 'approvals' | 'gates'> {
  const def = ctx.step.approvals.find((a) => a.gate === decision.gate);
  if (!def) throw new Error(`gate ${decision.gate} is not in step ${ctx.step.id}`);
  const version = artefactVersion(f, def.artefact, ctx);
  const current = request?.status === 'open' && request.artefactVersion === version ? request : undefined;
  const decidedAt = iso(ctx.now);
  current?.votes.push({ approver: decision.approver, outcome: decision.outcome, decidedAt, decisionId });
  const approvals = current ? approvalsCount(current) : 1;
  const quorum = current?.quorum ?? 1;
  const state: ApprovalState = {
    gate: def.gate,
    artefact: def.artefact,
    artefactVersion: version,
    approverRole: def.approverRole,
    outcome: decision.outcome,
    approver: decision.approver,
    comment: decision.comment,
    decidedAt,
    artefactSha256: current?.artefactSha256 ?? ARTEFACTS[def.artefact].document(f)?.sha256,
    requestId: current?.requestId,
    channel: decision.evidence ? 'email' : decision.onBehalfOf ? 'on-behalf' : 'api',
    recordedBy: decision.recordedBy,
    onBehalfEvidence: decision.onBehalfOf?.evidence,
    clientIp: decision.evidence?.clientIp,
    userAgent: decision.evidence?.userAgent,
    ...(quorum > 1 || (decision.outcome === 'approved' && approvals < quorum)
      ? { quorum: `${approvals} of ${quorum}` }
      : {}),
  };
  const record = { ...state, decisionId, stepKey: ctx.stepKey };
  // An approval short of the quorum is a vote: stored, but the gate stays open.
  if (decision.outcome === 'approved' && approvals < quorum) return { approvals: [record] };
  const key = `${ctx.stepKey}/${def.gate}`;
  f.approvals[key] = state;
  if (current) current.status = 'decided';
  return { approvals: [record], gates: [{ key, state }] };
}

// ---------------------------------------------------------------- decisions through the API or a link

/** What an approval link adds to a decision: the request and artefact hash it was issued for, and who clicked. */
export interface DecisionEvidence {
  channel: 'email';
  requestId: string;
  artefactSha256: string;
  clientIp?: string;
  userAgent?: string;
}

export interface DecisionBody {
  gate: string;
  outcome: ApprovalOutcome;
  approver: string;
  comment?: string;
  /** The approver decided elsewhere (at a meeting); someone else records it from this evidence. */
  onBehalfOf?: { evidence: string };
}

/** `recordedBy`: the API key that recorded a decision through the API. */
export type DecisionInput = DecisionBody & { evidence?: DecisionEvidence; recordedBy?: string };
