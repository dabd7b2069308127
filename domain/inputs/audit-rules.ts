/**
 * What audits and findings share: which audits a step records, the grades stage 1 may give,
 * the finding schema, and how a finding enters the facts.
 */
import type { FindingText } from '../contracts/persistence';
import type { AuditFact, FindingFact, ProgrammeFacts } from '../facts';
import { trackNewFinding } from '../nc-follow-up';
import { iso, isNonconformity, type StepContext } from '../queries';
import type { SchemaParts, Z } from '../schema-parts';
import { FINDING_GRADES, type AuditKind, type FindingGrade } from '../vocabulary';

export const GRADE_NAMES: Record<FindingGrade, string> = {
  conformity: 'a conformity',
  minor_nc: 'a minor nonconformity',
  major_nc: 'a major nonconformity',
  observation: 'an observation',
  ofi: 'an opportunity for improvement',
};

/** Which audits a step can record: its own, and internal audits of the programme since certification. */
export function stepAcceptsAudit(ctx: StepContext, audit: AuditKind): boolean {
  if (audit === 'internal' && ctx.step.internalAudits) return true;
  return ctx.step.audits.includes(audit);
}

export function gradeRejection(audit: AuditKind, grade: FindingGrade): string | null {
  return audit === 'stage1' && (grade === 'minor_nc' || grade === 'major_nc')
    ? 'stage 1 records areas of concern (observations); nonconformities are raised at stage 2'
    : null;
}

export function auditFindingSchema(z: Z, p: SchemaParts) {
  return z
    .object({ grade: z.enum(FINDING_GRADES), requirementId: p.RequirementId, description: p.Text(5000) })
    .strict();
}

/** Adds a finding of `audit` to the facts; conformities, observations and OFIs close on record. */
export function raiseFinding(
  f: ProgrammeFacts,
  ctx: StepContext,
  audit: AuditFact,
  x: { grade: FindingGrade; requirementId: string },
  text: FindingText,
): { fact: FindingFact; text: FindingText } {
  const finding: FindingFact = {
    id: `F-${++f.seq.finding}`,
    audit: audit.audit,
    auditId: audit.id,
    stepKey: ctx.stepKey,
    grade: x.grade,
    requirementId: x.requirementId,
    status: isNonconformity(x) ? 'open' : 'verified',
    raisedAt: iso(ctx.now),
  };
  trackNewFinding(f, finding);
  f.findings[finding.id] = finding;
  return { fact: finding, text };
}
