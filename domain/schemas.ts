/**
 * The one definition of every input the service accepts. Zod validates requests, the OpenAPI
 * document is generated from these schemas, and the TypeScript types are inferred from them.
 * Workflow code imports this file with `import type` only (zod stays out of the sandbox bundle).
 */
import { z } from 'zod';
import { parse as parseDuration } from 'tinyduration';
import { CONTROLS, findRequirement, isRequirementId } from './catalogue/iso42001';
import { isRiskSourceId } from './catalogue/annex-c';
import { isIso27001Shared } from './catalogue/profiles';
import { APPROVAL_DEFAULTS, APPROVER_ROLES } from './approval-defaults';
import { independenceConflict } from './audit-programme';
import { STEPS } from './process-model';

/** Calendar parts must be whole: half a month has no meaning the deadlines could honour. */
function isIsoDuration(value: string): boolean {
  try {
    const d = parseDuration(value);
    return [d.years, d.months, d.weeks, d.days, d.hours, d.minutes].every((n) => Number.isInteger(n ?? 0));
  } catch {
    return false;
  }
}

export const IsoDuration = z
  .string()
  .refine(isIsoDuration, {
    message:
      'must be an ISO 8601 duration with whole units (seconds may be fractional), such as P183D, P12M or PT30S',
  })
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

/** Who submitted an artefact; under segregation of duties that person may not approve it. */
const SubmittedBy = z
  .email()
  .optional()
  .meta({ description: 'Who submitted this version; they may not approve it (segregation of duties)' });

const APPROVAL_GATES = STEPS.flatMap((s) => s.approvals.map((a) => a.gate)) as [string, ...string[]];

export const GateApprovers = z
  .object({
    approvers: z.array(Person).min(1).max(10).optional().meta({
      description: 'People who decide this gate instead of the role the process model names',
    }),
    quorum: z.number().int().min(1).max(10).optional().meta({
      description: 'Approvals needed (k of n); one rejection or change request decides the request',
    }),
  })
  .strict()
  .refine((g) => (g.quorum ?? 1) <= (g.approvers?.length ?? 1), {
    path: ['quorum'],
    message: 'the quorum cannot exceed the number of approvers',
  });

const Weight = z.number().min(0).max(10);
const Boost = z.number().min(1).max(5);

/** Weights of the four gap factors and the extra weight of chosen Annex C objectives. */
export const GapScoringConfig = z
  .object({
    weights: z
      .object({
        inherentRisk: Weight.optional(),
        regulatoryExposure: Weight.optional(),
        customerTrust: Weight.optional(),
        implementationComplexity: Weight.optional(),
      })
      .strict()
      .optional(),
    objectiveBoost: z
      .object({ security: Boost.optional(), fairness: Boost.optional(), transparency: Boost.optional() })
      .strict()
      .optional()
      .meta({
        description:
          'Multiplier (1-5) for gaps in requirements that serve the security (C.2.10), fairness (C.2.5) or transparency (C.2.11) objective',
      }),
  })
  .strict();

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
    kpiInterval: IsoDuration.default('P3M').meta({ description: 'How often KPI snapshots are taken' }),
    // The approval and notice settings are optional rather than defaulted: programmes started
    // before they existed have none, so domain/approvals.ts approvalPolicy() applies the
    // defaults for every programme alike.
    approvalReminderInterval: IsoDuration.optional().meta({
      description: `An approver who has not decided is reminded after this long, and again after each interval (default ${APPROVAL_DEFAULTS.reminderInterval})`,
    }),
    approvalMaxReminders: z
      .number()
      .int()
      .min(0)
      .max(20)
      .optional()
      .meta({ description: `Reminders before escalation (default ${APPROVAL_DEFAULTS.maxReminders})` }),
    approvalEscalation: z
      .array(z.union([z.enum(APPROVER_ROLES), Person]))
      .max(10)
      .optional()
      .meta({
        description: `Escalation ladder, lowest first: one interval after the last reminder the request also goes to the next person above the approver (default ${APPROVAL_DEFAULTS.escalation.join(' > ')})`,
      }),
    approvalExpiry: IsoDuration.optional().meta({
      description: `After this long without a decision the gate is marked overdue; it stays decidable (default ${APPROVAL_DEFAULTS.expiry})`,
    }),
    approvalLinkValidity: IsoDuration.optional().meta({
      description: `How long the links of one approval e-mail stay valid (default ${APPROVAL_DEFAULTS.linkValidity})`,
    }),
    approvalGates: z.partialRecord(z.enum(APPROVAL_GATES), GateApprovers).optional().meta({
      description: 'Per approval gate: named approvers instead of the role, and a quorum (k of n)',
    }),
    segregationOfDuties: z.boolean().optional().meta({
      description: 'The submitter of an artefact (submittedBy) may not approve it (default true)',
    }),
    auditUpcomingNotice: IsoDuration.optional().meta({
      description: `How long before a surveillance or recertification audit is due the leads are told (default ${APPROVAL_DEFAULTS.auditNotice})`,
    }),
    certificateExpiryNotice: IsoDuration.optional().meta({
      description: `How long before the certificate expires its holders are told (default ${APPROVAL_DEFAULTS.certificateNotice})`,
    }),
    // Optional rather than defaulted, like the settings above: domain/gap-scoring.ts applies
    // the defaults, so programmes started before these existed score the same way.
    gapScoring: GapScoringConfig.optional().meta({
      description: 'How gaps are scored and ordered on the roadmap (defaults in README)',
    }),
    impactAssessmentDue: IsoDuration.optional().meta({
      description:
        'Deadline of the impact-assessment task created when a scan finds a new AI system in scope (default P30D)',
    }),
    correctiveActionEscalateAfter: IsoDuration.optional().meta({
      description:
        'A corrective action still open this long after its deadline is escalated (default P14D; its owner is reminded at the deadline)',
    }),
    correctiveActionEscalation: Person.optional().meta({
      description: 'Who overdue corrective actions escalate to (default: the executive sponsor)',
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
    submittedBy: SubmittedBy,
  })
  .strict();

export const ASSESSMENT_STATUSES = [
  'compliant',
  'partially_compliant',
  'not_compliant',
  'not_applicable',
] as const;

const Factor = z.number().int().min(1).max(5);
export const GapFactorsInput = z
  .object({
    inherentRisk: Factor.optional(),
    regulatoryExposure: Factor.optional(),
    customerTrust: Factor.optional(),
    implementationComplexity: Factor.optional(),
  })
  .strict();

export const AssessmentItem = z
  .object({
    requirementId: RequirementId,
    status: z.enum(ASSESSMENT_STATUSES),
    justification: Text().optional(),
    assessor: z.email(),
    evidence: z.array(Text(500)).max(50).default([]).meta({
      description: 'Evidence references: document ids, URLs, evidence register keys',
    }),
    factors: GapFactorsInput.optional().meta({
      description: 'Scoring factors (1-5) for this gap, overriding the catalogue defaults',
    }),
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
    submittedBy: SubmittedBy,
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
            owner: z.email().optional(),
            riskSources: z
              .array(
                z.string().refine(isRiskSourceId, { message: 'an Annex C risk source id (C.3.1-C.3.7)' }),
              )
              .max(7)
              .optional(),
          })
          .strict(),
      )
      .min(1)
      .max(1000),
    submittedBy: SubmittedBy,
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
    // ISO/IEC 42005 fields beyond the core: all optional so earlier assessments stay valid.
    societalHarms: z.array(Text()).max(50).optional(),
    societalBenefits: z.array(Text()).max(50).optional(),
    vulnerableGroups: z.array(Text(300)).max(50).optional(),
    jurisdictions: z.array(Text(100)).max(50).optional(),
    dataDescription: Text(5000).optional(),
    deploymentContext: Text(5000).optional(),
    linkedRiskIds: z.array(Slug).max(200).optional(),
    responsible: z.email().optional(),
    approvedBy: z.email().optional(),
    approvedOn: Instant.optional(),
    reviewDue: Instant.optional(),
  })
  .strict()
  .refine((ia) => (ia.approvedBy === undefined) === (ia.approvedOn === undefined), {
    path: ['approvedOn'],
    message: 'an approval needs both approvedBy and approvedOn',
  });

export const SoaEntry = z
  .object({
    controlId: z.string().min(1).max(40),
    title: Text(300).optional(),
    applicable: z.boolean(),
    justification: Text(),
    implementationStatus: z.enum(['implemented', 'partially_implemented', 'planned', 'not_implemented']),
    owner: z.email().optional(),
    linkedRiskIds: z.array(Slug).max(200).optional(),
    linkedAiSystemIds: z.array(Slug).max(500).optional(),
    evidenceRefs: z.array(Text(500)).max(50).optional(),
  })
  .strict();

export const SoaBody = z
  .object({ entries: z.array(SoaEntry).min(CONTROLS.length).max(500), submittedBy: SubmittedBy })
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

/** Requirements an auditor is responsible for: they may not audit them (clause 9.2.2 objectivity). */
const ResponsibleFor = z.array(RequirementId).max(100).default([]).meta({
  description: 'Requirements the auditor owns or operates; an auditor must not audit their own work',
});

function refineIndependence(
  scope: readonly string[] | undefined,
  responsibleFor: readonly string[] | undefined,
  path: (string | number)[],
  ctx: z.RefinementCtx,
): void {
  const conflict = independenceConflict(scope ?? [], responsibleFor ?? []);
  if (conflict.length > 0) {
    ctx.addIssue({
      code: 'custom',
      path,
      message: `the auditor is responsible for ${conflict.join(', ')}, which this audit covers: an auditor must not audit their own work`,
    });
  }
}

/** One audit of the internal audit programme (clause 9.2.2): what it covers, who audits it, when. */
export const PlannedAudit = z
  .object({
    id: Slug.meta({ description: 'Stable id of the planned audit, e.g. ia-2027-1' }),
    title: Text(300),
    scope: z.array(RequirementId).min(1).max(100).meta({
      description: 'Clauses and Annex A controls this audit examines',
    }),
    auditor: Person,
    auditorResponsibleFor: ResponsibleFor,
    plannedOn: Instant,
  })
  .strict()
  .superRefine((a, ctx) =>
    refineIndependence(a.scope, a.auditorResponsibleFor, ['auditorResponsibleFor'], ctx),
  );

/** The internal audit programme of the current three-year cycle; a new version replaces the plan. */
export const AuditProgrammeBody = z
  .object({
    audits: z
      .array(PlannedAudit)
      .min(1)
      .max(100)
      .refine((a) => new Set(a.map((x) => x.id)).size === a.length, {
        message: 'planned audit ids must be unique',
      }),
    submittedBy: SubmittedBy,
  })
  .strict();

export const CorrectiveActionBody = z
  .object({
    correction: Text(),
    rootCause: Text(),
    action: Text(),
    owner: z.email(),
    due: Instant,
    evidenceIds: z.array(Text(200)).max(50).optional().meta({
      description: 'Evidence register ids showing the correction and action were implemented',
    }),
    planAcceptedBy: Text(200).optional().meta({
      description: "For a certification body's nonconformity: who accepted the plan at the body",
    }),
  })
  .strict();

export const VerificationBody = z
  .object({
    verifiedBy: Text(200),
    note: Text().optional(),
    audit: z.enum(AUDIT_KINDS).optional().meta({
      description:
        "The audit at which the verification was made; a certification body's minor NC is verified at its next audit (surveillance or recertification)",
    }),
    effective: z.boolean().optional().meta({
      description:
        'Whether the action proved effective (default true); false reopens the nonconformity for a new action',
    }),
    evidenceIds: z.array(Text(200)).max(50).optional().meta({
      description: 'Evidence register ids of the implementation, checked by the verifier',
    }),
    closureApprovedBy: z.email().optional().meta({
      description: 'Who approved the closure; not the owner of the corrective action',
    }),
  })
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
    planId: Slug.optional().meta({ description: 'The planned audit of the internal audit programme held' }),
    scope: z.array(RequirementId).max(100).optional().meta({
      description: 'Requirements examined (defaults to the planned audit scope)',
    }),
    independence: z
      .object({ statement: Text(2000), auditorResponsibleFor: ResponsibleFor })
      .strict()
      .optional()
      .meta({ description: "The auditor's independence statement and the areas they are responsible for" }),
    // Earlier minor NCs of the certification body are verified at this audit; those left out
    // are raised to major nonconformities.
    verifications: z
      .array(VerificationBody.safeExtend({ findingId: z.string().min(1).max(64) }).strict())
      .max(100)
      .optional(),
  })
  .strict()
  .superRefine((a, ctx) =>
    refineIndependence(
      a.scope,
      a.independence?.auditorResponsibleFor,
      ['independence', 'auditorResponsibleFor'],
      ctx,
    ),
  );

/** A finding recorded after its audit (e.g. while the certification decision is pending). */
export const FindingBody = AuditFinding.safeExtend({ audit: z.enum(AUDIT_KINDS) }).strict();

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
            resources: Text(2000).optional().meta({
              description: 'People, budget or tools committed to carry the decision out',
            }),
          })
          .strict(),
      )
      .min(1),
    submittedBy: SubmittedBy,
  })
  .strict();

export const CertificationBodyBody = z
  .object({
    name: Text(200),
    accreditationBody: Text(100),
    contact: z.email().optional(),
    submittedBy: SubmittedBy,
  })
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

export const ReassignApprovalBody = z
  .object({
    approver: Person,
    replaces: z.email().optional().meta({
      description: 'Which approver the new one replaces; required when the gate has several',
    }),
    reason: Text(500).optional(),
  })
  .strict();

/**
 * The form on an approval link's confirmation page. Loose on purpose: the page itself checks
 * it (see ApprovalLinkDecision) so that a mistake re-renders the page rather than an API error.
 */
export const ApprovalLinkForm = z
  .looseObject({
    outcome: z
      .string()
      .optional()
      .meta({ enum: [...APPROVAL_OUTCOMES] }),
    comment: z.string().optional(),
  })
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
    title: Text(300),
    owner: z.email(),
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
    name: Text(200),
    purpose: Text(2000).optional(),
    owner: Text(320).optional().meta({ description: 'E-mail address or team' }),
    lifecycleStage: z.enum(LIFECYCLE_STAGES).default('unknown'),
    aiRole: z.enum(AI_ROLES).optional().meta({ description: "The organisation's AI role for this system" }),
    dataSources: z.array(Text(300)).max(100).default([]),
    models: z.array(Text(300)).max(100).default([]),
    thirdPartyServices: z.array(Text(300)).max(100).default([]),
    locations: z
      .array(Text(500))
      .max(100)
      .default([])
      .meta({ description: 'Where the system runs or lives' }),
    inScope: z.boolean().optional().meta({ description: 'Whether the system is inside the AIMS scope' }),
  })
  .strict();

export const INVENTORY_IMPORT_FORMATS = ['csv', 'json', 'yaml'] as const;
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
    owner: z.email().meta({ description: 'Owner of every new task (reassign later per task)' }),
    start: Instant.optional().meta({ description: 'Deadlines count from here; defaults to now' }),
    spacing: IsoDuration.default('P14D').meta({
      description: 'The highest-priority gap is due one spacing after start, the next two, and so on',
    }),
  })
  .strict();

export const ScanBody = z
  .object({
    path: z.string().min(1).max(4096).meta({
      description: 'Absolute path of a directory (a local path or git checkout) inside one of SCAN_ROOTS',
    }),
    inScope: z.boolean().default(true).meta({
      description: 'Whether AI systems found here are in the AIMS scope (the scope overrides it per system)',
    }),
  })
  .strict();

/** Every stage input: the route's body plus the path parameters it carries. */
export const StageInput = z.discriminatedUnion('kind', [
  ScopeBody.safeExtend({ kind: z.literal('scope') }),
  AssessmentsBody.safeExtend({ kind: z.literal('assessments') }),
  RoadmapTaskBody.safeExtend({ kind: z.literal('roadmapTask') }),
  z.object({ kind: z.literal('taskUpdate'), taskId: z.string(), update: TaskUpdateBody }),
  PolicyBody.safeExtend({ kind: z.literal('policy') }),
  RiskTreatmentPlanBody.safeExtend({ kind: z.literal('riskTreatmentPlan') }),
  ImpactAssessmentBody.safeExtend({ kind: z.literal('impactAssessment') }),
  z.object({ kind: z.literal('soa'), entries: z.array(SoaEntry), submittedBy: SubmittedBy }),
  AuditBody.safeExtend({ kind: z.literal('audit') }),
  AuditProgrammeBody.safeExtend({ kind: z.literal('auditProgramme') }),
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
export type PlannedAudit = z.output<typeof PlannedAudit>;
export type AuditProgrammeBody = z.output<typeof AuditProgrammeBody>;
export type VerificationBody = z.output<typeof VerificationBody>;
export type ManagementReviewBody = z.output<typeof ManagementReviewBody>;
export type CertificationBodyBody = z.output<typeof CertificationBodyBody>;
export type CertificationDecisionBody = z.output<typeof CertificationDecisionBody>;
export type ApprovalOutcome = (typeof APPROVAL_OUTCOMES)[number];
export type DecisionBody = z.output<typeof DecisionBody>;
export type WithdrawalBody = z.output<typeof WithdrawalBody>;
export type ReassignApprovalBody = z.output<typeof ReassignApprovalBody>;
export type GateApprovers = z.output<typeof GateApprovers>;
export type EvidenceMetadata = z.output<typeof EvidenceMetadata>;
export type EvidenceLinkBody = z.output<typeof EvidenceLinkBody>;
export type GapScoringConfig = z.output<typeof GapScoringConfig>;
export type GapFactorsInput = z.output<typeof GapFactorsInput>;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];
export type InventoryEntry = z.output<typeof InventoryEntry>;
export type InventoryImportFormat = (typeof INVENTORY_IMPORT_FORMATS)[number];
export type InventoryImportBody = z.output<typeof InventoryImportBody>;
export type ScanBody = z.output<typeof ScanBody>;
export type RoadmapPlanBody = z.output<typeof RoadmapPlanBody>;
export type StageInput = z.output<typeof StageInput>;
export type StageInputKind = StageInput['kind'];
