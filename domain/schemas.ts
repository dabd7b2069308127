/**
 * The request schemas the API validates against, built once with zod: every stage input from
 * its definition module (domain/inputs/), plus the bodies of the other routes (decisions,
 * withdrawal, approval links, evidence, inventory, roadmap planning, scans). The OpenAPI
 * document is generated from these and the TypeScript types are inferred from them.
 *
 * Workflow code never imports this module (zod stays out of the workflow bundle); it uses the
 * definition modules and the types below.
 */
import { z } from 'zod';
import { INPUTS, type InputOf, type StageInput as StageInputType, type StageInputIn } from './inputs';
import { assessmentItemSchema } from './inputs/assessments';
import { auditFindingSchema } from './inputs/audit-rules';
import { correctiveActionBodySchema } from './inputs/corrective-action';
import { roadmapTaskBodySchema } from './inputs/roadmap-task';
import { taskUpdateBodySchema } from './inputs/task-update';
import { verificationBodySchema } from './inputs/verification';
import { scopeBodySchema } from './inputs/scope';
import { assessmentsBodySchema } from './inputs/assessments';
import { policyBodySchema } from './inputs/policy';
import { riskTreatmentPlanBodySchema } from './inputs/risk-treatment-plan';
import { impactAssessmentBodySchema } from './inputs/impact-assessment';
import { soaBodySchema } from './inputs/soa';
import { auditProgrammeBodySchema } from './inputs/audit-programme';
import { auditBodySchema } from './inputs/audit';
import { managementReviewBodySchema } from './inputs/management-review';
import { certificationBodyBodySchema } from './inputs/certification-body';
import { schemaParts } from './schema-parts';
import { unless } from './schema-rules';
import {
  AI_ROLES,
  APPROVAL_OUTCOMES,
  AUDIT_KINDS,
  INVENTORY_IMPORT_FORMATS,
  type InputKind,
} from './vocabulary';

export * from './config';
export {
  INVENTORY_IMPORT_FORMATS,
  type InventoryImportFormat,
  AI_ROLES,
  APPROVAL_OUTCOMES,
  ASSESSMENT_STATUSES,
  AUDIT_KINDS,
  FINDING_GRADES,
  type AiRole,
  type ApprovalOutcome,
  type AssessmentStatus,
  type AuditKind,
  type FindingGrade,
} from './vocabulary';

const parts = schemaParts(z);
const { Text, Line, Instant, RequirementId, Slug, IsoDuration, Email } = parts;
export const { Person } = parts;
export { IsoDuration };

// ---------------------------------------------------------------- stage inputs

export const ScopeBody = scopeBodySchema(z, parts);
export const AssessmentItem = assessmentItemSchema(z, parts);
export const AssessmentsBody = assessmentsBodySchema(z, parts);
export const RoadmapTaskBody = roadmapTaskBodySchema(z, parts);
export const TaskUpdateBody = taskUpdateBodySchema(z, parts);
export const PolicyBody = policyBodySchema(z, parts);
export const RiskTreatmentPlanBody = riskTreatmentPlanBodySchema(z, parts);
export const ImpactAssessmentBody = impactAssessmentBodySchema(z, parts);
export const SoaBody = soaBodySchema(z, parts);
export const SoaEntry = SoaBody.shape.entries.element;
export const AuditProgrammeBody = auditProgrammeBodySchema(z, parts);
export const PlannedAudit = AuditProgrammeBody.shape.audits.element;
export const AuditFinding = auditFindingSchema(z, parts);
export const AuditBody = auditBodySchema(z, parts);
export const FindingBody = AuditFinding.safeExtend({ audit: z.enum(AUDIT_KINDS) }).strict();
export const CorrectiveActionBody = correctiveActionBodySchema(z, parts);
export const VerificationBody = verificationBodySchema(z, parts);
export const ManagementReviewBody = managementReviewBodySchema(z, parts);
export const CertificationBodyBody = certificationBodyBodySchema(z, parts);
export const CertificationDecisionBody = INPUTS.certificationDecision.schema(z, parts).shape.decision;

const members = Object.values(INPUTS).map((d) => d.schema(z, parts)) as unknown as [
  z.ZodObject<{ kind: z.ZodLiteral<InputKind> }>,
  ...z.ZodObject<{ kind: z.ZodLiteral<InputKind> }>[],
];

/** Every stage input: the route's body plus its kind and the path parameters it carries. */
export const StageInput = z.discriminatedUnion('kind', members) as unknown as z.ZodType<
  StageInputType,
  StageInputIn
>;

/** Each kind's schema, for code that validates one kind at a time. */
export const INPUT_SCHEMAS = Object.fromEntries(
  Object.entries(INPUTS).map(([kind, d]) => [kind, d.schema(z, parts)]),
) as unknown as { [K in InputKind]: z.ZodType<InputOf<K>> };

// ---------------------------------------------------------------- other routes

export const DecisionBody = z
  .object({
    gate: z.string().min(1).max(100),
    outcome: z.enum(APPROVAL_OUTCOMES),
    approver: Email,
    comment: Text().optional(),
    onBehalfOf: z
      .object({
        evidence: Line(500).meta({
          description:
            "Where the approver's own decision is recorded: minutes, a document id, a ticket. Needs a key that may record decisions for others",
        }),
      })
      .strict()
      .optional()
      .meta({ description: 'Record a decision the approver made elsewhere, on their behalf' }),
  })
  .strict()
  .refine((d) => d.outcome === 'approved' || d.comment !== undefined, {
    path: ['comment'],
    message: 'a comment is required to reject or request changes',
  })
  .meta(unless('outcome', 'approved', { required: ['comment'] }));

export const WithdrawalBody = z.object({ reason: Text() }).strict();

export const ReassignApprovalBody = z
  .object({
    approver: Person,
    replaces: Email.optional().meta({
      description: 'Which approver the new one replaces; required when the gate has several',
    }),
    reason: Text(500).optional(),
  })
  .strict();

/** Fields an approval link's form may post: its own three and a few more (api/routes/approvals.ts). */
export const APPROVAL_FORM_MAX_FIELDS = 10;

/**
 * The form on an approval link's confirmation page. Loose on purpose: the page itself checks
 * it (see ApprovalLinkDecision) so that a mistake re-renders the page rather than an API error.
 * Other fields are ignored, but a form field is one string each, and the form parser takes at
 * most APPROVAL_FORM_MAX_FIELDS of them.
 */
export const ApprovalLinkForm = z
  .object({
    outcome: z
      .string()
      .optional()
      .meta({ enum: [...APPROVAL_OUTCOMES] }),
    comment: z.string().optional(),
  })
  .catchall(z.string())
  .meta({ maxProperties: APPROVAL_FORM_MAX_FIELDS })
  .optional();

export const ApprovalLinkDecision = z
  .object({
    outcome: z.enum(APPROVAL_OUTCOMES, { error: 'choose approve, reject or request changes' }),
    comment: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      Text().optional(),
    ),
  })
  .refine((d) => d.outcome === 'approved' || d.comment !== undefined, {
    path: ['comment'],
    message: 'a comment is required to reject or request changes',
  });

/** What an evidence item supports and how long it stays valid; shared by file and link uploads. */
export const EvidenceMetadata = z
  .object({
    key: Slug.optional().meta({
      description: 'Stable name of the evidence item; a new upload under the same key is its next version',
    }),
    title: Line(300),
    owner: Email,
    requirementIds: z.array(RequirementId).min(1).max(100),
    aiSystemIds: z.array(Slug).max(100).default([]),
    reviewOn: Instant.optional(),
    expiresOn: Instant.optional(),
  })
  .strict();

export const EvidenceLinkBody = EvidenceMetadata.safeExtend({
  url: z.url({ protocol: /^https?$/ }),
}).strict();

/** ISO/IEC 22989 life-cycle stages of an AI system, plus `unknown` for what a scan cannot tell. */
export const LIFECYCLE_STAGES = [
  'inception',
  'design_development',
  'verification_validation',
  'deployment',
  'operation_monitoring',
  're_evaluation',
  'retirement',
  'unknown',
] as const;

/** One AI system of an inventory import: a CSV row, or an item of a JSON or YAML list. */
export const InventoryEntry = z
  .object({
    id: Slug.meta({ description: 'Stable id; the same id as in the scope or a scan merges with it' }),
    name: Line(200),
    purpose: Text(2000).optional(),
    owner: Line(320).optional().meta({ description: 'E-mail address or team' }),
    lifecycleStage: z.enum(LIFECYCLE_STAGES).default('unknown'),
    aiRole: z.enum(AI_ROLES).optional().meta({ description: "The organisation's AI role for this system" }),
    dataSources: z.array(Line(300)).max(100).default([]),
    models: z.array(Line(300)).max(100).default([]),
    thirdPartyServices: z.array(Line(300)).max(100).default([]),
    locations: z
      .array(Text(500))
      .max(100)
      .default([])
      .meta({ description: 'Where the system runs or lives' }),
    inScope: z.boolean().optional().meta({ description: 'Whether the system is inside the AIMS scope' }),
  })
  .strict();

/** Characters of an import's content; the 1 MB body limit applies as well. */
export const INVENTORY_IMPORT_MAX_CHARS = 900_000;

export const InventoryImportBody = z
  .object({
    format: z.enum(INVENTORY_IMPORT_FORMATS),
    content: z.string().min(1).max(INVENTORY_IMPORT_MAX_CHARS).meta({
      description: 'The register: CSV with a header row, or a JSON/YAML list of InventoryEntry',
    }),
    source: Slug.default('register').meta({
      description: 'Name of this register; a later import under the same name replaces it',
    }),
  })
  .strict();

/** Turns every gap without a task into one, deadlines following the priority order. */
export const RoadmapPlanBody = z
  .object({
    owner: Email.meta({ description: 'Owner of every new task (reassign later per task)' }),
    start: Instant.optional().meta({ description: 'Deadlines count from here; defaults to now' }),
    spacing: IsoDuration.default('P14D').meta({
      description: 'The highest-priority gap is due one spacing after start, the next two, and so on',
    }),
  })
  .strict();

export const ScanBody = z
  .object({
    path: z.string().min(1).max(4096).regex(/^\//, 'must be an absolute path').meta({
      description: 'Absolute path of a directory (a local path or git checkout) inside one of SCAN_ROOTS',
    }),
    inScope: z.boolean().default(true).meta({
      description: 'Whether AI systems found here are in the AIMS scope (the scope overrides it per system)',
    }),
  })
  .strict();

export type StageInput = StageInputType;
export type StageInputKind = InputKind;
export type Person = z.output<typeof Person>;
export type ScopeBody = z.output<typeof ScopeBody>;
export type AssessmentItem = z.output<typeof AssessmentItem>;
export type RoadmapTaskBody = z.output<typeof RoadmapTaskBody>;
export type TaskUpdateBody = z.output<typeof TaskUpdateBody>;
export type PolicyBody = z.output<typeof PolicyBody>;
export type RiskTreatmentPlanBody = z.output<typeof RiskTreatmentPlanBody>;
export type ImpactAssessmentBody = z.output<typeof ImpactAssessmentBody>;
export type SoaEntry = z.output<typeof SoaEntry>;
export type AuditBody = z.output<typeof AuditBody>;
export type FindingBody = z.output<typeof FindingBody>;
export type AuditFinding = z.output<typeof AuditFinding>;
export type CorrectiveActionBody = z.output<typeof CorrectiveActionBody>;
export type PlannedAudit = z.output<typeof PlannedAudit>;
export type AuditProgrammeBody = z.output<typeof AuditProgrammeBody>;
export type VerificationBody = z.output<typeof VerificationBody>;
export type ManagementReviewBody = z.output<typeof ManagementReviewBody>;
export type CertificationBodyBody = z.output<typeof CertificationBodyBody>;
export type CertificationDecisionBody = z.output<typeof CertificationDecisionBody>;
export type DecisionBody = z.output<typeof DecisionBody>;
export type WithdrawalBody = z.output<typeof WithdrawalBody>;
export type ReassignApprovalBody = z.output<typeof ReassignApprovalBody>;
export type EvidenceMetadata = z.output<typeof EvidenceMetadata>;
export type EvidenceLinkBody = z.output<typeof EvidenceLinkBody>;
export type GapFactorsInput = NonNullable<AssessmentItem['factors']>;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];
export type InventoryEntry = z.output<typeof InventoryEntry>;
export type InventoryImportBody = z.output<typeof InventoryImportBody>;
export type ScanBody = z.output<typeof ScanBody>;
export type RoadmapPlanBody = z.output<typeof RoadmapPlanBody>;
