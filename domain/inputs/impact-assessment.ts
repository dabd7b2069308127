/**
 * An AI system impact assessment (clauses 6.1.4, 8.4): intended use, foreseeable misuse, the
 * people and groups affected, harms and benefits, and the measures taken. Every AI system in
 * scope needs one before implementation ends; a system found later by a scan can have one too.
 */
import type { SchemaParts, Z } from '../schema-parts';
import { together } from '../schema-rules';
import { defineInput } from './definition';

export function impactAssessmentBodySchema(z: Z, p: SchemaParts) {
  return z
    .object({
      aiSystemId: p.Slug,
      intendedUse: p.Text(),
      foreseeableMisuse: p.Text(),
      affectedParties: z.array(p.Line(300)).min(1).max(50),
      harms: z.array(p.Text()).max(50).default([]),
      benefits: z.array(p.Text()).max(50).default([]),
      likelihood: p.Score,
      severity: p.Score,
      measures: z.array(p.Text()).max(50).default([]),
      // ISO/IEC 42005 fields beyond the core: all optional so earlier assessments stay valid.
      societalHarms: z.array(p.Text()).max(50).optional(),
      societalBenefits: z.array(p.Text()).max(50).optional(),
      vulnerableGroups: z.array(p.Line(300)).max(50).optional(),
      jurisdictions: z.array(p.Line(100)).max(50).optional(),
      dataDescription: p.Text(5000).optional(),
      deploymentContext: p.Text(5000).optional(),
      linkedRiskIds: z.array(p.RecordId).max(200).optional(),
      responsible: p.Email.optional(),
      approvedBy: p.Email.optional(),
      approvedOn: p.Instant.optional(),
      reviewDue: p.Instant.optional(),
    })
    .strict()
    .refine((ia) => (ia.approvedBy === undefined) === (ia.approvedOn === undefined), {
      path: ['approvedOn'],
      message: 'an approval needs both approvedBy and approvedOn',
    })
    .meta(together('approvedBy', 'approvedOn'));
}

export const impactAssessment = defineInput({
  kind: 'impactAssessment',
  schema: (z, p) => impactAssessmentBodySchema(z, p).safeExtend({ kind: z.literal('impactAssessment') }),
  facts: (input) => ({ aiSystemId: input.aiSystemId }),
  rejection(f, _ctx, { aiSystemId }) {
    const system = f.systems[aiSystemId];
    // A system in scope that a scan found after scoping can be assessed too (domain/discoveries.ts).
    if (!system?.scope && system?.discovered) return null;
    if (!system?.scope) return `AI system ${aiSystemId} is not in the registered scope`;
    return system.scope.inScope ? null : `AI system ${aiSystemId} is outside the AIMS scope`;
  },
  apply(f, ctx, { ref, facts }) {
    const submittedAt = new Date(ctx.now).toISOString();
    const version = (f.impactAssessments[facts.aiSystemId]?.version ?? 0) + 1;
    const fact = { version, sha256: ref.sha256, submittedAt };
    f.impactAssessments[facts.aiSystemId] = fact;
    return {
      recordId: facts.aiSystemId,
      changes: {
        artefacts: [
          {
            kind: 'impactAssessment',
            key: facts.aiSystemId,
            version,
            submittedAt,
            sha256: ref.sha256,
            body: ref,
          },
        ],
        impactAssessments: [{ aiSystemId: facts.aiSystemId, fact }],
      },
    };
  },
});
