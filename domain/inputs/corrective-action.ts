/**
 * The corrective action of a nonconformity (clause 10.2): the correction, root cause, action,
 * owner and deadline, and later the evidence of its implementation. Recording it moves the
 * finding from open to awaiting verification; the NC clock reminds and escalates at the deadline.
 */
import type { SchemaParts, Z } from '../schema-parts';
import { iso } from '../queries';
import { defineInput } from './definition';
import { GRADE_NAMES } from './audit-rules';

export function correctiveActionBodySchema(z: Z, p: SchemaParts) {
  return z
    .object({
      correction: p.Text(),
      rootCause: p.Text(),
      action: p.Text(),
      owner: p.Email,
      due: p.Instant,
      evidenceIds: z.array(p.Line(200)).max(50).optional().meta({
        description: 'Evidence register ids showing the correction and action were implemented',
      }),
      planAcceptedBy: p.Line(200).optional().meta({
        description: "For a certification body's nonconformity: who accepted the plan at the body",
      }),
    })
    .strict();
}

export const correctiveAction = defineInput({
  kind: 'correctiveAction',
  schema: (z, p) =>
    z.object({
      kind: z.literal('correctiveAction'),
      findingId: z.string(),
      action: correctiveActionBodySchema(z, p),
    }),
  facts: (input) => ({ findingId: input.findingId, owner: input.action.owner, due: input.action.due }),
  rejection(f, _ctx, { findingId }) {
    const x = f.findings[findingId];
    if (!x) return `no finding ${findingId}`;
    if (x.grade !== 'minor_nc' && x.grade !== 'major_nc')
      return `finding ${x.id} is ${GRADE_NAMES[x.grade]}, not a nonconformity`;
    return x.status === 'open' ? null : `finding ${x.id} is already ${x.status.replace('_', ' ')}`;
  },
  apply(f, ctx, { ref, facts }) {
    const x = f.findings[facts.findingId];
    x.correctiveAction = { owner: facts.owner, due: facts.due, recordedAt: iso(ctx.now) };
    x.status = 'action_planned';
    return {
      recordId: x.id,
      changes: { findings: [{ fact: x, text: { correctiveAction: { ...ref, path: ['action'] } } }] },
    };
  },
});
