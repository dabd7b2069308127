/**
 * One step of the journey as a child workflow. It owns the dossier while the step runs,
 * accepts human inputs as Updates (validated synchronously, so an illegal input is rejected
 * with its reason and leaves no history), persists what each input produced, and completes
 * when every exit gate holds. Deadlines are durable timers.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  currentUpdateInfo,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { PersistenceActivities } from '../activities/contract';
import {
  activeDeadline,
  applyDecision,
  applyInput,
  completeStep,
  decisionRejection,
  enterStep,
  expireDeadline,
  inputRejection,
  isOverdue,
  stageView,
  unmetGates,
  type StepContext,
} from '../domain/engine';
import { stepDef } from '../domain/process-model';
import type { DecisionBody, StageInput } from '../domain/schemas';
import type { StageOutcome, StageWorkflowInput } from '../domain/types';
import {
  INPUT_REJECTED,
  recordDecisionUpdate,
  stageProgressSignal,
  stageViewQuery,
  submitInputUpdate,
  type StageProgress,
} from './messages';

const { saveRecords } = proxyActivities<PersistenceActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

function reject(reason: string | null): void {
  if (reason) throw ApplicationFailure.nonRetryable(reason, INPUT_REJECTED);
}

export async function stageWorkflow({ step, stepKey, dossier }: StageWorkflowInput): Promise<StageOutcome> {
  const d = dossier;
  const def = stepDef(step);
  const ctx = (): StepContext => ({ step: def, stepKey, now: Date.now() });
  // Bumped by every accepted message so the main loop re-evaluates gates and deadlines.
  let revision = 0;

  setHandler(stageViewQuery, () => stageView(d, ctx()));

  setHandler(
    submitInputUpdate,
    async (input) => {
      const applied = applyInput(d, ctx(), input);
      revision++;
      await saveRecords(d.programmeId, d.cycle, applied.records);
      return {
        accepted: true,
        stepKey,
        recordId: applied.recordId,
        findingIds: applied.findingIds,
        view: stageView(d, ctx()),
      };
    },
    { validator: (input: StageInput) => reject(inputRejection(d, ctx(), input)) },
  );

  setHandler(
    recordDecisionUpdate,
    async (decision) => {
      const records = applyDecision(d, ctx(), decision, currentUpdateInfo()?.id ?? `${stepKey}/${revision}`);
      revision++;
      await saveRecords(d.programmeId, d.cycle, records);
      return { accepted: true, gate: decision.gate, outcome: decision.outcome, view: stageView(d, ctx()) };
    },
    { validator: (decision: DecisionBody) => reject(decisionRejection(d, ctx(), decision)) },
  );

  const parent = workflowInfo().parent;
  let lastProgress = '';
  const reportProgress = async () => {
    const deadline = activeDeadline(d, ctx());
    const progress: StageProgress = {
      stepKey,
      nextDueAt: deadline?.dueAt,
      overdue: isOverdue(d),
      certificate: d.certificate,
    };
    const serialised = JSON.stringify(progress);
    if (!parent || serialised === lastProgress) return;
    lastProgress = serialised;
    await getExternalWorkflowHandle(parent.workflowId).signal(stageProgressSignal, progress);
  };

  enterStep(d, ctx());
  for (;;) {
    await reportProgress();
    if (unmetGates(d, ctx()).length === 0) break;
    const seen = revision;
    const deadline = activeDeadline(d, ctx());
    if (!deadline) {
      await condition(() => revision !== seen);
      continue;
    }
    const remaining = Date.parse(deadline.dueAt) - Date.now();
    if (remaining > 0 && (await condition(() => revision !== seen, remaining))) continue;
    // The deadline passed with the gates still open.
    const effect = expireDeadline(d, ctx(), deadline);
    log.info('deadline expired', { stepKey, deadline: deadline.id, event: effect.event });
    await saveRecords(d.programmeId, d.cycle, effect.records);
    if (effect.loopBack) {
      await condition(allHandlersFinished);
      return { type: 'loopBack', to: effect.loopBack.to, reason: effect.loopBack.reason, dossier: d };
    }
  }
  await saveRecords(d.programmeId, d.cycle, completeStep(d, ctx()));
  await reportProgress();
  await condition(allHandlersFinished);
  return { type: 'completed', dossier: d };
}
