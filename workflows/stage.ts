/**
 * One step of the journey as a child workflow. It loads the programme's facts from the
 * database when it starts, accepts human inputs as Updates (validated synchronously, so an
 * illegal input is rejected with its reason and leaves no history), persists what each input
 * changed, and completes when every exit gate holds. Deadlines are durable timers.
 *
 * Nothing it carries grows with the programme: inputs arrive as facts with a reference to the
 * body the API stored, the facts stay in memory and in the database, and when its history
 * grows long (a step that takes a thousand inputs) the stage continues as new and reloads them.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  currentUpdateInfo,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  FactsPage,
  ItemsPage,
  PersistenceActivities,
  RecordChanges,
} from '../domain/contracts/persistence';
import type { StageOutcome, StageWorkflowInput } from '../domain/contracts/workflows';
import { applyDiscoveredSystems, type DiscoveredSystemFact } from '../domain/discoveries';
import {
  activeDeadline,
  applyInput,
  completeStep,
  enterStep,
  expireDeadline,
  inputRejection,
  isOverdue,
  isRejected,
  nextDueAt,
  stageView,
  unmetGates,
  type StepContext,
} from '../domain/engine';
import { assembleFacts, scalarsOf, type FactEntry, type ProgrammeFacts } from '../domain/facts';
import { canonicalJson } from '../domain/fingerprint';
import { chunkChanges } from '../domain/save-chunks';
import { inputDefinition, type Submission } from '../domain/inputs';
import {
  INPUT_REJECTED,
  aiSystemsDiscoveredSignal,
  recordDecisionUpdate,
  stageProgressSignal,
  stageViewQuery,
  submitInputUpdate,
  type StageProgress,
} from '../domain/messages';
import { stepDef, type StepDef } from '../domain/process-model';
import { cycleOfStepKey } from '../domain/queries';
import type { StageView } from '../domain/views';
import { carryIntoNextCycle } from '../domain/programme-work';
import type { DecisionInput } from '../domain/approvals';
import { ApprovalDesk, rejectWith } from './approval-desk';
import { NcClock } from './nc-clock';

const { saveRecords, loadFacts, readItems, readDiscoveries } = proxyActivities<PersistenceActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * A stage continues as new once its history reaches this many events (or the server suggests
 * it), well below Temporal's 10,240-event warning: each run then reloads the facts.
 */
export const STAGE_HISTORY_LIMIT = 4000;
/** How long a stage may turn inputs away while its mail goes out before it gives up resting. */
const REST_LIMIT_MS = 60_000;
/** After a rest that could not finish, how many more events before the next try. */
const REST_RETRY_EVENTS = 500;

/** Inputs a resting stage turns away; the gateway sends them again (to the next run). */
export const RESTING = 'resting';

function reject(reason: string | null): void {
  if (reason) throw ApplicationFailure.nonRetryable(reason, INPUT_REJECTED);
}

/** The facts of the programme, a page at a time (each page a bounded activity result). */
async function loadProgrammeFacts(programmeId: string, stepKey: string | undefined): Promise<ProgrammeFacts> {
  const entries: FactEntry[] = [];
  let page: FactsPage = await loadFacts({ programmeId, stepKey });
  const scalars = page.scalars;
  if (!scalars) throw ApplicationFailure.nonRetryable(`no facts recorded for programme ${programmeId}`);
  entries.push(...page.entries);
  while (page.next) {
    page = await loadFacts({ programmeId, stepKey, cursor: page.next });
    entries.push(...page.entries);
  }
  return assembleFacts(scalars, entries);
}

/** What the stage shows while its facts load: where it is, and that it takes nothing yet. */
function startingView(programmeId: string, def: StepDef, stepKey: string): StageView {
  return {
    programmeId,
    cycle: cycleOfStepKey(stepKey),
    step: def.id,
    stage: def.stage,
    stepKey,
    accepts: [],
    unmetGates: [{ gate: 'starting', reason: 'the step is loading its facts' }],
    pendingApprovals: [],
    overdue: false,
  };
}

/** The items of a bulk input, read back from its stored body a page at a time. */
async function itemsOf(programmeId: string, s: Submission): Promise<unknown[]> {
  const items: unknown[] = [];
  for (let offset: number | undefined = 0; offset !== undefined;) {
    const page: ItemsPage = await readItems({ programmeId, kind: s.kind, ref: s.ref, offset });
    items.push(...page.items);
    offset = page.next;
  }
  return items;
}

async function discoveriesOf(programmeId: string, scanId: string): Promise<DiscoveredSystemFact[]> {
  const systems: DiscoveredSystemFact[] = [];
  for (let offset: number | undefined = 0; offset !== undefined;) {
    const page: ItemsPage<DiscoveredSystemFact> = await readDiscoveries({ programmeId, scanId, offset });
    systems.push(...page.items);
    offset = page.next;
  }
  return systems;
}

export async function stageWorkflow(input: StageWorkflowInput): Promise<StageOutcome> {
  const { programmeId, step, stepKey } = input;
  const def = stepDef(step);
  const ctx = (): StepContext => ({ step: def, stepKey, now: Date.now() });

  // Handlers come first, before the facts have loaded: an Update that arrives meanwhile (or
  // while the stage rests before continuing as new) is turned away with a code the gateway
  // knows to send again, rather than refused for want of a handler.
  let loaded: { f: ProgrammeFacts; desk: ApprovalDesk; clock: NcClock } | undefined = undefined;
  let resting: number | undefined;
  const turnAway = () => {
    if (!loaded) rejectWith({ code: RESTING, reason: 'the stage is starting; send the input again' });
    if (resting !== undefined)
      rejectWith({ code: RESTING, reason: 'the stage is continuing as new; send the input again' });
  };
  const ready = () => loaded as NonNullable<typeof loaded>;
  let saveQueue: (changes: RecordChanges) => Promise<void> = () => Promise.resolve();
  // Bumped by every accepted message so the main loop re-evaluates gates and deadlines.
  let revision = 0;
  const view = () => ready().desk.view(stageView(ready().f, ctx()));
  setHandler(stageViewQuery, () => (loaded ? view() : startingView(programmeId, def, stepKey)));
  ApprovalDesk.installHandlers(() => loaded?.desk, turnAway);

  setHandler(
    submitInputUpdate,
    async (submission) => {
      const { f, desk, clock } = ready();
      const bulk = inputDefinition(submission.kind).items !== undefined;
      const items = bulk ? await itemsOf(programmeId, submission) : [];
      // Reading the items took time in which other inputs may have changed the facts.
      if (bulk) reject(inputRejection(f, ctx(), submission));
      const applied = applyInput(f, ctx(), submission, items);
      if (isRejected(applied)) throw ApplicationFailure.nonRetryable(applied.rejected, INPUT_REJECTED);
      revision++;
      clock.poke();
      const newTasks = submission.kind === 'roadmapTask' && applied.recordId ? [applied.recordId] : [];
      await saveQueue(applied.changes);
      // Only now: the request or notice it sends is written from the records just saved.
      desk.afterInput(newTasks);
      return {
        accepted: true as const,
        stepKey,
        recordId: applied.recordId,
        findings: applied.findings,
        view: view(),
      };
    },
    {
      validator: (submission: Submission) => {
        turnAway();
        reject(inputRejection(ready().f, ctx(), submission));
      },
    },
  );

  setHandler(
    recordDecisionUpdate,
    async (decision) => {
      const decisionId = currentUpdateInfo()?.id ?? `${stepKey}/${revision}`;
      const changes = ready().desk.decide(decision, decisionId);
      revision++;
      await saveQueue(changes);
      return { accepted: true as const, gate: decision.gate, outcome: decision.outcome, view: view() };
    },
    {
      validator: (decision: DecisionInput) => {
        turnAway();
        rejectWith(ready().desk.decisionRejection(decision));
      },
    },
  );

  // New AI systems in scope found by a scan: each gets a task to assess its impact.
  setHandler(aiSystemsDiscoveredSignal, async ({ scanId }) => {
    // A signal cannot be turned away: it waits for the facts.
    await condition(() => loaded !== undefined);
    const { f, desk } = ready();
    const systems = await discoveriesOf(programmeId, scanId);
    const applied = applyDiscoveredSystems(f, ctx(), scanId, systems);
    if (!applied.changes.systems?.length) return;
    revision++;
    await saveQueue(applied.changes);
    desk.afterInput(applied.taskIds);
  });

  const f = await loadProgrammeFacts(programmeId, input.resume ? stepKey : undefined);

  // Saves run one after another, each with the facts as they were when it was asked for, so
  // the database never goes back to an older state whatever order the activities finish in.
  let lastScalars = canonicalJson(scalarsOf(f));
  let saving: Promise<void> = Promise.resolve();
  const save = (changes: RecordChanges): Promise<void> => {
    const scalars = canonicalJson(scalarsOf(f));
    const chunks = chunkChanges(JSON.parse(JSON.stringify(changes)) as RecordChanges);
    // The programme-wide facts go with the last chunk: they are written once the rest is.
    const requests = chunks.map((chunk, i) => ({
      programmeId,
      cycle: f.cycle,
      changes: chunk,
      ...(i === chunks.length - 1 && scalars !== lastScalars && { scalars: scalarsOf(f) }),
    }));
    lastScalars = scalars;
    const done = saving.then(async () => {
      for (const request of requests) await saveRecords(request);
    });
    saving = done.catch(() => undefined);
    return done;
  };

  const parent = workflowInfo().parent;
  let lastProgress = '';
  const reportProgress = async () => {
    const progress: StageProgress = {
      stepKey,
      nextDueAt: nextDueAt(f, ctx()),
      // An approval past its expiry makes the step overdue too (AimsOverdue in the UI).
      overdue: isOverdue(f) || desk.overdue(),
      certificate: f.certificate,
    };
    const serialised = JSON.stringify(progress);
    if (!parent || serialised === lastProgress) return;
    lastProgress = serialised;
    await getExternalWorkflowHandle(parent.workflowId).signal(stageProgressSignal, progress);
  };

  const desk: ApprovalDesk = new ApprovalDesk({
    facts: f,
    stepKey,
    ctx,
    save,
    reportProgress,
    carried: input.resume,
  });
  const clock = new NcClock({ facts: f, save, reportProgress });
  // The handlers above reach the facts, desk and clock through this from now on.
  loaded = { f, desk, clock };
  // Each handler saves what it changed; they share this one save queue.
  saveQueue = save;

  if (!input.resume) {
    enterStep(f, ctx());
    if (canonicalJson(scalarsOf(f)) !== lastScalars) await save({});
  }
  desk.start();
  clock.start();

  // When the history grows long the stage rests: it turns inputs away for a moment (the
  // gateway retries them) until its mail has gone out, then continues as new.
  let restAgainAfter = 0;
  const longHistory = () => {
    const info = workflowInfo();
    return (
      (info.continueAsNewSuggested || info.historyLength >= STAGE_HISTORY_LIMIT) &&
      info.historyLength >= restAgainAfter
    );
  };
  const woken = (seen: number) => () =>
    revision !== seen ||
    desk.failed ||
    clock.failed ||
    (longHistory() && resting === undefined) ||
    (resting !== undefined && desk.idle);
  for (;;) {
    desk.rethrowFailure();
    clock.rethrowFailure();
    await reportProgress();
    if (unmetGates(f, ctx()).length === 0) break;
    if (resting === undefined && longHistory()) resting = Date.now();
    if (resting !== undefined && desk.idle) {
      // Keep the history short: the next run reloads the facts every accepted input saved.
      desk.stop();
      clock.stop();
      await Promise.all([desk.join(), clock.join()]);
      await condition(allHandlersFinished);
      await saving;
      log.info('stage continues as new', { stepKey, events: workflowInfo().historyLength });
      return continueAsNew<typeof stageWorkflow>({
        ...input,
        resume: { ...desk.carry(), run: (input.resume?.run ?? 1) + 1 },
      });
    }
    if (resting !== undefined && Date.now() - resting >= REST_LIMIT_MS) {
      // The mail server is slow or down: take inputs again and try later.
      log.warn('stage could not rest: mail still pending', { stepKey, events: workflowInfo().historyLength });
      resting = undefined;
      restAgainAfter = workflowInfo().historyLength + REST_RETRY_EVENTS;
    }
    const seen = revision;
    const deadline = activeDeadline(f, ctx());
    const restLeft = resting === undefined ? undefined : resting + REST_LIMIT_MS - Date.now();
    if (!deadline) {
      if (restLeft === undefined) await condition(woken(seen));
      else await condition(woken(seen), restLeft);
      continue;
    }
    const remaining = Date.parse(deadline.dueAt) - Date.now();
    if (restLeft !== undefined && restLeft < remaining) {
      await condition(woken(seen), restLeft);
      continue;
    }
    if (remaining > 0 && (await condition(woken(seen), remaining))) continue;
    desk.rethrowFailure();
    // The deadline passed with the gates still open.
    const effect = expireDeadline(f, ctx(), deadline);
    log.info('deadline expired', { stepKey, deadline: deadline.id, event: effect.event });
    await save(effect.changes);
    if (effect.loopBack) {
      clock.stop();
      desk.stop();
      await condition(allHandlersFinished);
      await saving;
      return { type: 'loopBack', ...effect.loopBack, cycle: f.cycle, certificate: f.certificate };
    }
  }
  desk.stop();
  clock.stop();
  const completed = completeStep(f, ctx());
  // The last step of a cycle hands over to the next: what it starts from is saved here.
  if (def.next === 'NEXT_CYCLE') carryIntoNextCycle(f, new Date(Date.now()).toISOString());
  await save(completed);
  await reportProgress();
  await condition(allHandlersFinished);
  await saving;
  return { type: 'completed', cycle: f.cycle, certificate: f.certificate };
}
