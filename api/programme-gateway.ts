/**
 * What the HTTP layer needs from the workflow engine. The Temporal implementation lives in
 * temporal-gateway.ts; keeping the interface here keeps route handlers free of SDK details.
 */
import type { ApprovalRequestView, DecisionInput } from '../domain/approvals';
import type { Submission } from '../domain/inputs';
import type { ProgrammeConfig, ReassignApprovalBody } from '../domain/schemas';
import type {
  DecisionAccepted,
  InputAccepted,
  ProgrammeView,
  StageView,
  WorkflowProblem,
} from '../domain/views';

/** A programme's workflow id: the id operators search for in the Temporal UI. */
export const defaultWorkflowId = (programmeId: string): string => `programme-${programmeId}`;

export interface StartProgramme {
  programmeId: string;
  organisation: string;
  name: string;
  config: ProgrammeConfig;
}

export interface LiveProgramme extends ProgrammeView {
  /** Details of the running stage; absent between stages and after withdrawal. */
  currentStage?: StageView;
}

export interface ProgrammeGateway {
  start(programme: StartProgramme): Promise<{ workflowId: string }>;
  /** @throws NotFoundError when no programme workflow has that id */
  view(programmeId: string): Promise<LiveProgramme>;
  /**
   * Sends an input's facts (its body is stored already) to the running stage.
   * @throws NotFoundError, or ConflictError when the current stage does not accept the input
   */
  submit(programmeId: string, submission: Submission, requestId?: string): Promise<InputAccepted>;
  /** @throws NotFoundError, or ConflictError when the gate is not open for this decision */
  decide(programmeId: string, decision: DecisionInput, decisionId?: string): Promise<DecisionAccepted>;
  /** @throws NotFoundError, or ConflictError when already withdrawn */
  withdraw(programmeId: string, reason: string): Promise<void>;
  /**
   * Whether the programme's workflow, or its running stage, cannot make progress (its workflow
   * tasks keep failing); undefined when both are well or the programme has no workflow.
   */
  problem(programmeId: string): Promise<WorkflowProblem | undefined>;
  /** Resolves when Temporal answers; used by /readyz. */
  ping(): Promise<void>;
}

/** Approvals by e-mail: the requests of the running step, and the programme manager's controls. */
export interface ApprovalGateway {
  /** The approval requests of the running step; empty between steps. @throws NotFoundError */
  approvals(programmeId: string): Promise<ApprovalRequestView[]>;
  /** @throws NotFoundError, or ConflictError when the decision is not accepted (code says why) */
  decide(programmeId: string, decision: DecisionInput, decisionId?: string): Promise<DecisionAccepted>;
  /** @throws NotFoundError, or ConflictError when no request is open for the gate */
  resendApproval(programmeId: string, gate: string): Promise<ApprovalRequestView>;
  /** @throws NotFoundError, or ConflictError when the reassignment is not possible */
  reassignApproval(
    programmeId: string,
    gate: string,
    body: ReassignApprovalBody,
  ): Promise<ApprovalRequestView>;
}

export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends Error {
  constructor(
    message: string,
    /** Machine-readable reason from the workflow's validator, e.g. 'superseded' (see domain/approvals.ts). */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}
