/**
 * Defaults of the approval and notice settings of a programme (ProgrammeConfig). They live in a
 * module of their own so that schemas.ts (zod, API side) and approvals.ts (workflow side) share
 * them without either importing the other.
 */
import type { ApproverRole } from './types';

export const APPROVER_ROLES = [
  'complianceLead',
  'sponsor',
  'topManagement',
] as const satisfies readonly ApproverRole[];

export const APPROVAL_DEFAULTS = {
  reminderInterval: 'P3D',
  maxReminders: 2,
  escalation: ['complianceLead', 'sponsor', 'topManagement'] as ApproverRole[],
  expiry: 'P14D',
  linkValidity: 'P30D',
  segregationOfDuties: true,
  auditNotice: 'P30D',
  certificateNotice: 'P90D',
};
