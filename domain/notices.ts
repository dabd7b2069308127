/**
 * Notification e-mails besides approval requests: a stage was entered, a task was assigned or
 * went overdue, a surveillance or recertification audit is coming up, a certificate is about to
 * expire, an approval went overdue. Each notice has a deterministic id, so the mail activity
 * can send it at most once however often a workflow (or a retry) asks. Pure.
 */
import { addDuration } from './durations';
import type { StepContext } from './engine';
import { activeDeadline } from './engine';
import type { ApprovalPolicy, ApprovalRequest } from './approvals';
import { waitingFor } from './approvals';
import type { Person } from './schemas';
import { distinctPeople } from './people';
import type { Dossier, RoadmapTask } from './types';

export const NOTICE_KINDS = [
  'stageEntered',
  'taskAssigned',
  'taskOverdue',
  'auditUpcoming',
  'certificateExpiring',
  'approvalOverdue',
  // Nonconformity follow-up (domain/nc-follow-up.ts).
  'correctiveActionOverdue',
  'correctiveActionEscalated',
  'minorNcPlanOverdue',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export interface Notice {
  id: string;
  kind: NoticeKind;
  /** Workflow time (ms) at which it is due. */
  at: number;
  recipients: Person[];
  /** Template variables; plain strings so the template decides all wording. */
  facts: Record<string, string>;
}

const day = (iso: string) => iso.slice(0, 10);

const leads = (d: Dossier) => distinctPeople(d.scope?.body.complianceLead, d.scope?.body.sponsor);

/** Sent when a step starts; nobody is known before the scope names the people. */
export function stageEnteredNotice(d: Dossier, ctx: StepContext): Notice | undefined {
  const recipients = leads(d);
  if (recipients.length === 0) return undefined;
  return {
    id: `stage-entered/${ctx.stepKey}`,
    kind: 'stageEntered',
    at: ctx.now,
    recipients,
    facts: { stepTitle: ctx.step.title, stage: ctx.step.stage, cycle: String(d.cycle) },
  };
}

function ownerOf(d: Dossier, task: RoadmapTask): Person {
  const known = [d.scope?.body.complianceLead, d.scope?.body.sponsor, d.scope?.body.topManagement].find(
    (p) => p?.email.toLowerCase() === task.owner.toLowerCase(),
  );
  return known ?? { name: task.owner, email: task.owner };
}

function taskFacts(task: RoadmapTask): Record<string, string> {
  return {
    taskId: task.id,
    taskTitle: task.title,
    requirementId: task.requirementId,
    deadline: day(task.deadline),
  };
}

export function taskAssignedNotice(d: Dossier, ctx: StepContext, task: RoadmapTask): Notice {
  return {
    id: `task-assigned/${task.id}`,
    kind: 'taskAssigned',
    at: ctx.now,
    recipients: [ownerOf(d, task)],
    facts: taskFacts(task),
  };
}

/**
 * Notices that fall due with time in this step: open tasks past their deadline (in the steps
 * that work on tasks), the audit that keeps the certificate alive (`auditNotice` before it is
 * due) and the certificate's expiry (`certificateNotice` before it). Already sent ones are left out.
 */
export function scheduledNotices(d: Dossier, ctx: StepContext, policy: ApprovalPolicy): Notice[] {
  const sent = new Set(d.noticesSent ?? []);
  const notices: Notice[] = [];
  if (ctx.step.accepts.includes('taskUpdate') || ctx.step.accepts.includes('roadmapTask')) {
    for (const task of Object.values(d.tasks)) {
      if (task.status !== 'open') continue;
      notices.push({
        id: `task-overdue/${task.id}`,
        kind: 'taskOverdue',
        at: Date.parse(task.deadline),
        recipients: distinctPeople(ownerOf(d, task), d.scope?.body.complianceLead),
        facts: taskFacts(task),
      });
    }
  }
  const deadline = activeDeadline(d, ctx);
  if (deadline && (deadline.id === 'surveillanceDue' || deadline.id === 'recertificationDue')) {
    const due = Date.parse(deadline.dueAt);
    if (ctx.now < due) {
      notices.push({
        id: `audit-upcoming/${ctx.stepKey}/${deadline.id}`,
        kind: 'auditUpcoming',
        at: addDuration(due, policy.auditNotice, -1),
        recipients: leads(d),
        facts: {
          stepTitle: ctx.step.title,
          dueOn: day(deadline.dueAt),
          audit: deadline.id === 'surveillanceDue' ? 'surveillance audit' : 'recertification audit',
        },
      });
    }
  }
  const cert = d.certificate;
  if (cert && cert.status === 'ACTIVE' && ctx.now < Date.parse(cert.expiresOn)) {
    notices.push({
      id: `certificate-expiring/${cert.number}`,
      kind: 'certificateExpiring',
      at: addDuration(Date.parse(cert.expiresOn), policy.certificateNotice, -1),
      recipients: distinctPeople(
        d.scope?.body.sponsor,
        d.scope?.body.complianceLead,
        d.scope?.body.topManagement,
      ),
      facts: { certificateNumber: cert.number, expiresOn: day(cert.expiresOn) },
    });
  }
  return notices.filter((n) => !sent.has(n.id) && n.recipients.length > 0);
}

/** When a request passes its expiry undecided: its approvers and the compliance lead hear of it. */
export function approvalOverdueNotice(
  d: Dossier,
  ctx: StepContext,
  r: ApprovalRequest,
  dueAt: string,
): Notice {
  return {
    id: `approval-overdue/${r.requestId}`,
    kind: 'approvalOverdue',
    at: ctx.now,
    recipients: distinctPeople(...waitingFor(r), d.scope?.body.complianceLead),
    facts: {
      gateTitle: r.title,
      version: String(r.artefactVersion),
      stepTitle: ctx.step.title,
      dueAt: dueAt,
      waitingFor: waitingFor(r)
        .map((a) => a.email)
        .join(', '),
    },
  };
}
