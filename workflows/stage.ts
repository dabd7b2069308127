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
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { PersistenceActivities } from '../domain/contracts/persistence';
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
import { applyDiscoveredSystems } from '../domain/discoveries';
import { stepDef } from '../domain/process-model';
import type { StageInput } from '../domain/schemas';
import type { DecisionInput, StageOutcome, StageWorkflowInput } from '../domain/types';
import { ApprovalDesk, EMAIL_APPROVALS_PATCH, installWithoutDesk, rejectWith } from './approvals';
import { CERTIFICATION_CYCLE_PATCH, NcClock } from './nc-clock';
import {
  INPUT_REJECTED,
  aiSystemsDiscoveredSignal,
  recordDecisionUpdate,
  stageProgressSignal,
  stageViewQuery,
  submitInputUpdate,
  type StageProgress,
} from '../domain/messages';

const { saveRecords } = proxyActivities<PersistenceActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

function reject(reason: string | null): void {
  if (reason) throw ApplicationFailure.nonRetryable(reason, INPUT_REJECTED);
}

export async function stageWorkflow({ step, stepKey, dossier }: StageWorkflowInput): Promise<StageOutcome> {
  // Approval requests by e-mail (with their timers and notices) exist only for stages started
  // by code that has them; stages recorded before replay exactly as they ran.
  const emailApprovals = patched(EMAIL_APPROVALS_PATCH);
  // The internal audit programme, NC follow-up timers and cycle rules: likewise only for
  // stages started by code that has them.
  const cycleDepth = patched(CERTIFICATION_CYCLE_PATCH);
  const d = dossier;
  const def = stepDef(step);
  const ctx = (): StepContext =>
    cycleDepth
      ? { step: def, stepKey, now: Date.now(), cycleDepth }
      : { step: def, stepKey, now: Date.now() };
  // Bumped by every accepted message so the main loop re-evaluates gates and deadlines.
  let revision = 0;
  // Assigned once reportProgress exists (the desk calls it); the handlers below read it.
  let desk: ApprovalDesk | undefined;
  let clock: NcClock | undefined;

  setHandler(stageViewQuery, () => (desk ? desk.view(stageView(d, ctx())) : stageView(d, ctx())));

  setHandler(
    submitInputUpdate,
    async (input) => {
      const applied = applyInput(d, ctx(), input);
      revision++;
      clock?.poke();
      desk?.afterInput(input, applied.recordId);
      await saveRecords(d.programmeId, d.cycle, applied.records);
      return {
        accepted: true,
        stepKey,
        recordId: applied.recordId,
        findingIds: applied.findingIds,
        view: desk ? desk.view(stageView(d, ctx())) : stageView(d, ctx()),
      };
    },
    { validator: (input: StageInput) => reject(inputRejection(d, ctx(), input)) },
  );

  setHandler(
    recordDecisionUpdate,
    async (decision) => {
      const decisionId = currentUpdateInfo()?.id ?? `${stepKey}/${revision}`;
      const records = desk
        ? desk.decide(decision, decisionId)
        : applyDecision(d, ctx(), decision, decisionId);
      revision++;
      await saveRecords(d.programmeId, d.cycle, records);
      const view = desk ? desk.view(stageView(d, ctx())) : stageView(d, ctx());
      return { accepted: true, gate: decision.gate, outcome: decision.outcome, view };
    },
    {
      validator: (decision: DecisionInput) =>
        desk ? rejectWith(desk.decisionRejection(decision)) : reject(decisionRejection(d, ctx(), decision)),
    },
  );

  // A signal only ever sent by code newer than every recorded history: adding its handler
  // changes no command of an existing run, so no patch is needed.
  setHandler(aiSystemsDiscoveredSignal, async (event) => {
    const applied = applyDiscoveredSystems(d, ctx(), event);
    if (applied.taskIds.length === 0) return;
    revision++;
    for (const id of applied.taskIds) {
      const t = d.tasks[id];
      desk?.afterInput(
        {
          kind: 'roadmapTask',
          requirementId: t.requirementId,
          title: t.title,
          owner: t.owner,
          deadline: t.deadline,
        },
        id,
      );
    }
    await saveRecords(d.programmeId, d.cycle, applied.records);
  });

  const parent = workflowInfo().parent;
  let lastProgress = '';
  const reportProgress = async () => {
    const deadline = activeDeadline(d, ctx());
    const progress: StageProgress = {
      stepKey,
      nextDueAt: deadline?.dueAt,
      // An approval past its expiry makes the step overdue too (AimsOverdue in the UI).
      overdue: isOverdue(d, ctx()) || (desk?.overdue() ?? false),
      certificate: d.certificate,
    };
    const serialised = JSON.stringify(progress);
    if (!parent || serialised === lastProgress) return;
    lastProgress = serialised;
    await getExternalWorkflowHandle(parent.workflowId).signal(stageProgressSignal, progress);
  };

  enterStep(d, ctx());
  if (emailApprovals) {
    desk = new ApprovalDesk({ dossier: d, stepKey, ctx, reportProgress });
    desk.install();
    desk.start();
  } else {
    installWithoutDesk();
  }
  if (cycleDepth) {
    clock = new NcClock({
      dossier: d,
      save: (records) => saveRecords(d.programmeId, d.cycle, records),
      reportProgress,
    });
    clock.start();
  }
  // The desk's and the clock's loops run beside this one; a defect in either surfaces here.
  const woken = (seen: number) => () =>
    revision !== seen || (desk?.failed ?? false) || (clock?.failed ?? false);
  for (;;) {
    desk?.rethrowFailure();
    clock?.rethrowFailure();
    await reportProgress();
    if (unmetGates(d, ctx()).length === 0) break;
    const seen = revision;
    const deadline = activeDeadline(d, ctx());
    if (!deadline) {
      await condition(woken(seen));
      continue;
    }
    const remaining = Date.parse(deadline.dueAt) - Date.now();
    if (remaining > 0 && (await condition(woken(seen), remaining))) continue;
    desk?.rethrowFailure();
    // The deadline passed with the gates still open.
    const effect = expireDeadline(d, ctx(), deadline);
    log.info('deadline expired', { stepKey, deadline: deadline.id, event: effect.event });
    await saveRecords(d.programmeId, d.cycle, effect.records);
    if (effect.loopBack) {
      clock?.stop();
      await condition(allHandlersFinished);
      return { type: 'loopBack', to: effect.loopBack.to, reason: effect.loopBack.reason, dossier: d };
    }
  }
  desk?.stop();
  clock?.stop();
  await saveRecords(d.programmeId, d.cycle, completeStep(d, ctx()));
  await reportProgress();
  await condition(allHandlersFinished);
  return { type: 'completed', dossier: d };
}
