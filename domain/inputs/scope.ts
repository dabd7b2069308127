/**
 * The AIMS scope (clause 4.3): the statement, the AI systems inside and outside it, the
 * organisation's AI roles, boundaries, locations, issues, interested parties, and the people
 * who sponsor, lead and sign off the programme. Each submission is a new version; the sponsor
 * approves it.
 */
import type { ScopePeople, SystemFact } from '../facts';
import type { SchemaParts, Z } from '../schema-parts';
import { AI_ROLES } from '../vocabulary';
import { defineInput } from './definition';

export const scopeBodySchema = (z: Z, p: SchemaParts) =>
  z
    .object({
      statement: p.Text(10000),
      aiSystems: z
        .array(
          z
            .object({
              id: p.Slug,
              name: p.Line(200),
              type: z.enum(['model', 'feature', 'internal_use']),
              inScope: z.boolean(),
              description: p.Text().optional(),
            })
            .strict(),
        )
        .min(1)
        .max(500)
        .refine((s) => new Set(s.map((x) => x.id)).size === s.length, {
          message: 'AI system ids must be unique',
        }),
      aiRoles: z.array(z.enum(AI_ROLES)).min(1).max(AI_ROLES.length),
      boundaries: p.Text(5000),
      locations: z.array(p.Line(200)).min(1).max(100),
      internalIssues: z.array(p.Text()).max(100).default([]),
      externalIssues: z.array(p.Text()).max(100).default([]),
      interestedParties: z
        .array(z.object({ name: p.Line(200), requirements: z.array(p.Text()).max(50) }).strict())
        .max(100)
        .default([]),
      integratesWith: z.array(z.enum(['ISO27001', 'ISO9001', 'ISO27701'])).default([]),
      sponsor: p.Person,
      complianceLead: p.Person,
      topManagement: p.Person,
      committee: z.array(p.Person).max(50).default([]),
      submittedBy: p.SubmittedBy,
    })
    .strict();

export interface ScopeFacts {
  submittedBy?: string;
  people: ScopePeople;
  systems: number;
}

export const scope = defineInput({
  kind: 'scope',
  schema: (z, p) => scopeBodySchema(z, p).safeExtend({ kind: z.literal('scope') }),
  facts: (input): ScopeFacts => ({
    submittedBy: input.submittedBy,
    people: {
      sponsor: input.sponsor,
      complianceLead: input.complianceLead,
      topManagement: input.topManagement,
    },
    systems: input.aiSystems.length,
  }),
  items: (input) => input.aiSystems.map((s) => ({ id: s.id, inScope: s.inScope })),
  rejection: () => null,
  apply(f, ctx, { ref, facts, items }) {
    const submittedAt = new Date(ctx.now).toISOString();
    const version = (f.documents.scope?.version ?? 0) + 1;
    f.documents.scope = {
      version,
      sha256: ref.sha256,
      submittedAt,
      submittedBy: facts.submittedBy,
      people: facts.people,
    };
    // The new version replaces the scope's systems; systems found by scans stay.
    const systems: { id: string; fact: SystemFact | null }[] = [];
    const listed = new Map(items.map((s) => [s.id, s.inScope]));
    for (const [id, fact] of Object.entries(f.systems)) {
      if (listed.has(id) || !fact.scope) continue;
      if (fact.discovered) {
        f.systems[id] = { discovered: fact.discovered };
        systems.push({ id, fact: f.systems[id] });
      } else {
        delete f.systems[id];
        systems.push({ id, fact: null });
      }
    }
    for (const [id, inScope] of listed) {
      const fact: SystemFact = { ...f.systems[id], scope: { inScope } };
      f.systems[id] = fact;
      systems.push({ id, fact });
    }
    return {
      changes: {
        artefacts: [{ kind: 'scope', key: '', version, submittedAt, sha256: ref.sha256, body: ref }],
        systems,
      },
    };
  },
});
