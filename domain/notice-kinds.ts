/**
 * THE table of notice kinds, and the shape of a notice. Imports only names and types, so the
 * rules that raise notices (nc-follow-up.ts, notices.ts) share it without a cycle.
 */
import type { Person } from './people';
import type { NoticeKind } from './vocabulary';

export interface Notice {
  id: string;
  kind: NoticeKind;
  /** Workflow time (ms) at which it is due. */
  at: number;
  recipients: Person[];
  /** Template variables; plain strings so the template decides all wording. */
  facts: Record<string, string>;
}

export interface NoticeDefinition {
  /** Falls due with time rather than with an event: marked as sent in the facts once sent. */
  timed: boolean;
  /** The record whose text the mail activity adds to the template variables. */
  about?: 'task' | 'finding';
}

/** THE table of notice kinds (templates: services/mail/templates/notice-<kind>.*.hbs). */
export const NOTICES: Record<NoticeKind, NoticeDefinition> = {
  stageEntered: { timed: false },
  taskAssigned: { timed: false, about: 'task' },
  taskOverdue: { timed: true, about: 'task' },
  auditUpcoming: { timed: true },
  certificateExpiring: { timed: true },
  approvalOverdue: { timed: false },
  correctiveActionOverdue: { timed: false, about: 'finding' },
  correctiveActionEscalated: { timed: false, about: 'finding' },
  minorNcPlanOverdue: { timed: false, about: 'finding' },
};
