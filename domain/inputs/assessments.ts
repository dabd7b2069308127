/**
 * Gap assessments: for each clause 4-10 and Annex A control, whether the organisation complies,
 * with the assessor, justification, evidence and optional gap-scoring factors. A later
 * assessment of a requirement replaces the earlier one and changes the roadmap under approval.
 */
import { CONTROLS, findRequirement, REQUIREMENTS } from '../catalogue/iso42001';
import { isIso27001Shared } from '../catalogue/profiles';
import { fingerprint } from '../fingerprint';
import type { SchemaParts, Z } from '../schema-parts';
import { ASSESSMENT_STATUSES, type AssessmentStatus } from '../vocabulary';
import { when } from '../schema-rules';
import { defineInput } from './definition';

export function assessmentItemSchema(z: Z, p: SchemaParts) {
  const Factor = z.number().int().min(1).max(5);
  return z
    .object({
      requirementId: p.RequirementId,
      status: z.enum(ASSESSMENT_STATUSES),
      justification: p.Text().optional(),
      assessor: p.Email,
      evidence: z.array(p.Text(500)).max(50).default([]).meta({
        description: 'Evidence references: document ids, URLs, evidence register keys',
      }),
      factors: z
        .object({
          inherentRisk: Factor.optional(),
          regulatoryExposure: Factor.optional(),
          customerTrust: Factor.optional(),
          implementationComplexity: Factor.optional(),
        })
        .strict()
        .optional()
        .meta({ description: 'Scoring factors (1-5) for this gap, overriding the catalogue defaults' }),
      reuseFrom27001: z.boolean().optional().meta({
        description: 'Evidence of the same ISO/IEC 27001 management-system clause is reused',
      }),
    })
    .strict()
    .superRefine((item, ctx) => {
      if (item.reuseFrom27001 && !isIso27001Shared(item.requirementId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['reuseFrom27001'],
          message: 'only clauses shared with ISO/IEC 27001 (harmonised structure) can reuse its evidence',
        });
      }
      if (item.status === 'not_applicable' && findRequirement(item.requirementId)?.kind === 'clause') {
        ctx.addIssue({
          code: 'custom',
          path: ['status'],
          message: 'clauses 4-10 are mandatory and cannot be not applicable',
        });
      }
      if (item.status === 'not_applicable' && !item.justification) {
        ctx.addIssue({
          code: 'custom',
          path: ['justification'],
          message: 'a justification is required when not applicable',
        });
      }
    })
    .meta({
      allOf: [
        when('reuseFrom27001', true, {
          properties: {
            requirementId: { enum: REQUIREMENTS.filter((r) => isIso27001Shared(r.id)).map((r) => r.id) },
          },
        }),
        when('status', 'not_applicable', {
          required: ['justification'],
          properties: { requirementId: { enum: CONTROLS.map((c) => c.id) } },
        }),
      ],
    });
}

export interface AssessedItem {
  requirementId: string;
  status: AssessmentStatus;
  sha256: string;
}

export function assessmentsBodySchema(z: Z, p: SchemaParts) {
  return z.object({ items: z.array(assessmentItemSchema(z, p)).min(1).max(100) }).strict();
}

export const assessments = defineInput({
  kind: 'assessments',
  schema: (z, p) => assessmentsBodySchema(z, p).safeExtend({ kind: z.literal('assessments') }),
  // The catalogue bounds the list: 70 requirements, each assessed at most once per input.
  facts: (input): { items: AssessedItem[] } => ({
    items: input.items.map((item) => ({
      requirementId: item.requirementId,
      status: item.status,
      sha256: fingerprint(item),
    })),
  }),
  rejection: () => null,
  apply(f, ctx, { ref, facts }) {
    const assessedAt = new Date(ctx.now).toISOString();
    const rows = facts.items.map((item, i) => {
      const fact = { status: item.status, sha256: item.sha256, assessedAt };
      f.assessments[item.requirementId] = fact;
      return { requirementId: item.requirementId, fact, body: { ...ref, path: ['items', i] } };
    });
    f.roadmapVersion += 1;
    return { changes: { assessments: rows } };
  },
});
