/**
 * The programme: one long-running workflow per certification programme that walks the
 * process model step by step. Each step runs as a child workflow with a stable id; each
 * three-year cycle continues as new so history stays bounded for a journey without end.
 */
import {
  CancellationScope,
  ChildWorkflowCancellationType,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { kpiScheduleChildMetadata, stageChildMetadata } from '../domain/child-metadata';
import type {
  PersistenceActivities,
  ProgrammeProgressRecord,
  TransitionRecord,
} from '../domain/contracts/persistence';
import type { ProgrammeWorkflowInput, StageOutcome } from '../domain/contracts/workflows';
import type { DiscoveryEvent } from '../domain/discoveries';
import {
  aiSystemsDiscoveredSignal,
  programmeViewQuery,
  stageProgressSignal,
  withdrawSignal,
} from '../domain/messages';
import { FIRST_STEP, NEXT_CYCLE_STEP, stepDef } from '../domain/process-model';
import {
  AimsCertificateStatus,
  AimsCycle,
  AimsNextDue,
  AimsOverdue,
  AimsStage,
  AimsStep,
} from '../domain/search-attributes';
import type { CertificateFacts, ProgrammeView } from '../domain/views';
import type { StageKind, StepId } from '../domain/vocabulary';
import { AuditAnchors } from './audit-anchor';
import { kpiScheduleWorkflow } from './kpi-schedule';
import { stageWorkflow } from './stage';

/** Transitions the view lists (the history route has them all): a query answer stays small. */
const VIEW_HISTORY = 20;

const { recordProgramme, recordTransition, recordProgress } = proxyActivities<PersistenceActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export async function programmeWorkflow(input: ProgrammeWorkflowInput): Promise<ProgrammeView> {
  const workflowId = workflowInfo().workflowId;
  const cycle = input.resume?.cycle ?? 1;
  let step: StepId | null = input.resume?.step ?? FIRST_STEP;
  let transitions = 0;
  const history: TransitionRecord[] = [];
  let stepKey: string | null = null;
  let stageWorkflowId: string | null = null;
  let status: ProgrammeView['status'] = 'ACTIVE';
  let nextDueAt: string | undefined;
  let overdue = false;
  let certificate: CertificateFacts | undefined = input.resume?.certificate;
  let withdrawal: { reason: string } | undefined;
  let stepScope: CancellationScope | undefined;
  // Loop-backs revisit a step within a cycle; the visit number keeps child ids unique.
  const visits = new Map<StepId, number>();

  const view = (): ProgrammeView => ({
    programmeId: input.programmeId,
    organisation: input.organisation,
    name: input.name,
    status,
    cycle,
    step: status === 'WITHDRAWN' ? null : step,
    stage: status === 'WITHDRAWN' ? 'WITHDRAWN' : step ? stepDef(step).stage : null,
    stepKey,
    stageWorkflowId,
    certificate,
    nextDueAt,
    overdue,
    history: [...history],
  });

  const publish = () =>
    upsertSearchAttributes([
      { key: AimsStage, value: status === 'WITHDRAWN' ? 'WITHDRAWN' : step ? stepDef(step).stage : 'NONE' },
      { key: AimsStep, value: status === 'WITHDRAWN' ? 'WITHDRAWN' : (step ?? 'NONE') },
      { key: AimsCycle, value: cycle },
      { key: AimsOverdue, value: overdue },
      { key: AimsNextDue, value: nextDueAt ? new Date(nextDueAt) : null },
      { key: AimsCertificateStatus, value: certificate?.status ?? 'NONE' },
    ]);

  setHandler(programmeViewQuery, view);
  const auditAnchors = new AuditAnchors(input.auditAnchors);
  setHandler(withdrawSignal, ({ reason }) => {
    if (status === 'WITHDRAWN' || withdrawal) return;
    withdrawal = { reason };
    stepScope?.cancel();
  });
  // Discoveries go to the running stage, which keeps the facts; between steps they wait for
  // the next one.
  const undelivered: DiscoveryEvent[] = [];
  const forward = async (event: DiscoveryEvent) => {
    for (;;) {
      const target = stageWorkflowId;
      if (!target) {
        undelivered.push(event);
        return;
      }
      try {
        await getExternalWorkflowHandle(target).signal(aiSystemsDiscoveredSignal, event);
        return;
      } catch (err) {
        if (isCancellation(err)) throw err;
        // The step ended meanwhile: try its successor, or keep the event for it.
        if (stageWorkflowId === target) {
          undelivered.push(event);
          return;
        }
      }
    }
  };
  setHandler(aiSystemsDiscoveredSignal, async (event) => {
    if (status !== 'WITHDRAWN' && !withdrawal) await forward(event);
  });
  /** The row's columns that change within a step; a transition writes them with the step. */
  const progressRow = (): ProgrammeProgressRecord => ({
    programmeId: input.programmeId,
    overdue,
    nextDueAt: nextDueAt ?? null,
    ...(certificate && {
      certificate: {
        number: certificate.number,
        status: certificate.status,
        expiresOn: certificate.expiresOn,
      },
    }),
  });
  // Progress writes run one after another, and a transition waits for them, so the row never
  // goes back to an older deadline than the one the workflow shows.
  let progressWrites: Promise<void> = Promise.resolve();
  setHandler(stageProgressSignal, async (progress) => {
    if (progress.stepKey !== stepKey) return;
    nextDueAt = progress.nextDueAt;
    overdue = progress.overdue;
    certificate = progress.certificate;
    publish();
    const row = progressRow();
    progressWrites = progressWrites.then(() => recordProgress(row));
    await progressWrites;
  });

  const transition = async (
    from: StepId | null,
    to: TransitionRecord['to'],
    stage: StageKind | 'WITHDRAWN',
    reason: string,
  ) => {
    const record: TransitionRecord = {
      id: `${workflowId}/c${cycle}/${++transitions}`,
      programmeId: input.programmeId,
      cycle,
      from,
      to,
      stage,
      reason,
      at: new Date(Date.now()).toISOString(),
    };
    history.push(record);
    if (history.length > VIEW_HISTORY) history.shift();
    await progressWrites;
    const auditHead = await recordTransition(record, {
      ...progressRow(),
      status,
      cycle,
      step: status === 'WITHDRAWN' ? null : step,
      stage: status === 'WITHDRAWN' ? 'WITHDRAWN' : step ? stepDef(step).stage : null,
    });
    auditAnchors.note(auditHead, record.at);
  };

  if (!input.resume) {
    await recordProgramme({
      programmeId: input.programmeId,
      organisation: input.organisation,
      name: input.name,
      workflowId,
      config: input.config,
    });
  }
  // The KPI clock runs beside the journey (abandoned, not cancelled, when this run continues
  // as new), so its snapshots stay out of the programme's history.
  if (!input.resume) {
    await startChild(kpiScheduleWorkflow, {
      workflowId: `${workflowId}/kpis`,
      args: [{ programmeId: input.programmeId, interval: input.config.kpiInterval }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      ...kpiScheduleChildMetadata(input),
    });
  }

  let previous: StepId | null = null;
  let reason = input.resume ? `cycle ${cycle} begins` : 'programme started';
  while (step && !withdrawal) {
    const def = stepDef(step);
    const visit = (visits.get(step) ?? 0) + 1;
    visits.set(step, visit);
    stepKey = `c${cycle}.${step}.${visit}`;
    nextDueAt = undefined;
    publish();
    await transition(previous, step, def.stage, reason);

    const currentStep: StepId = step;
    const currentKey: string = stepKey;
    let outcome: StageOutcome;
    try {
      outcome = await CancellationScope.cancellable(async (): Promise<StageOutcome> => {
        stepScope = CancellationScope.current();
        const child = await startChild(stageWorkflow, {
          workflowId: `${workflowId}/${currentKey}`,
          args: [{ programmeId: input.programmeId, step: currentStep, stepKey: currentKey }],
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
          // Operators find the step by the programme's attributes and read it by its summary.
          ...stageChildMetadata({ ...input, cycle, step: currentStep }),
        });
        // Only a started child can take updates, so the id is published once it runs.
        stageWorkflowId = child.workflowId;
        for (const event of undelivered.splice(0)) await forward(event);
        return child.result();
      });
    } catch (err) {
      if (withdrawal && isCancellation(err)) break;
      throw err;
    } finally {
      stepScope = undefined;
      stageWorkflowId = null;
    }
    certificate = outcome.certificate;
    previous = step;
    if (outcome.type === 'loopBack') {
      reason = outcome.reason;
      step = outcome.to;
      continue;
    }
    if (def.next === 'NEXT_CYCLE') {
      await transition(step, 'CYCLE_END', def.stage, `cycle ${cycle} complete`);
      await condition(allHandlersFinished);
      // The last stage saved what the next cycle starts from (domain/programme-work.ts).
      return continueAsNew<typeof programmeWorkflow>({
        ...input,
        auditAnchors: auditAnchors.carried(),
        resume: { cycle: outcome.cycle, step: NEXT_CYCLE_STEP, certificate },
      });
    }
    reason = `${def.title} complete`;
    step = def.next;
  }

  status = 'WITHDRAWN';
  stepKey = null;
  stageWorkflowId = null;
  nextDueAt = undefined;
  overdue = false;
  publish();
  await transition(step, 'WITHDRAWN', 'WITHDRAWN', withdrawal?.reason ?? 'withdrawn');
  await condition(allHandlersFinished);
  return view();
}
