/** Message definitions shared by the workflows and the client gateway. */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalRequestView, DecisionInput } from './approvals';
import type { AuditAnchor } from './audit-chain';
import type { DiscoveryEvent } from './discoveries';
import type { Submission } from './inputs';
import type { ReassignApprovalBody } from './schemas';
import type { CertificateFacts, DecisionAccepted, InputAccepted, ProgrammeView, StageView } from './views';

/** Rejections from validators carry this type; the API answers them with 409. */
export const INPUT_REJECTED = 'InputRejected';

/** A stage input: its kind, its facts and where the API stored its body (domain/inputs/). */
export const submitInputUpdate = defineUpdate<InputAccepted, [Submission]>('submitInput');
export const recordDecisionUpdate = defineUpdate<DecisionAccepted, [DecisionInput]>('recordDecision');
export const stageViewQuery = defineQuery<StageView>('stageView');

/** The approval requests of the running step (current round of each gate). */
export const approvalRequestsQuery = defineQuery<ApprovalRequestView[]>('approvalRequests');
/** Sends the open request of a gate again, with the same links, to those who have not decided. */
export const resendApprovalUpdate = defineUpdate<ApprovalRequestView, [{ gate: string }]>('resendApproval');
/** Replaces an approver: the old links stop working, new ones go out, and the clock restarts. */
export const reassignApprovalUpdate = defineUpdate<
  ApprovalRequestView,
  [ReassignApprovalBody & { gate: string }]
>('reassignApproval');

export const programmeViewQuery = defineQuery<ProgrammeView>('programmeView');
/**
 * New AI systems in scope found by an inventory scan or import: the programme forwards it to
 * the running stage, which reads them from the scan's record and opens an impact-assessment
 * task for each (domain/discoveries.ts).
 */
export const aiSystemsDiscoveredSignal = defineSignal<[DiscoveryEvent]>('aiSystemsDiscovered');
/** A signal, not an update: withdrawal must be accepted even when no worker is running. */
export const withdrawSignal = defineSignal<[{ reason: string }]>('withdraw');

export interface StageProgress {
  stepKey: string;
  nextDueAt?: string;
  overdue: boolean;
  certificate?: CertificateFacts;
}
/** Sent by a stage to its programme so that search attributes follow deadlines and lapses. */
export const stageProgressSignal = defineSignal<[StageProgress]>('stageProgress');

/** The audit-trail anchors the programme keeps in its history (workflows/audit-anchor.ts). */
export const auditAnchorsQuery = defineQuery<AuditAnchor[]>('auditAnchors');
