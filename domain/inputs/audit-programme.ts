/**
 * The internal audit programme of the current cycle (clause 9.2.2): the planned audits with
 * their scope, auditor, the auditor's own areas and date. A new version replaces the plan.
 */
import { independenceConflict, independenceRejection } from '../independence';
import type { PlannedAuditFact } from '../facts';
import type { SchemaParts, Z } from '../schema-parts';
import { defineInput } from './definition';

/** Requirements an auditor is responsible for: they may not audit them (clause 9.2.2 objectivity). */
export function responsibleForSchema(z: Z, p: SchemaParts) {
  return z.array(p.RequirementId).max(100).default([]).meta({
    description: 'Requirements the auditor owns or operates; an auditor must not audit their own work',
  });
}

export function independenceIssue(
  scope: readonly string[] | undefined,
  responsibleFor: readonly string[] | undefined,
): string | undefined {
  const conflict = independenceConflict(scope ?? [], responsibleFor ?? []);
  return conflict.length > 0
    ? `the auditor is responsible for ${conflict.join(', ')}, which this audit covers: an auditor must not audit their own work`
    : undefined;
}

function plannedAuditSchema(z: Z, p: SchemaParts) {
  return z
    .object({
      id: p.Slug.meta({ description: 'Stable id of the planned audit, e.g. ia-2027-1' }),
      title: p.Line(300),
      scope: z.array(p.RequirementId).min(1).max(100).meta({
        description: 'Clauses and Annex A controls this audit examines',
      }),
      auditor: p.Person,
      auditorResponsibleFor: responsibleForSchema(z, p),
      plannedOn: p.Instant,
    })
    .strict()
    .superRefine((a, ctx) => {
      const issue = independenceIssue(a.scope, a.auditorResponsibleFor);
      if (issue) ctx.addIssue({ code: 'custom', path: ['auditorResponsibleFor'], message: issue });
    });
}

export function auditProgrammeBodySchema(z: Z, p: SchemaParts) {
  return z
    .object({
      audits: z
        .array(plannedAuditSchema(z, p))
        .min(1)
        .max(100)
        .refine((a) => new Set(a.map((x) => x.id)).size === a.length, {
          message: 'planned audit ids must be unique',
        }),
      submittedBy: p.SubmittedBy,
    })
    .strict();
}

export const auditProgramme = defineInput({
  kind: 'auditProgramme',
  schema: (z, p) => auditProgrammeBodySchema(z, p).safeExtend({ kind: z.literal('auditProgramme') }),
  facts: (input) => ({ submittedBy: input.submittedBy, audits: input.audits.length }),
  items: (input): PlannedAuditFact[] =>
    input.audits.map((a) => ({
      id: a.id,
      scope: [...new Set(a.scope)],
      auditorEmail: a.auditor.email,
      auditorResponsibleFor: a.auditorResponsibleFor,
      plannedOn: a.plannedOn,
    })),
  rejection: () => null,
  apply(f, ctx, { ref, facts, items }) {
    for (const a of items) {
      const reason = independenceRejection(a.auditorEmail, a.scope, a.auditorResponsibleFor);
      if (reason) return { rejected: `planned audit ${a.id}: ${reason}` };
    }
    const submittedAt = new Date(ctx.now).toISOString();
    const version = f.auditProgramme?.cycle === f.cycle ? f.auditProgramme.version + 1 : 1;
    f.auditProgramme = {
      cycle: f.cycle,
      version,
      sha256: ref.sha256,
      submittedAt,
      submittedBy: facts.submittedBy,
      audits: items,
    };
    return {
      changes: {
        artefacts: [
          { kind: 'auditProgramme', key: `c${f.cycle}`, version, submittedAt, sha256: ref.sha256, body: ref },
        ],
      },
    };
  },
});
