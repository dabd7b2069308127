/**
 * The verification of a corrective action: who verified it, whether it proved effective, the
 * evidence checked and who approved the closure (not the action's owner). An ineffective
 * action reopens the nonconformity. A certification body's minor NC is verified at its next
 * audit (surveillance or recertification), not before.
 */
import { applyVerification, verificationRejection } from '../nc-follow-up';
import { currentAudit, iso } from '../queries';
import type { SchemaParts, Z } from '../schema-parts';
import { AUDIT_KINDS } from '../vocabulary';
import { defineInput } from './definition';

export function verificationBodySchema(z: Z, p: SchemaParts) {
  return z
    .object({
      verifiedBy: p.Line(200),
      note: p.Text().optional(),
      audit: z.enum(AUDIT_KINDS).optional().meta({
        description:
          "The audit at which the verification was made; a certification body's minor NC is verified at its next audit (surveillance or recertification)",
      }),
      effective: z.boolean().optional().meta({
        description:
          'Whether the action proved effective (default true); false reopens the nonconformity for a new action',
      }),
      evidenceIds: z.array(p.Line(200)).max(50).optional().meta({
        description: 'Evidence register ids of the implementation, checked by the verifier',
      }),
      closureApprovedBy: p.Email.optional().meta({
        description: 'Who approved the closure; not the owner of the corrective action',
      }),
    })
    .strict();
}

export const verification = defineInput({
  kind: 'verification',
  schema: (z, p) =>
    z.object({
      kind: z.literal('verification'),
      findingId: z.string(),
      verification: verificationBodySchema(z, p),
    }),
  facts: (input) => ({
    findingId: input.findingId,
    audit: input.verification.audit,
    effective: input.verification.effective,
    closureApprovedBy: input.verification.closureApprovedBy,
  }),
  rejection(f, ctx, { findingId, ...v }) {
    const x = f.findings[findingId];
    if (!x) return `no finding ${findingId}`;
    if (x.status !== 'action_planned')
      return `finding ${x.id} is ${x.status.replace('_', ' ')}; only a finding with a corrective action can be verified`;
    return verificationRejection(ctx, x, v);
  },
  apply(f, ctx, { ref, facts: { findingId, ...v } }) {
    const x = f.findings[findingId];
    const exam = ctx.step.audits.find((a) => a === 'surveillance' || a === 'recertification');
    const at = exam && x.audit !== 'internal' ? currentAudit(f, ctx, exam) : undefined;
    applyVerification(x, v, iso(ctx.now), at?.id, x.audit !== 'internal' ? exam : undefined);
    return {
      recordId: x.id,
      changes: { findings: [{ fact: x, text: { verification: { ...ref, path: ['verification'] } } }] },
    };
  },
});
