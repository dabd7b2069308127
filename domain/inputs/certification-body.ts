/** The certification body chosen for the audits, with its accreditation; the sponsor approves the choice. */
import type { SchemaParts, Z } from '../schema-parts';
import { defineInput } from './definition';

export function certificationBodyBodySchema(z: Z, p: SchemaParts) {
  return z
    .object({
      name: p.Line(200),
      accreditationBody: p.Line(100),
      contact: p.Email.optional(),
      submittedBy: p.SubmittedBy,
    })
    .strict();
}

export const certificationBody = defineInput({
  kind: 'certificationBody',
  schema: (z, p) => certificationBodyBodySchema(z, p).safeExtend({ kind: z.literal('certificationBody') }),
  facts: (input) => ({ submittedBy: input.submittedBy }),
  rejection: () => null,
  apply(f, ctx, { ref, facts }) {
    const submittedAt = new Date(ctx.now).toISOString();
    const version = (f.documents.certificationBody?.version ?? 0) + 1;
    f.documents.certificationBody = {
      version,
      sha256: ref.sha256,
      submittedAt,
      submittedBy: facts.submittedBy,
    };
    return {
      changes: {
        artefacts: [
          { kind: 'certificationBody', key: '', version, submittedAt, sha256: ref.sha256, body: ref },
        ],
      },
    };
  },
});
