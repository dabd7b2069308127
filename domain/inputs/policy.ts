/**
 * A policy of the management system: the AI policy (clause 5.2), which top management
 * approves, or another policy. Each submission of the same policy is a new version.
 */
import type { PolicyFact } from '../facts';
import type { SchemaParts, Z } from '../schema-parts';
import { defineInput } from './definition';

/** The AI policy's fixed id: there is one, and its versions follow each other. */
export const AI_POLICY_ID = 'ai-policy';

export function policyBodySchema(z: Z, p: SchemaParts) {
  return z
    .object({
      policyType: z.enum(['ai_policy', 'other']),
      title: p.Line(300),
      documentRef: p.Text(2000).meta({
        description: 'URL or document-management reference of the exact version',
      }),
      submittedBy: p.SubmittedBy,
    })
    .strict();
}

export const policy = defineInput({
  kind: 'policy',
  schema: (z, p) => policyBodySchema(z, p).safeExtend({ kind: z.literal('policy') }),
  facts: (input) => ({ policyType: input.policyType, submittedBy: input.submittedBy }),
  rejection: () => null,
  apply(f, ctx, { ref, facts }) {
    const id = facts.policyType === 'ai_policy' ? AI_POLICY_ID : `P-${++f.seq.policy}`;
    const version = (f.policies[id]?.version ?? 0) + 1;
    const submittedAt = new Date(ctx.now).toISOString();
    const fact: PolicyFact = {
      id,
      policyType: facts.policyType,
      version,
      sha256: ref.sha256,
      submittedAt,
      submittedBy: facts.submittedBy,
    };
    f.policies[id] = fact;
    return {
      recordId: id,
      changes: {
        artefacts: [{ kind: 'policy', key: id, version, submittedAt, sha256: ref.sha256, body: ref }],
        policies: [fact],
      },
    };
  },
});
