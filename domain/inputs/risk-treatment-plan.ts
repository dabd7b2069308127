/**
 * The risk treatment plan (clauses 6.1.3, 8.3): each AI risk with its likelihood and severity,
 * the treatment, the Annex A controls that treat it, and the residual risk the sponsor accepts
 * by approving the plan. Risks may name AI systems of the scope, in or out of it.
 */
import { list } from '../queries';
import type { SchemaParts, Z } from '../schema-parts';
import { defineInput } from './definition';

export function riskTreatmentPlanBodySchema(z: Z, p: SchemaParts) {
  return z
    .object({
      risks: z
        .array(
          z
            .object({
              id: p.RecordId,
              title: p.Line(300),
              aiSystemIds: z.array(p.Slug).max(500).default([]),
              likelihood: p.Score,
              severity: p.Score,
              treatment: z.enum(['mitigate', 'accept', 'transfer', 'avoid']),
              controls: z.array(p.ControlId).max(100).default([]),
              residualLikelihood: p.Score,
              residualSeverity: p.Score,
              owner: p.Email.optional(),
              riskSources: z.array(p.RiskSourceId).max(7).optional(),
            })
            .strict(),
        )
        .min(1)
        .max(1000),
      submittedBy: p.SubmittedBy,
    })
    .strict();
}

export const riskTreatmentPlan = defineInput({
  kind: 'riskTreatmentPlan',
  schema: (z, p) => riskTreatmentPlanBodySchema(z, p).safeExtend({ kind: z.literal('riskTreatmentPlan') }),
  facts: (input) => ({ submittedBy: input.submittedBy, risks: input.risks.length }),
  // The AI systems the risks name, each once: checked against the scope's systems.
  items: (input) => [...new Set(input.risks.flatMap((r) => r.aiSystemIds))],
  rejection: () => null,
  apply(f, ctx, { ref, facts, items }) {
    const unknown = items.filter((id) => !f.systems[id]?.scope);
    if (unknown.length > 0) return { rejected: `risks reference unknown AI systems: ${list(unknown, 20)}` };
    const submittedAt = new Date(ctx.now).toISOString();
    const version = (f.documents.riskTreatmentPlan?.version ?? 0) + 1;
    f.documents.riskTreatmentPlan = {
      version,
      sha256: ref.sha256,
      submittedAt,
      submittedBy: facts.submittedBy,
    };
    return {
      changes: {
        artefacts: [
          { kind: 'riskTreatmentPlan', key: '', version, submittedAt, sha256: ref.sha256, body: ref },
        ],
      },
    };
  },
});
