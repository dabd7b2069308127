/**
 * Recognises a workflow that cannot make progress: its workflow task fails again and again
 * (a payload over the server's limit, a non-deterministic change, a defect that throws), which
 * retrying does not cure. Temporal retries such a task for ever and an Update sent to the
 * workflow waits for ever, so the API looks for the signs instead of waiting: the server's
 * `TemporalReportedProblems` search attribute, or a pending workflow task past its third attempt.
 */
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { WorkflowProblem } from '../domain/views';

/** Set by the server (1.28+) on a workflow whose workflow tasks keep failing. */
export const TemporalReportedProblems = defineSearchAttributeKey(
  'TemporalReportedProblems',
  SearchAttributeType.KEYWORD_LIST,
);

/** A task that failed this often is failing for a reason a retry does not remove. */
const FAILING_ATTEMPTS = 3;

export class WorkflowStuckError extends Error {
  constructor(readonly problem: WorkflowProblem) {
    super(`workflow ${problem.workflowId} cannot make progress: ${problem.cause}`);
    this.name = 'WorkflowStuckError';
  }
}

function timestampOf(t: { seconds?: unknown; nanos?: number | null } | null | undefined): string | undefined {
  if (!t?.seconds) return undefined;
  const ms = Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
  return new Date(ms).toISOString();
}

/** The problem a description shows, if any. */
export function problemOf(description: WorkflowExecutionDescription): WorkflowProblem | undefined {
  if (description.status.name !== 'RUNNING') return undefined;
  const reported = description.typedSearchAttributes.get(TemporalReportedProblems);
  const pending = description.raw.pendingWorkflowTask;
  const attempt = pending?.attempt ?? 0;
  if (!reported?.length && attempt < FAILING_ATTEMPTS) return undefined;
  const cause =
    reported?.find((p) => p.startsWith('cause='))?.slice('cause='.length) ??
    `WorkflowTaskFailed (attempt ${attempt})`;
  return {
    workflowId: description.workflowId,
    cause,
    since: timestampOf(pending?.originalScheduledTime),
  };
}

/** The problem of one workflow; none when it does not exist (any more). */
export async function describeProblem(
  client: Client,
  workflowId: string,
): Promise<WorkflowProblem | undefined> {
  try {
    return problemOf(await client.workflow.getHandle(workflowId).describe());
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/**
 * The problem of a programme: its own workflow's, else its running stage's (the child it
 * waits on, read from the description rather than a query, which a failing workflow cannot answer).
 */
export async function programmeProblem(
  client: Client,
  workflowId: string,
): Promise<WorkflowProblem | undefined> {
  let description: WorkflowExecutionDescription;
  try {
    description = await client.workflow.getHandle(workflowId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
  const own = problemOf(description);
  if (own) return own;
  for (const child of description.raw.pendingChildren ?? []) {
    if (!child.workflowId) continue;
    const problem = await describeProblem(client, child.workflowId);
    if (problem) return problem;
  }
  return undefined;
}

/** How many running workflows the server reports as failing their tasks (for the metrics). */
export async function countFailingWorkflows(client: Client): Promise<number> {
  const { count } = await client.workflow.count(
    'TemporalReportedProblems IS NOT NULL AND ExecutionStatus = "Running"',
  );
  return count;
}
