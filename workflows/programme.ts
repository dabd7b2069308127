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
  patched,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { PersistenceActivities } from '../domain/contracts/persistence';
import { dossierForNextCycle, newDossier } from '../domain/engine';
import { carryIntoNextCycle } from '../domain/nc-follow-up';
import { kpiScheduleWorkflow } from './kpi-schedule';
import { FIRST_STEP, NEXT_CYCLE_STEP, stepDef } from '../domain/process-model';
import {
  AimsCertificateStatus,
  AimsCycle,
  AimsNextDue,
  AimsOverdue,
  AimsStage,
  AimsStep,
} from '../domain/search-attributes';
import type {
  Certificate,
  Dossier,
  ProgrammeView,
  ProgrammeWorkflowInput,
  StageKind,
  StageOutcome,
  StepId,
  TransitionRecord,
} from '../domain/types';
import type { DiscoveryEvent } from '../domain/discoveries';
import {
  aiSystemsDiscoveredSignal,
  programmeViewQuery,
  stageProgressSignal,
  withdrawSignal,
} from '../domain/messages';
import { stageWorkflow } from './stage';
import { AUDIT_ANCHOR_PATCH, AuditAnchors, type AuditAnchorCarry } from './audit-anchor';

/** For programmes whose configuration predates the kpiInterval setting. */
const DEFAULT_KPI_INTERVAL = 'P3M';

const { recordProgramme, recordTransition } = proxyActivities<PersistenceActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export async function programmeWorkflow(
  input: ProgrammeWorkflowInput & AuditAnchorCarry,
): Promise<ProgrammeView> {
  const workflowId = workflowInfo().workflowId;
  let dossier: Dossier =
    input.resume?.dossier ?? newDossier(input.programmeId, input.organisation, input.config);
  let step: StepId | null = input.resume?.step ?? FIRST_STEP;
  const history: TransitionRecord[] = input.resume?.history ?? [];
  let stepKey: string | null = null;
  let stageWorkflowId: string | null = null;
  let status: ProgrammeView['status'] = 'ACTIVE';
  let nextDueAt: string | undefined;
  let overdue = false;
  let certificate: Certificate | undefined = dossier.certificate;
  let withdrawal: { reason: string } | undefined;
  let stepScope: CancellationScope | undefined;
  // Loop-backs revisit a step within a cycle; the visit number keeps child ids unique.
  const visits = new Map<StepId, number>();

  const view = (): ProgrammeView => ({
    programmeId: input.programmeId,
    organisation: input.organisation,
    name: input.name,
    status,
    cycle: dossier.cycle,
    step: status === 'WITHDRAWN' ? null : step,
    stage: status === 'WITHDRAWN' ? 'WITHDRAWN' : step ? stepDef(step).stage : null,
    stepKey,
    stageWorkflowId,
    certificate,
    nextDueAt,
    overdue,
    history,
  });

  const publish = () =>
    upsertSearchAttributes([
      { key: AimsStage, value: status === 'WITHDRAWN' ? 'WITHDRAWN' : step ? stepDef(step).stage : 'NONE' },
      { key: AimsStep, value: status === 'WITHDRAWN' ? 'WITHDRAWN' : (step ?? 'NONE') },
      { key: AimsCycle, value: dossier.cycle },
      { key: AimsOverdue, value: overdue },
      { key: AimsNextDue, value: nextDueAt ? new Date(nextDueAt) : null },
      { key: AimsCertificateStatus, value: certificate?.status ?? 'NONE' },
    ]);

  setHandler(programmeViewQuery, view);
  const auditAnchors = patched(AUDIT_ANCHOR_PATCH) ? new AuditAnchors(input.auditAnchors) : undefined;
  setHandler(withdrawSignal, ({ reason }) => {
    if (status === 'WITHDRAWN' || withdrawal) return;
    withdrawal = { reason };
    stepScope?.cancel();
  });
  // Discoveries go to the running stage, which owns the dossier; between steps they wait for
  // the next one. Only scans send this signal, so existing histories never see this code run.
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
  setHandler(stageProgressSignal, (progress) => {
    if (progress.stepKey !== stepKey) return;
    nextDueAt = progress.nextDueAt;
    overdue = progress.overdue;
    certificate = progress.certificate;
    publish();
  });

  const transition = async (
    from: StepId | null,
    to: TransitionRecord['to'],
    stage: StageKind | 'WITHDRAWN',
    reason: string,
  ) => {
    const record: TransitionRecord = {
      id: `${workflowId}/c${dossier.cycle}/${history.length + 1}`,
      programmeId: input.programmeId,
      cycle: dossier.cycle,
      from,
      to,
      stage,
      reason,
      at: new Date(Date.now()).toISOString(),
    };
    history.push(record);
    const auditHead = await recordTransition(record, {
      programmeId: input.programmeId,
      status,
      cycle: dossier.cycle,
      step: status === 'WITHDRAWN' ? null : step,
      stage: status === 'WITHDRAWN' ? 'WITHDRAWN' : step ? stepDef(step).stage : null,
      overdue,
      nextDueAt: nextDueAt ?? null,
      certificate,
    });
    auditAnchors?.note(auditHead, record.at);
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
  // as new), so its snapshots stay out of the programme's history. Programmes started before
  // it existed have no marker and replay without it.
  if (!input.resume && patched('kpi-clock-v1')) {
    await startChild(kpiScheduleWorkflow, {
      workflowId: `${workflowId}/kpis`,
      args: [{ programmeId: input.programmeId, interval: input.config.kpiInterval ?? DEFAULT_KPI_INTERVAL }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
  }

  let previous: StepId | null = null;
  let reason = input.resume ? `cycle ${dossier.cycle} begins` : 'programme started';
  while (step && !withdrawal) {
    const def = stepDef(step);
    const visit = (visits.get(step) ?? 0) + 1;
    visits.set(step, visit);
    stepKey = `c${dossier.cycle}.${step}.${visit}`;
    nextDueAt = undefined;
    publish();
    await transition(previous, step, def.stage, reason);

    const currentStep: StepId = step;
    const currentKey: string = stepKey;
    const currentDossier = dossier;
    let outcome: StageOutcome;
    try {
      outcome = await CancellationScope.cancellable(async (): Promise<StageOutcome> => {
        stepScope = CancellationScope.current();
        const child = await startChild(stageWorkflow, {
          workflowId: `${workflowId}/${currentKey}`,
          args: [{ step: currentStep, stepKey: currentKey, dossier: currentDossier }],
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
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
    dossier = outcome.dossier;
    certificate = dossier.certificate;
    previous = step;
    if (outcome.type === 'loopBack') {
      reason = outcome.reason;
      step = outcome.to;
      continue;
    }
    if (def.next === 'NEXT_CYCLE') {
      await transition(step, 'CYCLE_END', def.stage, `cycle ${dossier.cycle} complete`);
      await condition(allHandlersFinished);
      // Since cycle-carry-over-v1 the next cycle also knows when it began and what it inherited,
      // and plans its internal audit programme afresh (domain/nc-follow-up.ts).
      const next = patched('cycle-carry-over-v1')
        ? carryIntoNextCycle(dossier, new Date(Date.now()).toISOString())
        : dossierForNextCycle(dossier);
      return continueAsNew<typeof programmeWorkflow>({
        ...input,
        ...(auditAnchors && { auditAnchors: auditAnchors.carried() }),
        resume: { dossier: next, step: NEXT_CYCLE_STEP, history: [] },
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
