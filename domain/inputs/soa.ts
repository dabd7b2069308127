/**
 * The Statement of Applicability (clause 6.1.3): every Annex A control with whether it applies,
 * why, its implementation status, owner, the risks and AI systems it concerns and its evidence,
 * plus the organisation's own controls (ORG- ids). Top management approves it.
 */
import { CONTROLS, findRequirement } from '../catalogue/iso42001';
import type { SchemaParts, Z } from '../schema-parts';
import { defineInput } from './definition';

export function soaBodySchema(z: Z, p: SchemaParts) {
  return z
    .object({
      entries: z
        .array(
          z
            .object({
              controlId: z
                .string()
                .min(1)
                .max(40)
                // What the superRefine below checks, for the document.
                .meta({ anyOf: [{ enum: CONTROLS.map((c) => c.id) }, { pattern: '^ORG-' }] }),
              title: p.Line(300).optional(),
              applicable: z.boolean(),
              justification: p.Text(),
              implementationStatus: z.enum([
                'implemented',
                'partially_implemented',
                'planned',
                'not_implemented',
              ]),
              owner: p.Email.optional(),
              linkedRiskIds: z.array(p.RecordId).max(200).optional(),
              linkedAiSystemIds: z.array(p.Slug).max(500).optional(),
              evidenceRefs: z.array(p.Text(500)).max(50).optional(),
            })
            .strict(),
        )
        .min(CONTROLS.length)
        .max(500),
      submittedBy: p.SubmittedBy,
    })
    .strict()
    .superRefine((body, ctx) => {
      const ids = body.entries.map((e) => e.controlId);
      if (new Set(ids).size !== ids.length)
        ctx.addIssue({ code: 'custom', path: ['entries'], message: 'control ids must be unique' });
      const missing = CONTROLS.filter((c) => !ids.includes(c.id)).map((c) => c.id);
      if (missing.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['entries'],
          message: `every Annex A control needs a row; missing: ${missing.join(', ')}`,
        });
      }
      body.entries.forEach((e, i) => {
        if (!e.controlId.startsWith('A.') && !e.controlId.startsWith('ORG-')) {
          ctx.addIssue({
            code: 'custom',
            path: ['entries', i, 'controlId'],
            message: 'own controls use the ORG- prefix',
          });
        } else if (e.controlId.startsWith('A.') && findRequirement(e.controlId)?.kind !== 'control') {
          ctx.addIssue({
            code: 'custom',
            path: ['entries', i, 'controlId'],
            message: 'unknown Annex A control',
          });
        }
      });
    });
}

export const soa = defineInput({
  kind: 'soa',
  schema: (z, p) => soaBodySchema(z, p).safeExtend({ kind: z.literal('soa') }),
  // Only the Annex A controls held not applicable matter to the gates: 38 at most.
  facts: (input) => ({
    submittedBy: input.submittedBy,
    notApplicable: input.entries
      .filter((e) => !e.applicable && findRequirement(e.controlId)?.kind === 'control')
      .map((e) => e.controlId),
  }),
  rejection: () => null,
  apply(f, ctx, { ref, facts }) {
    const submittedAt = new Date(ctx.now).toISOString();
    const version = (f.documents.soa?.version ?? 0) + 1;
    f.documents.soa = {
      version,
      sha256: ref.sha256,
      submittedAt,
      submittedBy: facts.submittedBy,
      notApplicable: facts.notApplicable,
    };
    return {
      changes: { artefacts: [{ kind: 'soa', key: '', version, submittedAt, sha256: ref.sha256, body: ref }] },
    };
  },
});
