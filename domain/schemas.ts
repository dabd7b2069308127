/**
 * The one definition of every input the service accepts. Zod validates requests, the OpenAPI
 * document is generated from these schemas, and the TypeScript types are inferred from them.
 * Workflow code imports this file with `import type` only (zod stays out of the sandbox bundle).
 */
import { z } from 'zod';
import { parse as parseDuration } from 'tinyduration';
import { CONTROLS, findRequirement, isRequirementId } from '../catalogue/iso42001';

function isIsoDuration(value: string): boolean {
  try {
    parseDuration(value);
    return true;
  } catch {
    return false;
  }
}

export const IsoDuration = z
  .string()
  .refine(isIsoDuration, { message: 'must be an ISO 8601 duration such as P183D, P12M or PT30S' })
  .meta({ format: 'duration', examples: ['P183D'] });

const Text = (max = 2000) => z.string().trim().min(1).max(max);
const Instant = z.iso.datetime({ offset: true }).meta({ description: 'ISO 8601 timestamp' });
const RequirementId = z
  .string()
  .refine(isRequirementId, { message: 'unknown ISO/IEC 42001 clause or Annex A control id' })
  .meta({ examples: ['6.1.2', 'A.6.2.4'] });
const ControlId = RequirementId.refine((id) => findRequirement(id)?.kind === 'control', {
  message: 'must be an Annex A control id',
});
const Slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and dashes, at most 64');

export const Person = z.object({ name: Text(200), email: z.email() }).strict();

export const ProgrammeConfig = z
  .object({
    majorNcVerificationWindow: IsoDuration.default('P183D').meta({
      description: 'Time after the last day of stage 2 to verify the correction of a major NC',
    }),
    minorNcPlanDue: IsoDuration.default('P30D'),
    firstSurveillanceWithin: IsoDuration.default('P12M').meta({
      description: 'Latest date of the first surveillance audit, counted from the certification decision',
    }),
    surveillanceInterval: IsoDuration.default('P12M'),
    certificateValidity: IsoDuration.default('P3Y'),
    restoreWindow: IsoDuration.default('P6M').meta({
      description: 'How long a lapsed certificate can still be restored',
    }),
  })
  .strict();

export const CreateProgramme = z
  .object({
    organisation: Text(200),
    name: Text(200),
    config: ProgrammeConfig.partial().optional(),
  })
  .strict();

export const AI_ROLES = [
  'provider',
  'producer',
  'customer',
  'partner',
  'subject',
  'relevant_authority',
] as const;

export const AiSystem = z
  .object({
    id: Slug,
    name: Text(200),
    type: z.enum(['model', 'feature', 'internal_use']),
    inScope: z.boolean(),
    description: Text().optional(),
  })
  .strict();

export const ScopeBody = z
  .object({
    statement: Text(10000),
    aiSystems: z
      .array(AiSystem)
      .min(1)
      .max(500)
      .refine((s) => new Set(s.map((x) => x.id)).size === s.length, {
        message: 'AI system ids must be unique',
      }),
    aiRoles: z.array(z.enum(AI_ROLES)).min(1),
    boundaries: Text(5000),
    locations: z.array(Text(200)).min(1),
    internalIssues: z.array(Text()).default([]),
    externalIssues: z.array(Text()).default([]),
    interestedParties: z
      .array(z.object({ name: Text(200), requirements: z.array(Text()) }).strict())
      .default([]),
    integratesWith: z.array(z.enum(['ISO27001', 'ISO9001', 'ISO27701'])).default([]),
    sponsor: Person,
    complianceLead: Person,
    topManagement: Person,
    committee: z.array(Person).default([]),
  })
  .strict();

export const ASSESSMENT_STATUSES = [
  'compliant',
  'partially_compliant',
  'not_compliant',
  'not_applicable',
] as const;

export const AssessmentItem = z
  .object({
    requirementId: RequirementId,
    status: z.enum(ASSESSMENT_STATUSES),
    justification: Text().optional(),
    assessor: z.email(),
    evidence: z.array(Text(500)).max(50).default([]),
  })
  .strict()
  .superRefine((item, ctx) => {
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
  });

export const AssessmentsBody = z.object({ items: z.array(AssessmentItem).min(1).max(100) }).strict();

export const RoadmapTaskBody = z
  .object({ requirementId: RequirementId, title: Text(300), owner: z.email(), deadline: Instant })
  .strict();

export const TaskUpdateBody = z
  .object({
    status: z.enum(['done', 'risk_accepted']),
    note: Text().optional(),
    acceptedBy: z.email().optional(),
  })
  .strict()
  .refine((t) => t.status !== 'risk_accepted' || t.acceptedBy !== undefined, {
    path: ['acceptedBy'],
    message: 'accepting a residual risk requires the accepting manager',
  });

export const PolicyBody = z
  .object({
    policyType: z.enum(['ai_policy', 'other']),
    title: Text(300),
    documentRef: Text(2000).meta({
      description: 'URL or document-management reference of the exact version',
    }),
  })
  .strict();

const Score = z.number().int().min(1).max(5);
export const RiskTreatmentPlanBody = z
  .object({
    risks: z
      .array(
        z
          .object({
            id: Slug,
            title: Text(300),
            aiSystemIds: z.array(Slug).default([]),
            likelihood: Score,
            severity: Score,
            treatment: z.enum(['mitigate', 'accept', 'transfer', 'avoid']),
            controls: z.array(ControlId).default([]),
            residualLikelihood: Score,
            residualSeverity: Score,
          })
          .strict(),
      )
      .min(1)
      .max(1000),
  })
  .strict();

export const ImpactAssessmentBody = z
  .object({
    aiSystemId: Slug,
    intendedUse: Text(),
    foreseeableMisuse: Text(),
    affectedParties: z.array(Text(300)).min(1),
    harms: z.array(Text()).default([]),
    benefits: z.array(Text()).default([]),
    likelihood: Score,
    severity: Score,
    measures: z.array(Text()).default([]),
  })
  .strict();

export const SoaEntry = z
  .object({
    controlId: z.string().min(1).max(40),
    title: Text(300).optional(),
    applicable: z.boolean(),
    justification: Text(),
    implementationStatus: z.enum(['implemented', 'partially_implemented', 'planned', 'not_implemented']),
    owner: z.email().optional(),
  })
  .strict();

export const SoaBody = z
  .object({ entries: z.array(SoaEntry).min(CONTROLS.length).max(500) })
  .strict()
  .superRefine((soa, ctx) => {
    const ids = soa.entries.map((e) => e.controlId);
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
    soa.entries.forEach((e, i) => {
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

export const AUDIT_KINDS = ['internal', 'stage1', 'stage2', 'surveillance', 'recertification'] as const;
export const FINDING_GRADES = ['conformity', 'minor_nc', 'major_nc', 'observation', 'ofi'] as const;

export const AuditFinding = z
  .object({ grade: z.enum(FINDING_GRADES), requirementId: RequirementId, description: Text(5000) })
  .strict();

export const AuditBody = z
  .object({
    audit: z.enum(AUDIT_KINDS),
    firstDay: Instant.optional(),
    lastDay: Instant.optional().meta({ description: 'Defaults to now; stage-2 deadlines count from it' }),
    auditors: z.array(Text(200)).min(1),
    independent: z.boolean().default(true),
    // Findings arrive with the audit record: a step whose gates only wait for the audit must
    // not close between recording the audit and recording what it found.
    findings: z.array(AuditFinding).max(500).default([]),
  })
  .strict();

/** A finding recorded after its audit (e.g. while the certification decision is pending). */
export const FindingBody = AuditFinding.safeExtend({ audit: z.enum(AUDIT_KINDS) }).strict();

export const CorrectiveActionBody = z
  .object({ correction: Text(), rootCause: Text(), action: Text(), owner: z.email(), due: Instant })
  .strict();

export const VerificationBody = z.object({ verifiedBy: Text(200), note: Text().optional() }).strict();

export const ManagementReviewBody = z
  .object({
    heldOn: Instant,
    attendees: z.array(Person).min(1),
    decisions: z
      .array(
        z
          .object({
            topic: Text(300),
            decision: Text(),
            owner: z.email().optional(),
            due: Instant.optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export const CertificationBodyBody = z
  .object({ name: Text(200), accreditationBody: Text(100), contact: z.email().optional() })
  .strict();

export const CertificationDecisionBody = z
  .object({
    outcome: z.enum(['granted', 'refused']),
    certificateNumber: Text(100).optional(),
    decidedOn: Instant.optional().meta({ description: 'Defaults to now' }),
  })
  .strict()
  .refine((d) => d.outcome !== 'granted' || d.certificateNumber !== undefined, {
    path: ['certificateNumber'],
    message: 'a granted certificate needs its number',
  });

export const APPROVAL_OUTCOMES = ['approved', 'rejected', 'changes_requested'] as const;

export const DecisionBody = z
  .object({
    gate: z.string().min(1).max(100),
    outcome: z.enum(APPROVAL_OUTCOMES),
    approver: z.email(),
    comment: Text().optional(),
  })
  .strict()
  .refine((d) => d.outcome === 'approved' || d.comment !== undefined, {
    path: ['comment'],
    message: 'a comment is required to reject or request changes',
  });

export const WithdrawalBody = z.object({ reason: Text() }).strict();

/** Every stage input: the route's body plus the path parameters it carries. */
export const StageInput = z.discriminatedUnion('kind', [
  ScopeBody.safeExtend({ kind: z.literal('scope') }),
  AssessmentsBody.safeExtend({ kind: z.literal('assessments') }),
  RoadmapTaskBody.safeExtend({ kind: z.literal('roadmapTask') }),
  z.object({ kind: z.literal('taskUpdate'), taskId: z.string(), update: TaskUpdateBody }),
  PolicyBody.safeExtend({ kind: z.literal('policy') }),
  RiskTreatmentPlanBody.safeExtend({ kind: z.literal('riskTreatmentPlan') }),
  ImpactAssessmentBody.safeExtend({ kind: z.literal('impactAssessment') }),
  z.object({ kind: z.literal('soa'), entries: z.array(SoaEntry) }),
  AuditBody.safeExtend({ kind: z.literal('audit') }),
  FindingBody.safeExtend({ kind: z.literal('finding') }),
  z.object({ kind: z.literal('correctiveAction'), findingId: z.string(), action: CorrectiveActionBody }),
  z.object({ kind: z.literal('verification'), findingId: z.string(), verification: VerificationBody }),
  ManagementReviewBody.safeExtend({ kind: z.literal('managementReview') }),
  CertificationBodyBody.safeExtend({ kind: z.literal('certificationBody') }),
  z.object({ kind: z.literal('certificationDecision'), decision: CertificationDecisionBody }),
]);

export type ProgrammeConfig = z.output<typeof ProgrammeConfig>;
export type CreateProgramme = z.output<typeof CreateProgramme>;
export type Person = z.output<typeof Person>;
export type AiRole = (typeof AI_ROLES)[number];
export type ScopeBody = z.output<typeof ScopeBody>;
export type AssessmentItem = z.output<typeof AssessmentItem>;
export type AssessmentStatus = (typeof ASSESSMENT_STATUSES)[number];
export type RoadmapTaskBody = z.output<typeof RoadmapTaskBody>;
export type TaskUpdateBody = z.output<typeof TaskUpdateBody>;
export type PolicyBody = z.output<typeof PolicyBody>;
export type RiskTreatmentPlanBody = z.output<typeof RiskTreatmentPlanBody>;
export type ImpactAssessmentBody = z.output<typeof ImpactAssessmentBody>;
export type SoaEntry = z.output<typeof SoaEntry>;
export type AuditKind = (typeof AUDIT_KINDS)[number];
export type AuditBody = z.output<typeof AuditBody>;
export type FindingGrade = (typeof FINDING_GRADES)[number];
export type FindingBody = z.output<typeof FindingBody>;
export type AuditFinding = z.output<typeof AuditFinding>;
export type CorrectiveActionBody = z.output<typeof CorrectiveActionBody>;
export type VerificationBody = z.output<typeof VerificationBody>;
export type ManagementReviewBody = z.output<typeof ManagementReviewBody>;
export type CertificationBodyBody = z.output<typeof CertificationBodyBody>;
export type CertificationDecisionBody = z.output<typeof CertificationDecisionBody>;
export type ApprovalOutcome = (typeof APPROVAL_OUTCOMES)[number];
export type DecisionBody = z.output<typeof DecisionBody>;
export type WithdrawalBody = z.output<typeof WithdrawalBody>;
export type StageInput = z.output<typeof StageInput>;
export type StageInputKind = StageInput['kind'];
