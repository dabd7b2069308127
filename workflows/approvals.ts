/**
 * The approval desk of a stage workflow: it keeps one approval request per gate whose current
 * artefact version awaits a decision, sends the request, reminder, escalation and notice mails
 * through activities, and runs their durable timers. It runs as a second coroutine beside the
 * stage's main loop, so a mail server that is down delays mail but never the journey: the gates
 * can still be decided through the API while a send is being retried.
 *
 * Everything here is deterministic: request ids, message ids and the timetable derive from
 * workflow state and workflow time only.
 */
import { ApplicationFailure, log, proxyActivities, setHandler } from '@temporalio/workflow';
import type { DomainRecords } from '../domain/contracts/persistence';
import type {
  ApprovalMail,
  ApprovalMailKind,
  NotificationActivities,
} from '../domain/contracts/notifications';
import {
  applyApproval,
  approvalPolicy,
  approvalRejection,
  approvalsCount,
  artefactLocation,
  barred,
  decisionFor,
  newRequest,
  nextEvent,
  nextOnLadder,
  requestIdFor,
  requestView,
  sameEmail,
  timetable,
  waitingFor,
  type ApprovalPolicy,
  type ApprovalRequest,
  type ApprovalRequestView,
  type Approver,
  type Rejection,
} from '../domain/approvals';
import { addDuration } from '../domain/durations';
import { artefactVersion, type StepContext } from '../domain/engine';
import {
  approvalOverdueNotice,
  scheduledNotices,
  stageEnteredNotice,
  taskAssignedNotice,
  type Notice,
} from '../domain/notices';
import type { ReassignApprovalBody, StageInput } from '../domain/schemas';
import type { DecisionInput, Dossier, PendingApproval, StageView } from '../domain/types';
import { Coroutine } from './coroutine';
import {
  INPUT_REJECTED,
  approvalRequestsQuery,
  reassignApprovalUpdate,
  resendApprovalUpdate,
} from '../domain/messages';

/** Stage workflows started before this existed replay without it (see README, changing workflows). */
export const EMAIL_APPROVALS_PATCH = 'email-approvals-v1';

const { sendApprovalMail, sendNotice } = proxyActivities<NotificationActivities>({
  startToCloseTimeout: '1 minute',
  // A mail server can be down for hours; keep trying, but not hammering.
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes' },
});

const iso = (ms: number) => new Date(ms).toISOString();

export function rejectWith(rejection: Rejection | null): void {
  if (!rejection) return;
  throw ApplicationFailure.create({
    type: INPUT_REJECTED,
    message: rejection.reason,
    nonRetryable: true,
    details: [{ code: rejection.code }],
  });
}

/** Notices whose id marks them done for the whole programme (they fall due with time, not events). */
const TIMED_NOTICES = new Set<Notice['kind']>(['taskOverdue', 'auditUpcoming', 'certificateExpiring']);

type Job =
  | { type: 'approval'; request: ApprovalRequest; kind: ApprovalMailKind; recipients: Approver[]; n?: number }
  | { type: 'notice'; notice: Notice };

export interface DeskContext {
  dossier: Dossier;
  stepKey: string;
  ctx: () => StepContext;
  /** Tells the programme (search attributes) that the overdue state changed. */
  reportProgress: () => Promise<void>;
}

export class ApprovalDesk extends Coroutine {
  private readonly requests = new Map<string, ApprovalRequest>();
  private readonly jobs: Job[] = [];
  /** Notices queued or sent by this step, so that a due notice is queued once. */
  private readonly queued = new Set<string>();
  private reportedOverdue = false;

  constructor(private readonly x: DeskContext) {
    super();
  }

  private get d(): Dossier {
    return this.x.dossier;
  }

  private get policy(): ApprovalPolicy {
    return approvalPolicy(this.x.dossier.config);
  }

  // ---------------------------------------------------------------- state

  /**
   * Aligns the requests with the dossier: a gate whose current version awaits a decision gets
   * a request (a new version supersedes the previous request, so its links stop working);
   * a decided version closes its request.
   */
  private reconcile(): void {
    const ctx = this.x.ctx();
    for (const def of ctx.step.approvals) {
      const version = artefactVersion(this.d, def.artefact, ctx);
      if (version === 0) continue;
      const current = this.requests.get(def.gate);
      const decided = decisionFor(this.d, ctx, def);
      if (current && current.artefactVersion === version) {
        if (decided && current.status === 'open') current.status = 'decided';
        continue;
      }
      if (decided) continue;
      if (current?.status === 'open') {
        current.status = 'superseded';
        current.note = `replaced: version ${version} was submitted`;
      }
      const request = newRequest(this.d, ctx, def, this.policy, 1);
      this.requests.set(def.gate, request);
      this.enqueueApproval(request, 'request', waitingFor(request));
    }
    this.rev++;
  }

  private enqueueApproval(
    request: ApprovalRequest,
    kind: ApprovalMailKind,
    recipients: Approver[],
    n?: number,
  ) {
    if (recipients.length > 0) this.jobs.push({ type: 'approval', request, kind, recipients, n });
    this.rev++;
  }

  private enqueueNotice(notice: Notice | undefined) {
    if (!notice || this.queued.has(notice.id) || notice.recipients.length === 0) return;
    this.queued.add(notice.id);
    this.jobs.push({ type: 'notice', notice });
    this.rev++;
  }

  private openRequest(gate: string): ApprovalRequest | undefined {
    const r = this.requests.get(gate);
    return r?.status === 'open' ? r : undefined;
  }

  overdue(): boolean {
    return [...this.requests.values()].some((r) => r.status === 'open' && r.overdue);
  }

  list(): ApprovalRequestView[] {
    const policy = this.policy;
    return [...this.requests.values()].map((r) => requestView(r, policy));
  }

  /** The stage view with each pending approval's request (who, reminders, escalation, due) and overdue. */
  view(v: StageView): StageView {
    const policy = this.policy;
    const withRequest = (p: PendingApproval): PendingApproval => {
      const r = this.openRequest(p.gate);
      if (!r || r.artefactVersion !== p.artefactVersion) return p;
      const t = requestView(r, policy);
      return {
        ...p,
        request: {
          requestId: r.requestId,
          artefactSha256: r.artefactSha256,
          approvers: r.approvers.map((a) => a.email),
          waitingFor: t.waitingFor,
          quorum: r.quorum,
          approvals: approvalsCount(r),
          remindersSent: r.remindersSent,
          nextReminderAt: t.nextReminderAt,
          escalationAt: t.escalationAt,
          escalatedTo: r.approvers.find((a) => a.escalated)?.email,
          dueAt: t.dueAt,
          overdue: r.overdue,
        },
      };
    };
    return {
      ...v,
      overdue: v.overdue || this.overdue(),
      pendingApprovals: v.pendingApprovals.map(withRequest),
    };
  }

  // ---------------------------------------------------------------- messages from the stage

  /** After an accepted input: new artefact versions get requests, new tasks a notice to their owner. */
  afterInput(input: StageInput, recordId: string | undefined): void {
    this.reconcile();
    if (input.kind === 'roadmapTask' && recordId) {
      const task = this.d.tasks[recordId];
      if (task) this.enqueueNotice(taskAssignedNotice(this.d, this.x.ctx(), task));
    }
  }

  decisionRejection(decision: DecisionInput): Rejection | null {
    return approvalRejection(this.d, this.x.ctx(), this.requests.get(decision.gate), decision, this.policy);
  }

  decide(decision: DecisionInput, decisionId: string): DomainRecords {
    const records = applyApproval(
      this.d,
      this.x.ctx(),
      this.requests.get(decision.gate),
      decision,
      decisionId,
    );
    this.reconcile();
    return records;
  }

  private resendRejection({ gate }: { gate: string }): Rejection | null {
    return this.openRequest(gate)
      ? null
      : { code: 'not-open', reason: `no approval request is open for gate ${gate} in this step` };
  }

  private resend({ gate }: { gate: string }): ApprovalRequestView {
    const r = this.openRequest(gate) as ApprovalRequest;
    r.resends += 1;
    this.enqueueApproval(r, 'resend', waitingFor(r), r.resends);
    return requestView(r, this.policy);
  }

  private reassignRejection(body: ReassignApprovalBody & { gate: string }): Rejection | null {
    const r = this.openRequest(body.gate);
    if (!r)
      return { code: 'not-open', reason: `no approval request is open for gate ${body.gate} in this step` };
    const email = body.approver.email;
    if (barred(this.policy, r.submittedBy, email)) {
      return {
        code: 'segregation-of-duties',
        reason: `${email} submitted ${r.title} v${r.artefactVersion} and may not approve it (segregation of duties)`,
      };
    }
    if (r.approvers.some((a) => sameEmail(a.email, email)))
      return { code: 'invalid', reason: `${email} is already asked to decide ${r.title}` };
    const waiting = waitingFor(r);
    if (body.replaces === undefined) {
      return waiting.length === 1
        ? null
        : {
            code: 'invalid',
            reason: `say which of ${waiting.map((a) => a.email).join(', ')} to replace (replaces)`,
          };
    }
    const replaces = body.replaces;
    return waiting.some((a) => sameEmail(a.email, replaces))
      ? null
      : { code: 'invalid', reason: `${replaces} is not an approver still to decide ${r.title}` };
  }

  /** A new round of the request: the replaced approver's links (and everyone's old links) stop working. */
  private reassign(body: ReassignApprovalBody & { gate: string }): ApprovalRequestView {
    const old = this.openRequest(body.gate) as ApprovalRequest;
    const replaced = body.replaces ?? waitingFor(old)[0].email;
    const incoming: Approver = { name: body.approver.name, email: body.approver.email, role: 'named' };
    const round = old.round + 1;
    const next: ApprovalRequest = {
      ...old,
      requestId: requestIdFor(old.stepKey, old.gate, old.artefactVersion, round),
      round,
      approvers: old.approvers.map((a) => (sameEmail(a.email, replaced) ? incoming : a)),
      votes: [...old.votes],
      issuedAt: iso(Date.now()),
      remindersSent: 0,
      resends: 0,
      escalated: false,
      overdue: false,
      status: 'open',
      note: `reassigned from ${replaced} to ${incoming.email}${body.reason ? `: ${body.reason}` : ''}`,
    };
    old.status = 'superseded';
    old.note = `reassigned to ${incoming.email}; replaced by ${next.requestId}`;
    this.requests.set(old.gate, next);
    this.enqueueApproval(next, 'reassigned', waitingFor(next));
    return requestView(next, this.policy);
  }

  /** Registers the query and the resend / reassign updates (validators are synchronous). */
  install(): void {
    setHandler(approvalRequestsQuery, () => this.list());
    setHandler(resendApprovalUpdate, (args) => Promise.resolve(this.resend(args)), {
      validator: (args: { gate: string }) => rejectWith(this.resendRejection(args)),
    });
    setHandler(reassignApprovalUpdate, (args) => Promise.resolve(this.reassign(args)), {
      validator: (args: ReassignApprovalBody & { gate: string }) => rejectWith(this.reassignRejection(args)),
    });
  }

  // ---------------------------------------------------------------- the timer loop

  /** Starts the loop; a failure other than cancellation is kept for the stage to rethrow. */
  start(): void {
    this.reconcile();
    this.enqueueNotice(stageEnteredNotice(this.d, this.x.ctx()));
    this.launch();
  }

  private nextWake(): number | undefined {
    const policy = this.policy;
    const times = [...this.requests.values()].flatMap((r) => {
      const e = nextEvent(r, policy);
      return e ? [e.at] : [];
    });
    for (const n of scheduledNotices(this.d, this.x.ctx(), policy))
      if (!this.queued.has(n.id)) times.push(n.at);
    return times.length > 0 ? Math.min(...times) : undefined;
  }

  private fireDue(now: number): void {
    const policy = this.policy;
    const ctx = this.x.ctx();
    for (const r of this.requests.values()) {
      // After a long outage several reminders may be due at once: one message says so.
      let remind = false;
      for (let e = nextEvent(r, policy); e && e.at <= now; e = nextEvent(r, policy)) {
        if (e.event === 'reminder') {
          r.remindersSent += 1;
          remind = true;
        } else if (e.event === 'escalation') {
          r.escalated = true;
          const target = nextOnLadder(this.d, policy, r.approvers, r.submittedBy);
          if (target) {
            const added: Approver = { ...target, escalated: true };
            r.approvers.push(added);
            r.note = `escalated to ${target.email} after ${r.remindersSent} reminders`;
            this.enqueueApproval(r, 'escalation', [added]);
          } else {
            r.note = 'nobody above the approvers on the escalation ladder';
          }
        } else {
          r.overdue = true;
          this.enqueueNotice(approvalOverdueNotice(this.d, ctx, r, iso(e.at)));
        }
      }
      if (remind) this.enqueueApproval(r, 'reminder', waitingFor(r), r.remindersSent);
    }
    for (const n of scheduledNotices(this.d, ctx, policy)) if (n.at <= now) this.enqueueNotice(n);
    this.rev++;
  }

  protected async run(): Promise<void> {
    while (!this.stopped) {
      if (this.overdue() !== this.reportedOverdue) {
        this.reportedOverdue = this.overdue();
        await this.x.reportProgress();
        continue;
      }
      const job = this.jobs.shift();
      if (job) {
        await this.perform(job);
        continue;
      }
      const now = Date.now();
      const wake = this.nextWake();
      if (wake !== undefined && wake <= now) {
        this.fireDue(now);
        continue;
      }
      await this.waitForChange(wake);
    }
  }

  private async perform(job: Job): Promise<void> {
    if (job.type === 'notice') {
      const { notice } = job;
      await sendNotice({
        noticeId: notice.id,
        kind: notice.kind,
        programmeId: this.d.programmeId,
        organisation: this.d.organisation,
        recipients: notice.recipients,
        sentAt: iso(Date.now()),
        facts: notice.facts,
      });
      if (TIMED_NOTICES.has(notice.kind)) (this.d.noticesSent ??= []).push(notice.id);
      return;
    }
    const { request: r, kind, recipients, n } = job;
    // Decided or replaced while the message waited: its links would only lead to an error page.
    if (r.status !== 'open') return;
    const now = Date.now();
    const policy = this.policy;
    const mail: ApprovalMail = {
      mailId: `${r.requestId}/${kind}${n === undefined ? '' : `/${n}`}`,
      kind,
      programmeId: this.d.programmeId,
      organisation: this.d.organisation,
      stepKey: r.stepKey,
      stepTitle: this.x.ctx().step.title,
      requestId: r.requestId,
      gate: r.gate,
      title: r.title,
      artefact: r.artefact,
      artefactVersion: r.artefactVersion,
      artefactSha256: r.artefactSha256,
      artefactLocation: artefactLocation(r.artefact),
      summary: r.summary,
      submittedBy: r.submittedBy,
      quorum: r.quorum,
      recipients,
      sentAt: iso(now),
      linkExpiresAt: iso(addDuration(now, policy.linkValidity)),
      dueAt: iso(timetable(r, policy).dueAt),
      reminder: kind === 'reminder' ? n : undefined,
      maxReminders: policy.maxReminders,
      note: r.note,
    };
    const result = await sendApprovalMail(mail);
    log.info('approval mail sent', {
      requestId: r.requestId,
      kind,
      sent: result.sent,
      skipped: result.skipped,
    });
  }
}

/** For stage workflows on the pre-patch path: the messages exist but there are no requests. */
export function installWithoutDesk(): void {
  const off: Rejection = {
    code: 'not-open',
    reason: 'approval e-mails are not enabled for this step (it started before they existed)',
  };
  // The validators always reject, so the handlers never run.
  const never = (): Promise<ApprovalRequestView> =>
    Promise.reject(ApplicationFailure.nonRetryable(off.reason, INPUT_REJECTED));
  setHandler(approvalRequestsQuery, () => []);
  setHandler(resendApprovalUpdate, never, { validator: (_args: { gate: string }) => rejectWith(off) });
  setHandler(reassignApprovalUpdate, never, {
    validator: (_args: ReassignApprovalBody & { gate: string }) => rejectWith(off),
  });
}
