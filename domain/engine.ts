/**
 * The pure interpreter of the process model. Stage workflows call it from Update validators
 * (reject with a reason, leaving no history), Update handlers (apply), and their main loop
 * (gates and deadlines). No I/O, no clock: `ctx.now` is workflow time. What each input kind
 * does lives in its definition (domain/inputs/); this module dispatches and keeps the rules
 * every step shares.
 */
import type { RecordChanges } from './contracts/persistence';
import { activeDeadline } from './deadlines';
import type { ProgrammeFacts } from './facts';
import type { Applied, RejectedOnApply } from './inputs/definition';
import { inputDefinition, type Submission } from './inputs';
import { overdueMinorNcs, pendingNcEvents } from './nc-follow-up';
import type { StepContext } from './queries';
import { pendingApprovals, unmetGates } from './step-status';
import type { StageView } from './views';

export type { StepContext } from './queries';
export { activeDeadline, expireDeadline, type Deadline } from './deadlines';
export { artefactVersion, pendingApprovals, unmetGates } from './step-status';

export type { StageView } from './views';

/** Why the current step cannot take this input, or null when it can. */
export function inputRejection(f: ProgrammeFacts, ctx: StepContext, s: Submission): string | null {
  if (!ctx.step.accepts.includes(s.kind)) {
    return `step ${ctx.step.id} (${ctx.step.title}) does not accept ${s.kind}; it accepts: ${ctx.step.accepts.join(', ')}`;
  }
  return inputDefinition(s.kind).rejection(f, ctx, s.facts);
}

/** Applies an accepted input to the facts (mutating them) and returns what to persist. */
export function applyInput(
  f: ProgrammeFacts,
  ctx: StepContext,
  s: Submission,
  items: readonly unknown[] = [],
): Applied | RejectedOnApply {
  return inputDefinition(s.kind).apply(f, ctx, { ref: s.ref, facts: s.facts, items: [...items] });
}

export function isRejected(applied: Applied | RejectedOnApply): applied is RejectedOnApply {
  return 'rejected' in applied;
}

/**
 * The programme's next deadline: the step's own, or a nonconformity's that falls earlier (a minor
 * nonconformity's corrective-action plan, a corrective action's due date). Escalations are not
 * deadlines of the organisation's, so they do not count.
 */
export function nextDueAt(f: ProgrammeFacts, ctx: StepContext): string | undefined {
  const step = activeDeadline(f, ctx);
  const nc = pendingNcEvents(f).find(
    (e) => e.kind === 'minorNcPlanOverdue' || e.kind === 'correctiveActionOverdue',
  );
  if (!nc) return step?.dueAt;
  if (step && Date.parse(step.dueAt) <= nc.at) return step.dueAt;
  return new Date(nc.at).toISOString();
}

/** A lapsed certificate, or a certification body's minor NC whose plan is overdue. */
export function isOverdue(f: ProgrammeFacts): boolean {
  return f.certificate?.status === 'LAPSED' || overdueMinorNcs(f).length > 0;
}

export function stageView(f: ProgrammeFacts, ctx: StepContext): StageView {
  return {
    programmeId: f.programmeId,
    cycle: f.cycle,
    step: ctx.step.id,
    stage: ctx.step.stage,
    stepKey: ctx.stepKey,
    accepts: [...ctx.step.accepts],
    unmetGates: unmetGates(f, ctx),
    pendingApprovals: pendingApprovals(f, ctx),
    nextDeadline: activeDeadline(f, ctx),
    overdue: isOverdue(f),
    certificate: f.certificate,
  };
}

// ---------------------------------------------------------------- step boundaries

export function enterStep(f: ProgrammeFacts, ctx: StepContext): void {
  if (ctx.step.id === 'CERTIFICATION') f.stage2Attempt = 1;
}

/** Work done when a step's gates all hold: a lapsed certificate audited in time is restored. */
export function completeStep(f: ProgrammeFacts, _ctx: StepContext): RecordChanges {
  const cert = f.certificate;
  if (cert && cert.status === 'LAPSED') {
    cert.status = 'ACTIVE';
    delete cert.lapsedAt;
    return { certificate: cert };
  }
  return {};
}
