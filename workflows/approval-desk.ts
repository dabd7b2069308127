/**
 * The approval desk of a stage workflow: it keeps one approval request per gate whose current
 * artefact version awaits a decision, sends the request, reminder, escalation and notice mails
 * through activities, and runs their durable timers. It runs as a second loop beside the
 * stage's main loop, so a mail server that is down delays mail but never the journey: the gates
 * can still be decided through the API while a send is being retried.
 *
 * An artefact assembled from many records (the roadmap) is sent for approval once its edits
 * have settled: each edit pushes the request back by `approvalSettle`, so adding a thousand
 * tasks makes one request, not a thousand.
 *
 * Everything here is deterministic: request ids, message ids and the timetable derive from
 * workflow state and workflow time only.
 */
import {
  ApplicationFailure,
  ParentClosePolicy,
  log,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  applyApproval,
  approvalPolicy,
  approvalRejection,
  approvalsCount,
  barred,
  nextEvent,
  nextOnLadder,
  newRequest,
  requestIdFor,
  requestView,
  sameEmail,
  timetable,
  waitingFor,
  type ApprovalPolicy,
  type ApprovalRequest,
  type ApprovalRequestView,
  type Approver,
  type DecisionInput,
  type Rejection,
} from '../domain/approvals';
import { ARTEFACTS, artefactLocation } from '../domain/artefacts';
import { DEFAULT_APPROVAL_SETTLE } from '../domain/approval-defaults';
import { reportChildMetadata } from '../domain/child-metadata';
import type { RecordChanges } from '../domain/contracts/persistence';
import type {
  ApprovalMail,
  ApprovalMailKind,
  NotificationActivities,
} from '../domain/contracts/notifications';
import type { StageCarry } from '../domain/contracts/workflows';
import { addDuration } from '../domain/durations';
import type { ProgrammeFacts } from '../domain/facts';
import {
  INPUT_REJECTED,
  approvalRequestsQuery,
  reassignApprovalUpdate,
  resendApprovalUpdate,
} from '../domain/messages';
import {
  NOTICES,
  approvalOverdueNotice,
  nextTaskOverdue,
  scheduledNotices,
  stageEnteredNotice,
  taskAssignedNotice,
  type Notice,
} from '../domain/notices';
import type { StepContext } from '../domain/queries';
import { REPORT_FOR_GATE } from '../domain/report-kinds';
import type { ReassignApprovalBody } from '../domain/schemas';
import { artefactVersion, decisionFor } from '../domain/step-status';
import type { PendingApproval, StageView } from '../domain/views';
import { ConcurrentLoop } from './concurrent-loop';
import { reportWorkflow } from './report';

const { sendApprovalMail, sendNotices } = proxyActivities<NotificationActivities>({
  startToCloseTimeout: '1 minute',
  // A mail server can be down for hours; keep trying, but not hammering.
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes' },
});

const iso = (ms: number) => new Date(ms).toISOString();

/** Notices sent by one activity at most: a batch stays a small payload. */
const NOTICE_BATCH = 50;

export function rejectWith(rejection: Rejection | null): void {
  if (!rejection) return;
  throw ApplicationFailure.create({
    type: INPUT_REJECTED,
    message: rejection.reason,
    nonRetryable: true,
    details: [{ code: rejection.code }],
  });
}

type Job =
  | { type: 'approval'; request: ApprovalRequest; kind: ApprovalMailKind; recipients: Approver[]; n?: number }
  | { type: 'notice'; notice: Notice; taskId?: string }
  | { type: 'report'; request: ApprovalRequest };

export interface DeskContext {
  facts: ProgrammeFacts;
  stepKey: string;
  ctx: () => StepContext;
  /** Writes what a fired timer changed (a task's overdue notice, the notices sent). */
  save: (changes: RecordChanges) => Promise<void>;
  /** Tells the programme (search attributes) that the overdue state changed. */
  reportProgress: () => Promise<void>;
  /** The requests and settling versions a stage that continued as new carried over. */
  carried?: StageCarry;
}

/** A settling version: when its request falls due. */
interface Settling {
  version: number;
  dueAt: number;
}

export class ApprovalDesk extends ConcurrentLoop {
  private readonly requests = new Map<string, ApprovalRequest>();
  private readonly settling = new Map<string, Settling>();
  private readonly jobs: Job[] = [];
  /** Notices queued or sent by this run, so that a due notice is queued once. */
  private readonly queued = new Set<string>();
  private reportedOverdue = false;

  constructor(private readonly x: DeskContext) {
    super();
    for (const r of x.carried?.requests ?? []) this.requests.set(r.gate, r);
    for (const [gate, s] of Object.entries(x.carried?.settling ?? {})) {
      const [version, dueAt] = s.split('@');
      this.settling.set(gate, { version: Number(version), dueAt: Date.parse(dueAt) });
    }
  }

  private get f(): ProgrammeFacts {
    return this.x.facts;
  }

  private get policy(): ApprovalPolicy {
    return approvalPolicy(this.f.config);
  }

  private get settle(): string {
    return this.f.config.approvalSettle ?? DEFAULT_APPROVAL_SETTLE;
  }

  /** What a stage continuing as new hands to its next run. */
  carry(): Pick<StageCarry, 'requests' | 'settling'> {
    return {
      requests: [...this.requests.values()],
      settling: Object.fromEntries([...this.settling].map(([g, s]) => [g, `${s.version}@${iso(s.dueAt)}`])),
    };
  }

  /** Mail and reports still to send: a stage continues as new only when there are none. */
  get idle(): boolean {
    return this.jobs.length === 0;
  }

  // ---------------------------------------------------------------- state

  /**
   * Aligns the requests with the facts: a gate whose current version awaits a decision gets a
   * request (a new version supersedes the previous request, so its links stop working), once
   * its edits have settled for artefacts that settle; a decided version closes its request.
   */
  private reconcile(): void {
    const ctx = this.x.ctx();
    for (const def of ctx.step.approvals) {
      const version = artefactVersion(this.f, def.artefact, ctx);
      if (version === 0) continue;
      const current = this.requests.get(def.gate);
      const decided = decisionFor(this.f, ctx, def);
      if (current && current.artefactVersion === version) {
        if (decided && current.status === 'open') current.status = 'decided';
        continue;
      }
      if (current?.status === 'open') {
        current.status = 'superseded';
        current.note = `replaced: version ${version} was submitted`;
      }
      if (decided) {
        // Decided before it settled (changes requested at once): nothing is left to wait for.
        this.settling.delete(def.gate);
        continue;
      }
      if (ARTEFACTS[def.artefact].settles) {
        const settling = this.settling.get(def.gate);
        if (!settling || settling.version !== version) {
          this.settling.set(def.gate, { version, dueAt: addDuration(ctx.now, this.settle) });
        }
        if ((this.settling.get(def.gate)?.dueAt ?? 0) > ctx.now) continue;
        this.settling.delete(def.gate);
      }
      const request = newRequest(this.f, ctx, def, this.policy, 1, (current?.approvalVersion ?? 0) + 1);
      this.requests.set(def.gate, request);
      this.enqueueApproval(request, 'request', waitingFor(request));
      if (REPORT_FOR_GATE[def.gate]) this.jobs.push({ type: 'report', request });
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

  private enqueueNotice(notice: Notice | undefined, taskId?: string) {
    if (!notice || this.queued.has(notice.id) || notice.recipients.length === 0) return;
    this.queued.add(notice.id);
    this.jobs.push({ type: 'notice', notice, taskId });
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
      const settling = this.settling.get(p.gate);
      if (settling && settling.version === p.artefactVersion)
        return { ...p, requestDueAt: iso(settling.dueAt) };
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
    // Once a request is out, it names who decides: after a reassignment or a segregation-of-duties
    // reroute that is not the person in the gate's role, and the view must not say it is.
    const waitingOn = (gate: string, reason: string): string => {
      const r = this.openRequest(gate);
      if (!r) return reason;
      const waiting = new Set(requestView(r, policy).waitingFor);
      const who = r.approvers.filter((a) => waiting.has(a.email)).map((a) => `${a.name} (${a.email})`);
      if (who.length === 0) return reason;
      return `${r.title} v${r.artefactVersion}: awaiting a decision by ${who.join(', ')}${r.note ? `; ${r.note}` : ''}`;
    };
    return {
      ...v,
      overdue: v.overdue || this.overdue(),
      unmetGates: v.unmetGates.map((g) =>
        g.gate.startsWith('approval:')
          ? { ...g, reason: waitingOn(g.gate.slice('approval:'.length), g.reason) }
          : g,
      ),
      pendingApprovals: v.pendingApprovals.map((p) => {
        const viewed = withRequest(p);
        const first = viewed.request?.waitingFor[0] ?? viewed.request?.approvers[0];
        return first ? { ...viewed, approverEmail: first } : viewed;
      }),
    };
  }

  // ---------------------------------------------------------------- messages from the stage

  /** After an accepted input: new artefact versions get requests, a new task a notice to its owner. */
  afterInput(newTaskIds: readonly string[] = []): void {
    this.reconcile();
    for (const id of newTaskIds) {
      const task = this.f.tasks[id];
      if (task) this.enqueueNotice(taskAssignedNotice(this.f, this.x.ctx(), task));
    }
  }

  decisionRejection(decision: DecisionInput): Rejection | null {
    return approvalRejection(this.f, this.x.ctx(), this.requests.get(decision.gate), decision, this.policy);
  }

  decide(decision: DecisionInput, decisionId: string): RecordChanges {
    const changes = applyApproval(
      this.f,
      this.x.ctx(),
      this.requests.get(decision.gate),
      decision,
      decisionId,
    );
    this.reconcile();
    return changes;
  }

  resendRejection({ gate }: { gate: string }): Rejection | null {
    return this.openRequest(gate)
      ? null
      : { code: 'not-open', reason: `no approval request is open for gate ${gate} in this step` };
  }

  resend({ gate }: { gate: string }): ApprovalRequestView {
    const r = this.openRequest(gate) as ApprovalRequest;
    r.resends += 1;
    this.enqueueApproval(r, 'resend', waitingFor(r), r.resends);
    return requestView(r, this.policy);
  }

  reassignRejection(body: ReassignApprovalBody & { gate: string }): Rejection | null {
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
  reassign(body: ReassignApprovalBody & { gate: string }): ApprovalRequestView {
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

  /**
   * Registers the approval-request query and the resend / reassign updates before the desk
   * exists (a stage registers its handlers before it has loaded its facts, so that nothing
   * arriving meanwhile is refused for want of a handler); `guard` turns updates away until
   * the desk is there and while the stage rests. Validators are synchronous.
   */
  static installHandlers(desk: () => ApprovalDesk | undefined, guard: () => void): void {
    const ready = (): ApprovalDesk => {
      guard();
      return desk() as ApprovalDesk;
    };
    setHandler(approvalRequestsQuery, () => desk()?.list() ?? []);
    setHandler(resendApprovalUpdate, (args) => Promise.resolve(ready().resend(args)), {
      validator: (args: { gate: string }) => rejectWith(ready().resendRejection(args)),
    });
    setHandler(reassignApprovalUpdate, (args) => Promise.resolve(ready().reassign(args)), {
      validator: (args: ReassignApprovalBody & { gate: string }) =>
        rejectWith(ready().reassignRejection(args)),
    });
  }

  // ---------------------------------------------------------------- the timer loop

  /** Starts the loop; a failure other than cancellation is kept for the stage to rethrow. */
  start(): void {
    this.reconcile();
    if (!this.x.carried) this.enqueueNotice(stageEnteredNotice(this.f, this.x.ctx()));
    this.launch();
  }

  private nextWake(): number | undefined {
    const policy = this.policy;
    const ctx = this.x.ctx();
    const times = [...this.requests.values()].flatMap((r) => {
      const e = nextEvent(r, policy);
      return e ? [e.at] : [];
    });
    for (const s of this.settling.values()) times.push(s.dueAt);
    for (const n of scheduledNotices(this.f, ctx, policy)) if (!this.queued.has(n.id)) times.push(n.at);
    const task = nextTaskOverdue(this.f, ctx);
    if (task && !this.queued.has(task.id)) times.push(task.at);
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
          const target = nextOnLadder(this.f, policy, r.approvers, r.submittedBy);
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
          this.enqueueNotice(approvalOverdueNotice(this.f, ctx, r, waitingFor(r), iso(e.at)));
        }
      }
      if (remind) this.enqueueApproval(r, 'reminder', waitingFor(r), r.remindersSent);
    }
    if ([...this.settling.values()].some((s) => s.dueAt <= now)) this.reconcile();
    for (const n of scheduledNotices(this.f, ctx, policy)) if (n.at <= now) this.enqueueNotice(n);
    for (
      let task = nextTaskOverdue(this.f, ctx);
      task && task.at <= now;
      task = nextTaskOverdue(this.f, ctx)
    ) {
      if (this.queued.has(task.id)) break;
      this.enqueueNotice(task, task.facts.taskId);
    }
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
      if (job?.type === 'notice') {
        // Notices queued together go out together: a burst of new tasks is one activity.
        const batch = [job];
        while (batch.length < NOTICE_BATCH && this.jobs[0]?.type === 'notice')
          batch.push(this.jobs.shift() as Extract<Job, { type: 'notice' }>);
        await this.sendNoticeJobs(batch);
        continue;
      }
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

  private async perform(job: Exclude<Job, { type: 'notice' }>): Promise<void> {
    if (job.type === 'report') return this.requestReport(job.request);
    const { request: r, kind, recipients, n } = job;
    // Decided or replaced while the message waited: its links would only lead to an error page.
    if (r.status !== 'open') return;
    const now = Date.now();
    const policy = this.policy;
    const mail: ApprovalMail = {
      mailId: `${r.requestId}/${kind}${n === undefined ? '' : `/${n}`}`,
      kind,
      programmeId: this.f.programmeId,
      organisation: this.f.organisation,
      stepKey: r.stepKey,
      stepTitle: this.x.ctx().step.title,
      requestId: r.requestId,
      gate: r.gate,
      title: r.title,
      artefact: r.artefact,
      artefactVersion: r.artefactVersion,
      approvalVersion: r.approvalVersion,
      artefactSha256: r.artefactSha256,
      artefactLocation: artefactLocation(r.artefact),
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

  private async sendNoticeJobs(jobs: Extract<Job, { type: 'notice' }>[]): Promise<void> {
    const sentAt = iso(Date.now());
    await sendNotices(
      jobs.map(({ notice }) => ({
        noticeId: notice.id,
        kind: notice.kind,
        programmeId: this.f.programmeId,
        organisation: this.f.organisation,
        recipients: notice.recipients,
        sentAt,
        facts: notice.facts,
      })),
    );
    // Timed notices are marked in the facts, so a later step (or run) does not send them again.
    const timed = jobs.filter((j) => NOTICES[j.notice.kind].timed);
    if (timed.length === 0) return;
    const tasks = timed.flatMap((j) => (j.taskId && this.f.tasks[j.taskId] ? [this.f.tasks[j.taskId]] : []));
    for (const task of tasks) task.overdueNoticeSent = true;
    for (const j of timed) if (!j.taskId) this.f.noticesSent.push(j.notice.id);
    await this.x.save({ tasks: tasks.map((fact) => ({ fact })) });
  }

  /** The report an approver decides on is generated when its request goes out (once per version). */
  private async requestReport(r: ApprovalRequest): Promise<void> {
    const kind = REPORT_FOR_GATE[r.gate];
    if (!kind) return;
    const parent = workflowInfo().parent?.workflowId ?? workflowInfo().workflowId;
    try {
      await startChild(reportWorkflow, {
        workflowId: `${parent}/report/${kind}/-/${r.gate}-v${r.artefactVersion}`,
        args: [{ programmeId: this.f.programmeId, kind, key: '' }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        ...reportChildMetadata({
          programmeId: this.f.programmeId,
          organisation: this.f.organisation,
          kind,
          version: r.artefactVersion,
        }),
      });
    } catch (err) {
      // Asked for before (an earlier run of this stage): one generation per version is enough.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
}
