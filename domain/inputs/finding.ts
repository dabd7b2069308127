/**
 * A finding recorded after its audit (say, while the certification decision is pending): a
 * conformity, observation, opportunity for improvement, or a minor or major nonconformity of
 * the step's audit. Nonconformities stay open until a corrective action is recorded.
 */
import type { AuditFact } from '../facts';
import { currentAudit } from '../queries';
import { AUDIT_KINDS } from '../vocabulary';
import { auditFindingSchema, gradeRejection, raiseFinding, stepAcceptsAudit } from './audit-rules';
import { defineInput } from './definition';

export const finding = defineInput({
  kind: 'finding',
  schema: (z, p) =>
    auditFindingSchema(z, p)
      .safeExtend({ kind: z.literal('finding'), audit: z.enum(AUDIT_KINDS) })
      .strict(),
  facts: (input) => ({ audit: input.audit, grade: input.grade, requirementId: input.requirementId }),
  rejection(f, ctx, x) {
    if (!stepAcceptsAudit(ctx, x.audit)) return `${x.audit} findings are not recorded in step ${ctx.step.id}`;
    if (!currentAudit(f, ctx, x.audit)) return `record the ${x.audit} audit before its findings`;
    return gradeRejection(x.audit, x.grade);
  },
  apply(f, ctx, { ref, facts }) {
    const audit = currentAudit(f, ctx, facts.audit) as AuditFact;
    const raised = raiseFinding(f, ctx, audit, facts, { description: { ...ref, path: ['description'] } });
    return { recordId: raised.fact.id, changes: { findings: [raised] } };
  },
});
