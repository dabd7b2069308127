/**
 * The ProgrammeGateway on Temporal: programmes are workflows, inputs are Updates sent to the
 * running stage's child workflow, and rejections from its validators become ConflictErrors.
 */
import {
  Client,
  Connection,
  isGrpcServiceError,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApprovalRequestView, DecisionInput } from '../domain/approvals';
import type { Submission } from '../domain/inputs';
import type { ReassignApprovalBody } from '../domain/schemas';
import {
  AimsCycle,
  AimsOrganisation,
  AimsProgrammeId,
  AimsStage,
  AimsStep,
} from '../domain/search-attributes';
import type { ProgrammeView, StageView, WorkflowProblem } from '../domain/views';
import type { AppConfig } from '../infra/config';
import {
  INPUT_REJECTED,
  approvalRequestsQuery,
  programmeViewQuery,
  reassignApprovalUpdate,
  recordDecisionUpdate,
  resendApprovalUpdate,
  stageViewQuery,
  submitInputUpdate,
  withdrawSignal,
} from '../domain/messages';
import type { ProgrammeWorkflow } from '../domain/contracts/workflows';
import {
  ConflictError,
  defaultWorkflowId,
  NotFoundError,
  type ApprovalGateway,
  type LiveProgramme,
  type ProgrammeGateway,
  type StartProgramme,
} from './programme-gateway';
import { describeProblem, programmeProblem, WorkflowStuckError } from './workflow-problems';

/** A step hands over to the next (or continues as new) within a moment: wait rather than fail the caller. */
const HANDOVER_RETRIES = 100;
const HANDOVER_WAIT_MS = 100;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An Update answers within a workflow task or two; one still unanswered after this long may be
 * waiting on a workflow that cannot make progress, so the gateway starts looking (and keeps
 * looking, as often, until the Update is answered).
 */
const STUCK_CHECK_MS = 1000;

function rejection(err: unknown): ConflictError | undefined {
  if (!(err instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = err.cause;
  if (!(cause instanceof ApplicationFailure) || cause.type !== INPUT_REJECTED) return undefined;
  // Validators that classify their rejection put { code } in the failure's details.
  const detail: unknown = cause.details?.[0];
  const code =
    typeof detail === 'object' && detail !== null && 'code' in detail && typeof detail.code === 'string'
      ? detail.code
      : undefined;
  return new ConflictError(cause.message, code);
}

/** gRPC ABORTED: the server's answer to an Update still in flight when its workflow closed. */
const GRPC_ABORTED = 10;
/**
 * gRPC FAILED_PRECONDITION: among others, the answer to an Update the run closed (continued as
 * new) without taking; the next run takes it.
 */
const GRPC_FAILED_PRECONDITION = 9;

/**
 * The stage closed under an Update (it was not found, it completed before accepting it, or it
 * continued as new): the next stage, or the next run of this one, is where the Update belongs.
 */
function stageClosed(err: unknown): boolean {
  if (err instanceof WorkflowNotFoundError) return true;
  if (!(err instanceof ServiceError) || !isGrpcServiceError(err.cause)) return false;
  const code = Number(err.cause.code);
  return (
    code === GRPC_ABORTED ||
    (code === GRPC_FAILED_PRECONDITION && /workflow task failure/i.test(err.cause.details))
  );
}

/**
 * The server's answer to a query or Update while the workflow's last task failed: a moment
 * (the task is retried) or for good (workflow-problems.ts tells which).
 */
function taskFailing(err: unknown): boolean {
  const cause = err instanceof ServiceError ? err.cause : err;
  return (
    isGrpcServiceError(cause) &&
    Number(cause.code) === GRPC_FAILED_PRECONDITION &&
    /workflow task in failed state/i.test(cause.details)
  );
}

export class TemporalProgrammeGateway implements ProgrammeGateway, ApprovalGateway {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly workflowIdFor: (programmeId: string) => string = defaultWorkflowId,
  ) {}

  async start(p: StartProgramme): Promise<{ workflowId: string }> {
    const workflowId = this.workflowIdFor(p.programmeId);
    try {
      await this.client.workflow.start<ProgrammeWorkflow>('programmeWorkflow', {
        taskQueue: this.taskQueue,
        workflowId,
        args: [{ programmeId: p.programmeId, organisation: p.organisation, name: p.name, config: p.config }],
        typedSearchAttributes: [
          { key: AimsProgrammeId, value: p.programmeId },
          { key: AimsOrganisation, value: p.organisation },
          { key: AimsStage, value: 'SCOPING' },
          { key: AimsStep, value: 'SCOPING' },
          { key: AimsCycle, value: 1 },
        ],
        staticSummary: `${p.organisation}: ${p.name}`,
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError)
        throw new ConflictError(`programme ${p.programmeId} already exists`);
      throw err;
    }
    return { workflowId };
  }

  private async programme(programmeId: string): Promise<ProgrammeView> {
    const workflowId = this.workflowIdFor(programmeId);
    try {
      return await this.client.workflow.getHandle(workflowId).query(programmeViewQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new NotFoundError(`no programme ${programmeId}`);
      if (taskFailing(err)) await this.throwIfStuck(workflowId);
      throw err;
    }
  }

  /** Turns a task failure that retrying will not cure into a WorkflowStuckError. */
  private async throwIfStuck(workflowId: string): Promise<void> {
    const problem = await describeProblem(this.client, workflowId).catch(() => undefined);
    if (problem) throw new WorkflowStuckError(problem);
  }

  async view(programmeId: string): Promise<LiveProgramme> {
    const programme = await this.programme(programmeId);
    if (!programme.stageWorkflowId) return programme;
    try {
      const currentStage: StageView = await this.client.workflow
        .getHandle(programme.stageWorkflowId)
        .query(stageViewQuery);
      return { ...programme, currentStage };
    } catch (err) {
      // The step finished between the two queries: the programme view alone is still true.
      if (err instanceof WorkflowNotFoundError) return programme;
      throw err;
    }
  }

  /** Sends an update to whichever stage is running, following a step handover if one is under way. */
  private async toCurrentStage<T>(
    programmeId: string,
    send: (stageWorkflowId: string) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 0; attempt < HANDOVER_RETRIES; attempt++) {
      const programme = await this.programme(programmeId);
      if (programme.status === 'WITHDRAWN')
        throw new ConflictError(`programme ${programmeId} has been withdrawn`);
      if (programme.stageWorkflowId) {
        try {
          return await this.watched(programme.stageWorkflowId, send);
        } catch (err) {
          if (err instanceof WorkflowStuckError) throw err;
          // A task failed: wait for its retry, unless it keeps failing.
          if (taskFailing(err)) {
            await this.throwIfStuck(programme.stageWorkflowId);
            if (attempt === HANDOVER_RETRIES - 1) throw err;
            await pause(HANDOVER_WAIT_MS);
            continue;
          }
          const conflict = rejection(err);
          // A stage about to continue as new turns inputs away for a moment: send again.
          if (conflict?.code === 'resting') {
            await pause(HANDOVER_WAIT_MS);
            continue;
          }
          if (conflict) throw conflict;
          // However the server words it, an Update that failed because its stage closed is
          // recognised by the programme having moved on to another stage since.
          if (
            !stageClosed(err) &&
            (await this.programme(programmeId)).stageWorkflowId === programme.stageWorkflowId
          )
            throw err;
          if (stageClosed(err) && attempt === HANDOVER_RETRIES - 1) throw err;
        }
      }
      await pause(HANDOVER_WAIT_MS);
    }
    throw new ConflictError(`programme ${programmeId} is between steps; try again`);
  }

  /**
   * Sends an Update and, while it waits, checks that the stage can still answer: an Update to a
   * workflow whose tasks keep failing would otherwise wait for ever. It is abandoned (the server
   * keeps it, and the stage takes it if it recovers) and the caller learns why.
   */
  private async watched<T>(
    stageWorkflowId: string,
    send: (stageWorkflowId: string) => Promise<T>,
  ): Promise<T> {
    const update = new AbortController();
    const answered = new AbortController();
    const watch = async (): Promise<never> => {
      for (;;) {
        await sleep(STUCK_CHECK_MS, undefined, { signal: answered.signal });
        const problem = await describeProblem(this.client, stageWorkflowId).catch(() => undefined);
        if (problem) {
          update.abort();
          throw new WorkflowStuckError(problem);
        }
      }
    };
    try {
      return await Promise.race([
        this.client.withAbortSignal(update.signal, () => send(stageWorkflowId)),
        watch(),
      ]);
    } finally {
      answered.abort();
    }
  }

  problem(programmeId: string): Promise<WorkflowProblem | undefined> {
    return programmeProblem(this.client, this.workflowIdFor(programmeId));
  }

  submit(programmeId: string, submission: Submission, requestId?: string) {
    return this.toCurrentStage(programmeId, (id) =>
      this.client.workflow
        .getHandle(id)
        .executeUpdate(submitInputUpdate, { args: [submission], updateId: requestId }),
    );
  }

  decide(programmeId: string, decision: DecisionInput, decisionId?: string) {
    return this.toCurrentStage(programmeId, (id) =>
      this.client.workflow
        .getHandle(id)
        .executeUpdate(recordDecisionUpdate, { args: [decision], updateId: decisionId }),
    );
  }

  async approvals(programmeId: string): Promise<ApprovalRequestView[]> {
    const programme = await this.programme(programmeId);
    if (!programme.stageWorkflowId) return [];
    try {
      return await this.client.workflow.getHandle(programme.stageWorkflowId).query(approvalRequestsQuery);
    } catch (err) {
      // The step finished between the two queries: its requests are closed.
      if (err instanceof WorkflowNotFoundError) return [];
      throw err;
    }
  }

  resendApproval(programmeId: string, gate: string) {
    return this.toCurrentStage(programmeId, (id) =>
      this.client.workflow.getHandle(id).executeUpdate(resendApprovalUpdate, { args: [{ gate }] }),
    );
  }

  reassignApproval(programmeId: string, gate: string, body: ReassignApprovalBody) {
    return this.toCurrentStage(programmeId, (id) =>
      this.client.workflow.getHandle(id).executeUpdate(reassignApprovalUpdate, { args: [{ ...body, gate }] }),
    );
  }

  async withdraw(programmeId: string, reason: string): Promise<void> {
    const programme = await this.programme(programmeId);
    if (programme.status === 'WITHDRAWN')
      throw new ConflictError(`programme ${programmeId} is already withdrawn`);
    await this.client.workflow.getHandle(this.workflowIdFor(programmeId)).signal(withdrawSignal, { reason });
  }

  async ping(): Promise<void> {
    await this.client.workflowService.getSystemInfo({});
  }
}

export async function createTemporalGateway(
  config: AppConfig,
): Promise<ProgrammeGateway & ApprovalGateway & { client: Client; close(): Promise<void> }> {
  const connection = await Connection.connect({
    address: config.temporalAddress ?? `127.0.0.1:${config.temporalPort}`,
  });
  const client = new Client({ connection, namespace: config.temporalNamespace });
  const gateway = new TemporalProgrammeGateway(client, config.taskQueue);
  // The client is shared with feature modules that start their own workflows (inventory, reports).
  return Object.assign(gateway, { client, close: () => connection.close() });
}
