/**
 * An audit held: internal (one of the programme's planned audits, or on its own), stage 1,
 * stage 2, surveillance or recertification, with its dates, auditors, independence and the
 * findings it raised. At a surveillance or recertification audit the certification body also
 * verifies its earlier minor nonconformities; those it does not are raised to major ones.
 */
import { cycleInternalAudits, plannedAudit } from '../audit-programme';
import type { AuditFact, ProgrammeFacts } from '../facts';
import { evaluateGate } from '../gates';
import { independenceRejection } from '../independence';
import { auditVerificationsRejection, settleMinorsAtAudit, type VerificationFacts } from '../nc-follow-up';
import { currentAudit, decisionOn, iso, type StepContext } from '../queries';
import type { SchemaParts, Z } from '../schema-parts';
import { AUDIT_KINDS, type AuditKind, type FindingGrade } from '../vocabulary';
import { defineInput, type Applied } from './definition';
import { auditFindingSchema, gradeRejection, raiseFinding, stepAcceptsAudit } from './audit-rules';
import { responsibleForSchema, independenceIssue } from './audit-programme';
import { verificationBodySchema } from './verification';

const AUDIT_NAMES: Record<AuditKind, string> = {
  internal: 'an internal audit',
  stage1: 'a stage 1 audit',
  stage2: 'a stage 2 audit',
  surveillance: 'a surveillance audit',
  recertification: 'a recertification audit',
};

export interface AuditFacts {
  audit: AuditKind;
  firstDay?: string;
  lastDay?: string;
  /** The auditors' names, for the independence reason. */
  auditors: string[];
  planId?: string;
  scope?: string[];
  /** The auditor's declared own areas, when the audit states its independence. */
  responsibleFor?: string[];
  /** How many findings of each grade it raised (the findings themselves are items). */
  grades: Partial<Record<FindingGrade, number>>;
  /** Earlier minor NCs of the certification body verified at this audit (at most 100). */
  verifications: (VerificationFacts & { findingId: string })[];
}

function auditRejection(f: ProgrammeFacts, ctx: StepContext, audit: AuditKind): string | null {
  if (!stepAcceptsAudit(ctx, audit)) return `${AUDIT_NAMES[audit]} is not held in step ${ctx.step.id}`;
  if (audit === 'stage1' || audit === 'stage2') {
    const body = ctx.step.approvals.find((a) => a.gate === 'certification_body');
    const version = f.documents.certificationBody?.version ?? 0;
    if (body && decisionOn(f, ctx, body.gate, version)?.outcome !== 'approved')
      return 'the certification body has not been chosen and approved yet';
  }
  if (audit === 'stage2' && evaluateGate('stage1Held', f, ctx) !== null)
    return 'stage 2 cannot precede stage 1';
  if (audit === 'internal') return null;
  return currentAudit(f, ctx, audit) ? `the ${audit} audit is already recorded in this step` : null;
}

/** The scope and auditor responsibilities of an internal audit: its own, else its plan's. */
function internalAuditShape(f: ProgrammeFacts, a: AuditFacts) {
  const plan = a.planId ? plannedAudit(f, a.planId) : undefined;
  return {
    plan,
    scope: a.scope ?? plan?.scope,
    responsibleFor: a.responsibleFor ?? plan?.auditorResponsibleFor ?? [],
  };
}

function internalAuditRejection(f: ProgrammeFacts, a: AuditFacts): string | null {
  if (a.planId) {
    const { plan } = internalAuditShape(f, a);
    if (!plan) return `no planned audit ${a.planId} in the internal audit programme of cycle ${f.cycle}`;
    const held = cycleInternalAudits(f).find((x) => x.planId === a.planId);
    if (held) return `planned audit ${a.planId} was already held (${held.id})`;
  }
  const { scope, responsibleFor } = internalAuditShape(f, a);
  return independenceRejection(a.auditors.join(', '), scope ?? [], responsibleFor);
}

export function auditBodySchema(z: Z, p: SchemaParts) {
  return z
    .object({
      audit: z.enum(AUDIT_KINDS),
      firstDay: p.Instant.optional(),
      lastDay: p.Instant.optional().meta({ description: 'Defaults to now; stage-2 deadlines count from it' }),
      // People, as in the audit programme: a name for the records, an address to reach them.
      auditors: z.array(p.Person).min(1).max(20),
      independent: z.boolean().default(true),
      // Findings arrive with the audit record: a step whose gates only wait for the audit must
      // not close between recording the audit and recording what it found.
      findings: z.array(auditFindingSchema(z, p)).max(500).default([]),
      planId: p.Slug.optional().meta({
        description: 'The planned audit of the internal audit programme held',
      }),
      scope: z.array(p.RequirementId).max(100).optional().meta({
        description: 'Requirements examined (defaults to the planned audit scope)',
      }),
      independence: z
        .object({ statement: p.Text(2000), auditorResponsibleFor: responsibleForSchema(z, p) })
        .strict()
        .optional()
        .meta({ description: "The auditor's independence statement and the areas they are responsible for" }),
      // Earlier minor NCs of the certification body are verified at this audit; those left out
      // are raised to major nonconformities.
      verifications: z
        .array(
          verificationBodySchema(z, p)
            .safeExtend({ findingId: z.string().min(1).max(64) })
            .strict(),
        )
        .max(100)
        .optional(),
    })
    .strict()
    .superRefine((a, ctx) => {
      const issue = independenceIssue(a.scope, a.independence?.auditorResponsibleFor);
      if (issue)
        ctx.addIssue({ code: 'custom', path: ['independence', 'auditorResponsibleFor'], message: issue });
    });
}

export const audit = defineInput({
  kind: 'audit',
  schema: (z, p) => auditBodySchema(z, p).safeExtend({ kind: z.literal('audit') }),
  facts: (input): AuditFacts => {
    const grades: Partial<Record<FindingGrade, number>> = {};
    for (const x of input.findings) grades[x.grade] = (grades[x.grade] ?? 0) + 1;
    return {
      audit: input.audit,
      firstDay: input.firstDay,
      lastDay: input.lastDay,
      auditors: input.auditors.map((a) => a.name),
      planId: input.planId,
      scope: input.scope ? [...new Set(input.scope)] : undefined,
      responsibleFor: input.independence?.auditorResponsibleFor,
      grades,
      verifications: (input.verifications ?? []).map((v) => ({
        findingId: v.findingId,
        audit: v.audit,
        effective: v.effective,
        closureApprovedBy: v.closureApprovedBy,
      })),
    };
  },
  items: (input) => input.findings.map((x) => ({ grade: x.grade, requirementId: x.requirementId })),
  rejection(f, ctx, a) {
    const base =
      auditRejection(f, ctx, a.audit) ??
      (Object.keys(a.grades) as FindingGrade[]).map((g) => gradeRejection(a.audit, g)).find((r) => r) ??
      null;
    if (base) return base;
    if (a.audit === 'internal') return internalAuditRejection(f, a);
    if (a.verifications.length > 0) {
      if (a.audit !== 'surveillance' && a.audit !== 'recertification')
        return 'earlier minor nonconformities are verified at surveillance and recertification audits';
      return auditVerificationsRejection(f, ctx, a.audit, a.verifications);
    }
    return null;
  },
  apply(f, ctx, { ref, facts, items }): Applied {
    const now = iso(ctx.now);
    const id = `A-${++f.seq.audit}`;
    const record: AuditFact = {
      id,
      audit: facts.audit,
      stepKey: ctx.stepKey,
      attempt: facts.audit === 'stage2' ? f.stage2Attempt : 1,
      firstDay: facts.firstDay ?? facts.lastDay ?? now,
      lastDay: facts.lastDay ?? now,
    };
    if (facts.audit === 'internal') {
      const { scope, responsibleFor } = internalAuditShape(f, facts);
      if (facts.planId) record.planId = facts.planId;
      if (scope) record.scope = scope;
      if (facts.responsibleFor || facts.planId) record.auditorResponsibleFor = responsibleFor;
    }
    f.audits.push(record);
    const first = f.seq.finding + 1;
    const raised = items.map((x, i) =>
      raiseFinding(f, ctx, record, x, { description: { ...ref, path: ['findings', i, 'description'] } }),
    );
    const settled = settleMinorsAtAudit(f, ctx, record, facts.verifications).map(
      ({ finding, verificationIndex, raisedFrom }) => ({
        fact: finding,
        text:
          verificationIndex !== undefined
            ? { verification: { ...ref, path: ['verifications', verificationIndex] } }
            : raisedFrom
              ? { escalation: { from: raisedFrom.id, fromAudit: raisedFrom.audit, atAudit: record.audit } }
              : undefined,
      }),
    );
    return {
      recordId: id,
      findings: { from: first, to: first + raised.length - 1 },
      changes: { audits: [{ fact: record, body: ref }], findings: [...raised, ...settled] },
    };
  },
});
