/**
 * A programme's configuration: its certification-body deadlines, approval and notice
 * settings, gap scoring and follow-up rules. Unset settings take the defaults shown. Workflows
 * import this module's types only (zod stays out of the workflow bundle).
 */
import { z } from 'zod';
import { APPROVAL_DEFAULTS, DEFAULT_APPROVAL_SETTLE } from './approval-defaults';
import { APPROVAL_GATES } from './process-model';
import { schemaParts } from './schema-parts';
import { APPROVER_ROLES } from './vocabulary';

const { Line, Person, IsoDuration } = schemaParts(z);

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
      description:
        'How gaps are scored and ordered on the roadmap (defaults in docs/inventory-and-reports.md)',
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
    approvalSettle: IsoDuration.optional().meta({
      description: `An artefact assembled from many records (the roadmap) is sent for approval once it has stayed unchanged this long, so a burst of edits makes one request (default ${DEFAULT_APPROVAL_SETTLE})`,
    }),
  })
  .strict();

export const CreateProgramme = z
  .object({
    organisation: Line(200),
    name: Line(200),
    config: ProgrammeConfig.partial().optional(),
  })
  .strict();

export type ProgrammeConfig = z.output<typeof ProgrammeConfig>;
export type CreateProgramme = z.output<typeof CreateProgramme>;
export type GateApprovers = z.output<typeof GateApprovers>;
export type GapScoringConfig = z.output<typeof GapScoringConfig>;
