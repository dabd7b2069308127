/**
 * The certification body's decision after stage 2 (or the recertification audit): a
 * certificate granted, valid three years (a recertification continues from the old expiry), or
 * refused, which repeats the audit. A certificate cannot be granted while a nonconformity of
 * the step has no corrective action or a major one is not verified.
 */
import { addDurationIso } from '../durations';
import type { AuditFact, CertificateFact } from '../facts';
import { evaluateGate } from '../gates';
import { supersedeStepNonconformities } from '../nc-follow-up';
import { currentAudit, iso } from '../queries';
import { when } from '../schema-rules';
import { defineInput } from './definition';

export const certificationDecision = defineInput({
  kind: 'certificationDecision',
  schema: (z, p) =>
    z.object({
      kind: z.literal('certificationDecision'),
      decision: z
        .object({
          outcome: z.enum(['granted', 'refused']),
          certificateNumber: p.Line(100).optional(),
          decidedOn: p.Instant.optional().meta({ description: 'Defaults to now' }),
        })
        .strict()
        .refine((d) => d.outcome !== 'granted' || d.certificateNumber !== undefined, {
          path: ['certificateNumber'],
          message: 'a granted certificate needs its number',
        })
        .meta(when('outcome', 'granted', { required: ['certificateNumber'] })),
    }),
  facts: (input) => input.decision,
  rejection(f, ctx, decision) {
    const exam = ctx.step.id === 'CERTIFICATION' ? 'stage2' : 'recertification';
    if (!currentAudit(f, ctx, exam)) return `no certification decision before the ${exam} audit is recorded`;
    if (f.certificate?.decisionStepKey === ctx.stepKey)
      return 'a certification decision is already recorded in this step';
    if (decision.outcome === 'granted') {
      const reasons = [
        evaluateGate('nonconformitiesHaveActions', f, ctx),
        evaluateGate('noOpenMajorNc', f, ctx),
      ].filter((r): r is string => r !== null);
      if (reasons.length > 0) return `a certificate cannot be granted: ${reasons.join('; ')}`;
    }
    if (decision.decidedOn && Date.parse(decision.decidedOn) > ctx.now)
      return 'the decision date cannot be in the future';
    return null;
  },
  apply(f, ctx, { facts: decision }) {
    const decidedOn = decision.decidedOn ?? iso(ctx.now);
    if (decision.outcome === 'refused') {
      // A refusal sends the organisation back to a new stage 2 (or recertification audit).
      const superseded = supersedeStepNonconformities(f, ctx);
      const voided: AuditFact[] = [];
      if (ctx.step.id === 'CERTIFICATION') f.stage2Attempt += 1;
      else
        for (const a of f.audits)
          if (a.stepKey === ctx.stepKey && a.audit === 'recertification' && !a.voided) {
            a.voided = true;
            voided.push(a);
          }
      return {
        changes: { findings: superseded.map((fact) => ({ fact })), audits: voided.map((fact) => ({ fact })) },
      };
    }
    const previous = f.certificate;
    // Recertification (even a restoration after lapse) continues from the old expiry date.
    const expiresOn =
      ctx.step.id === 'RECERTIFICATION' && previous
        ? addDurationIso(previous.expiresOn, f.config.certificateValidity)
        : addDurationIso(decidedOn, f.config.certificateValidity);
    const certificate: CertificateFact = {
      number: decision.certificateNumber ?? '',
      decisionDate: decidedOn,
      expiresOn,
      status: 'ACTIVE',
      cycle: ctx.step.id === 'RECERTIFICATION' ? f.cycle + 1 : f.cycle,
      decisionStepKey: ctx.stepKey,
      ...(f.documents.scope && { scopeVersion: f.documents.scope.version }),
      ...(previous && previous.number !== decision.certificateNumber && { replaces: previous.number }),
    };
    f.certificate = certificate;
    return { recordId: certificate.number, changes: { certificate } };
  },
});
