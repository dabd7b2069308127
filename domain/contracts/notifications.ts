/**
 * The mail activities the stage workflow calls (imported there as types only). Both are
 * idempotent: every message has a deterministic id, and a sent-log in the database makes a
 * retried or replayed call skip the messages that already went out.
 */
import type { Approver } from '../approvals';
import type { Person } from '../people';
import type { ArtefactKind, NoticeKind } from '../vocabulary';

export type ApprovalMailKind = 'request' | 'reminder' | 'escalation' | 'resend' | 'reassigned';

export interface ApprovalMail {
  /** Deterministic per send, e.g. `${requestId}/reminder/2`; with the recipient it makes the Message-ID. */
  mailId: string;
  kind: ApprovalMailKind;
  programmeId: string;
  organisation: string;
  stepKey: string;
  stepTitle: string;
  requestId: string;
  gate: string;
  title: string;
  artefact: ArtefactKind;
  artefactVersion: number;
  /** The version as the approvers count it (ApprovalRequest.approvalVersion). */
  approvalVersion: number;
  artefactSha256: string;
  /** Where the stored artefact can be downloaded; absent for the roadmap (see the tasks list). */
  artefactLocation?: { kind: string; key: string };
  submittedBy?: string;
  quorum: number;
  /** Each recipient gets their own message with links bound to them. */
  recipients: Approver[];
  /** Workflow time of this send; the links expire `linkValidity` later. */
  sentAt: string;
  linkExpiresAt: string;
  /** When the gate becomes overdue without a decision. */
  dueAt: string;
  reminder?: number;
  maxReminders: number;
  note?: string;
}

export interface NoticeMail {
  noticeId: string;
  kind: NoticeKind;
  programmeId: string;
  organisation: string;
  recipients: Person[];
  sentAt: string;
  facts: Record<string, string>;
}

export interface MailResult {
  /** Messages handed to the transport by this call. */
  sent: number;
  /** Messages the sent-log shows as already delivered (a retry or a replay). */
  skipped: number;
}

export interface NotificationActivities {
  /** Sends one approval message per recipient, each with Approve / Reject / Request-changes links. */
  sendApprovalMail(mail: ApprovalMail): Promise<MailResult>;
  sendNotice(notice: NoticeMail): Promise<MailResult>;
  /** Sends several notices in one call (a burst of new tasks makes one activity, not one each). */
  sendNotices(notices: NoticeMail[]): Promise<MailResult>;
}
