/**
 * The management review (clause 9.3): when it was held, who attended, and the decisions taken
 * with their owners, deadlines and resources. Top management signs it off.
 */
import type { SchemaParts, Z } from '../schema-parts';
import { defineInput } from './definition';

export function managementReviewBodySchema(z: Z, p: SchemaParts) {
  return z
    .object({
      heldOn: p.Instant,
      attendees: z.array(p.Person).min(1).max(100),
      decisions: z
        .array(
          z
            .object({
              topic: p.Line(300),
              decision: p.Text(),
              owner: p.Email.optional(),
              due: p.Instant.optional(),
              resources: p.Text(2000).optional().meta({
                description: 'People, budget or tools committed to carry the decision out',
              }),
            })
            .strict(),
        )
        .min(1)
        .max(200),
      submittedBy: p.SubmittedBy,
    })
    .strict();
}

export const managementReview = defineInput({
  kind: 'managementReview',
  schema: (z, p) => managementReviewBodySchema(z, p).safeExtend({ kind: z.literal('managementReview') }),
  facts: (input) => ({ heldOn: input.heldOn, submittedBy: input.submittedBy }),
  rejection: () => null,
  apply(f, ctx, { ref, facts }) {
    const submittedAt = new Date(ctx.now).toISOString();
    const version = (f.documents.managementReview?.version ?? 0) + 1;
    f.documents.managementReview = {
      version,
      sha256: ref.sha256,
      submittedAt,
      submittedBy: facts.submittedBy,
      heldOn: facts.heldOn,
    };
    return {
      changes: {
        artefacts: [
          { kind: 'managementReview', key: '', version, submittedAt, sha256: ref.sha256, body: ref },
        ],
      },
    };
  },
});
