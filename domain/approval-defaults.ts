/**
 * Defaults of the approval and notice settings of a programme (ProgrammeConfig). They live in a
 * module of their own so that config.ts (zod, API side) and approvals.ts (workflow side) share
 * them without either importing the other.
 */
import type { ApproverRole } from './vocabulary';

export const APPROVAL_DEFAULTS = {
  reminderInterval: 'P3D',
  maxReminders: 2,
  escalation: ['complianceLead', 'sponsor', 'topManagement'] as ApproverRole[],
  expiry: 'P14D',
  linkValidity: 'P30D',
  segregationOfDuties: true,
  auditNotice: 'P30D',
  certificateNotice: 'P90D',
  /** A roadmap's edits must have settled this long before its approval request goes out. */
  settle: 'PT30M',
};

export const DEFAULT_APPROVAL_SETTLE = APPROVAL_DEFAULTS.settle;
