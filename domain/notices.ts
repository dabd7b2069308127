/**
 * Notification e-mails besides approval requests: a step was entered, a task was assigned or
 * went overdue, a surveillance or recertification audit is coming up, a certificate is about to
 * expire, an approval went overdue, a corrective action is overdue or escalated, a minor NC's
 * plan is overdue. Each notice has a deterministic id, so the mail activity sends it at most
 * once however often a workflow (or a retry) asks. Pure.
 *
 * A notice carries facts only (ids, dates, names of people); the mail activity adds the text of
 * the record it is about (a task's title, a finding's description) from the database, as the
 * table below says, so no notice grows with what people wrote.
 */
import { addDuration } from './durations';
import { activeDeadline } from './deadlines';
import type { ProgrammeFacts, TaskFact } from './facts';
import { distinctPeople, sameEmail, type Person } from './people';
import type { StepContext } from './queries';
import type { Notice } from './notice-kinds';

export type { Notice, NoticeDefinition } from './notice-kinds';
export { NOTICES } from './notice-kinds';

const day = (iso: string) => iso.slice(0, 10);

const people = (f: ProgrammeFacts) => f.documents.scope?.people;
const leads = (f: ProgrammeFacts) => distinctPeople(people(f)?.complianceLead, people(f)?.sponsor);

/** Sent when a step starts; nobody is known before the scope names the people. */
export function stageEnteredNotice(f: ProgrammeFacts, ctx: StepContext): Notice | undefined {
  const recipients = leads(f);
  if (recipients.length === 0) return undefined;
  return {
    id: `stage-entered/${ctx.stepKey}`,
    kind: 'stageEntered',
    at: ctx.now,
    recipients,
    facts: { stepTitle: ctx.step.title, stage: ctx.step.stage, cycle: String(f.cycle) },
  };
}

function ownerOf(f: ProgrammeFacts, task: TaskFact): Person {
  const p = people(f);
  const known = [p?.complianceLead, p?.sponsor, p?.topManagement].find(
    (x) => x && sameEmail(x.email, task.owner),
  );
  return known ?? { name: task.owner, email: task.owner };
}

function taskFacts(task: TaskFact): Record<string, string> {
  return { taskId: task.id, requirementId: task.requirementId, deadline: day(task.deadline) };
}

export function taskAssignedNotice(f: ProgrammeFacts, ctx: StepContext, task: TaskFact): Notice {
  return {
    id: `task-assigned/${task.id}`,
    kind: 'taskAssigned',
    at: ctx.now,
    recipients: [ownerOf(f, task)],
    facts: taskFacts(task),
  };
}

export function taskOverdueNotice(f: ProgrammeFacts, task: TaskFact): Notice {
  return {
    id: `task-overdue/${task.id}`,
    kind: 'taskOverdue',
    at: Date.parse(task.deadline),
    recipients: distinctPeople(ownerOf(f, task), people(f)?.complianceLead),
    facts: taskFacts(task),
  };
}

/** Whether the step works on tasks, so that their overdue notices belong to it. */
export function stepWatchesTasks(ctx: StepContext): boolean {
  return ctx.step.accepts.includes('taskUpdate') || ctx.step.accepts.includes('roadmapTask');
}

/** The open task whose overdue notice falls due first and has not gone out. */
export function nextTaskOverdue(f: ProgrammeFacts, ctx: StepContext): Notice | undefined {
  if (!stepWatchesTasks(ctx) || !people(f)) return undefined;
  let next: TaskFact | undefined;
  for (const task of Object.values(f.tasks)) {
    if (task.status !== 'open' || task.overdueNoticeSent) continue;
    if (!next || Date.parse(task.deadline) < Date.parse(next.deadline)) next = task;
  }
  return next && taskOverdueNotice(f, next);
}

/**
 * Notices about the step and the certificate that fall due with time: the audit that keeps the
 * certificate alive (`auditNotice` before it is due) and the certificate's expiry
 * (`certificateNotice` before it). Already sent ones are left out. Task overdue notices come one
 * at a time from nextTaskOverdue.
 */
export function scheduledNotices(
  f: ProgrammeFacts,
  ctx: StepContext,
  policy: { auditNotice: string; certificateNotice: string },
): Notice[] {
  const sent = new Set(f.noticesSent);
  const notices: Notice[] = [];
  const deadline = activeDeadline(f, ctx);
  if (deadline && (deadline.id === 'surveillanceDue' || deadline.id === 'recertificationDue')) {
    const due = Date.parse(deadline.dueAt);
    if (ctx.now < due) {
      notices.push({
        id: `audit-upcoming/${ctx.stepKey}/${deadline.id}`,
        kind: 'auditUpcoming',
        at: addDuration(due, policy.auditNotice, -1),
        recipients: leads(f),
        facts: {
          stepTitle: ctx.step.title,
          dueOn: day(deadline.dueAt),
          audit: deadline.id === 'surveillanceDue' ? 'surveillance audit' : 'recertification audit',
        },
      });
    }
  }
  const cert = f.certificate;
  if (cert && cert.status === 'ACTIVE' && ctx.now < Date.parse(cert.expiresOn)) {
    const p = people(f);
    notices.push({
      id: `certificate-expiring/${cert.number}`,
      kind: 'certificateExpiring',
      at: addDuration(Date.parse(cert.expiresOn), policy.certificateNotice, -1),
      recipients: distinctPeople(p?.sponsor, p?.complianceLead, p?.topManagement),
      facts: { certificateNumber: cert.number, expiresOn: day(cert.expiresOn) },
    });
  }
  return notices.filter((n) => !sent.has(n.id) && n.recipients.length > 0);
}

/** When a request passes its expiry undecided: its approvers and the compliance lead hear of it. */
export function approvalOverdueNotice(
  f: ProgrammeFacts,
  ctx: StepContext,
  r: { requestId: string; title: string; artefactVersion: number },
  waiting: readonly Person[],
  dueAt: string,
): Notice {
  return {
    id: `approval-overdue/${r.requestId}`,
    kind: 'approvalOverdue',
    at: ctx.now,
    recipients: distinctPeople(...waiting, people(f)?.complianceLead),
    facts: {
      gateTitle: r.title,
      version: String(r.artefactVersion),
      stepTitle: ctx.step.title,
      dueAt,
      waitingFor: waiting.map((a) => a.email).join(', '),
    },
  };
}
