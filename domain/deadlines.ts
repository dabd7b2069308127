/**
 * THE table of step deadlines: when each falls due given the facts, and what happens when it
 * passes with the step's gates still open. Keyed by `DeadlineId`, so a deadline a step names
 * without a definition does not compile. The stage workflow waits on the earliest as a durable
 * timer.
 */
import type { RecordChanges } from './contracts/persistence';
import { addDurationIso } from './durations';
import type { CertificateFact, ProgrammeFacts } from './facts';
import { supersedeStepNonconformities } from './nc-follow-up';
import { currentAudit, openMajors, type StepContext } from './queries';
import { unmetGates } from './step-status';
import type { Deadline } from './views';
import type { DeadlineId, StepId } from './vocabulary';

export type { Deadline } from './views';

export interface DeadlineEffect {
  event: string;
  changes: RecordChanges;
  loopBack?: { to: StepId; reason: string };
}

interface DeadlineDefinition {
  /** When it falls due now, or undefined when it does not apply. */
  due(f: ProgrammeFacts, ctx: StepContext): Omit<Deadline, 'id'> | undefined;
  /** What passing it with the gates open does to the facts. */
  expire(f: ProgrammeFacts, ctx: StepContext, deadline: Deadline): DeadlineEffect;
}

const lapse = (f: ProgrammeFacts, deadline: Deadline): DeadlineEffect => {
  const cert = f.certificate as CertificateFact;
  Object.assign(cert, { status: 'LAPSED', lapsedAt: deadline.dueAt });
  return {
    event: `certificate ${cert.number} lapsed: ${deadline.description} by ${deadline.dueAt}`,
    changes: { certificate: cert },
  };
};

const DEADLINES: Record<DeadlineId, DeadlineDefinition> = {
  majorNcVerification: {
    due(f, ctx) {
      const stage2 = currentAudit(f, ctx, 'stage2');
      if (!stage2 || openMajors(f, ctx).length === 0) return undefined;
      return {
        dueAt: addDurationIso(stage2.lastDay, f.config.majorNcVerificationWindow),
        description: `major nonconformities must be verified as corrected, or stage 2 is repeated`,
      };
    },
    expire(f, ctx) {
      const majors = openMajors(f, ctx).map((x) => x.id);
      const superseded = supersedeStepNonconformities(f, ctx);
      f.stage2Attempt += 1;
      return {
        event: `stage 2 must be repeated: ${majors.join(', ')} not verified within ${f.config.majorNcVerificationWindow} of its last day`,
        changes: { findings: superseded.map((fact) => ({ fact })) },
      };
    },
  },
  surveillanceDue: {
    due(f, ctx) {
      const cert = f.certificate;
      if (!cert || cert.status !== 'ACTIVE' || unmetGates(f, ctx).length === 0) return undefined;
      const round = ctx.step.surveillanceRound ?? 1;
      const first = addDurationIso(cert.decisionDate, f.config.firstSurveillanceWithin);
      return {
        dueAt: addDurationIso(first, f.config.surveillanceInterval, round - 1),
        description: `surveillance audit ${round} must be completed`,
      };
    },
    expire: (f, _ctx, deadline) => lapse(f, deadline),
  },
  recertificationDue: {
    due(f, ctx) {
      const cert = f.certificate;
      if (!cert || cert.status !== 'ACTIVE' || unmetGates(f, ctx).length === 0) return undefined;
      return {
        dueAt: cert.expiresOn,
        description: 'recertification must be decided before the certificate expires',
      };
    },
    expire: (f, _ctx, deadline) => lapse(f, deadline),
  },
  restoreWindow: {
    due(f) {
      const cert = f.certificate;
      if (!cert || cert.status !== 'LAPSED' || !cert.lapsedAt) return undefined;
      return {
        dueAt: addDurationIso(cert.lapsedAt, f.config.restoreWindow),
        description: 'the lapsed certificate can be restored until then; afterwards it is withdrawn',
      };
    },
    expire(f, ctx) {
      const cert = f.certificate as CertificateFact;
      cert.status = 'WITHDRAWN';
      const to = ctx.step.onWithdrawnCertificate ?? 'CERTIFICATION';
      const reason = `certificate ${cert.number} withdrawn: not restored within ${f.config.restoreWindow} of lapsing`;
      return { event: reason, changes: { certificate: cert }, loopBack: { to, reason } };
    },
  },
};

/** The earliest deadline of the step that applies now. */
export function activeDeadline(f: ProgrammeFacts, ctx: StepContext): Deadline | undefined {
  let next: Deadline | undefined;
  for (const id of ctx.step.deadlines) {
    const due = DEADLINES[id].due(f, ctx);
    if (due && (!next || Date.parse(due.dueAt) < Date.parse(next.dueAt))) next = { id, ...due };
  }
  return next;
}

export function expireDeadline(f: ProgrammeFacts, ctx: StepContext, deadline: Deadline): DeadlineEffect {
  return DEADLINES[deadline.id].expire(f, ctx, deadline);
}
