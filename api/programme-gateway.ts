/**
 * What the HTTP layer needs from the workflow engine. The Temporal implementation lives in
 * temporal-gateway.ts; keeping the interface here keeps route handlers free of SDK details.
 */
import type { DecisionBody, ProgrammeConfig, StageInput } from '../domain/schemas';
import type { ApprovalDecisionResult, InputResult, ProgrammeView, StageView } from '../domain/types';

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
  /** @throws NotFoundError, or ConflictError when the current stage does not accept the input */
  submit(programmeId: string, input: StageInput, requestId?: string): Promise<InputResult>;
  /** @throws NotFoundError, or ConflictError when the gate is not open for this decision */
  decide(programmeId: string, decision: DecisionBody, decisionId?: string): Promise<ApprovalDecisionResult>;
  /** @throws NotFoundError, or ConflictError when already withdrawn */
  withdraw(programmeId: string, reason: string): Promise<void>;
  /** Resolves when Temporal answers; used by /readyz. */
  ping(): Promise<void>;
}

export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}
