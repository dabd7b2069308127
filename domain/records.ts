/**
 * The records the service stores: tasks, assessments, audits, findings, decisions, artefacts
 * (certificates and transitions are in views.ts, which the workflows report them in). One
 * definition each, as zod schemas: the OpenAPI document is generated from them, the API's
 * responses are typed by them, and the TypeScript types below are inferred from them.
 */
import { z } from 'zod';
import { schemaParts } from './schema-parts';
import type { assessmentItemSchema } from './inputs/assessments';
import { correctiveActionBodySchema } from './inputs/corrective-action';
import { verificationBodySchema } from './inputs/verification';
import {
  ASSESSMENT_STATUSES,
  AUDIT_KINDS,
  FINDING_GRADES,
  FINDING_STATUSES,
  TASK_STATUSES,
} from './vocabulary';
import { Certificate, Decision, Transition } from './views';

export { Certificate, Decision, Transition };
export type { DecisionRecord } from './views';

const parts = schemaParts(z);
const Timestamp = z.string().meta({ format: 'date-time' });

// ---------------------------------------------------------------- records

export const Assessment = z.object({
  cycle: z.number().int(),
  requirementId: z.string(),
  status: z.enum(ASSESSMENT_STATUSES),
  justification: z.string().optional(),
  assessor: z.string(),
  evidence: z.array(z.string()),
  assessedAt: Timestamp,
});

export const Task = z.object({
  id: z.string(),
  requirementId: z.string(),
  title: z.string(),
  owner: z.string(),
  deadline: Timestamp,
  status: z.enum(TASK_STATUSES),
  note: z.string().optional(),
  acceptedBy: z.string().optional(),
  closedAt: Timestamp.optional(),
});

export const Audit = z.object({
  id: z.string(),
  audit: z.enum(AUDIT_KINDS),
  stepKey: z.string(),
  attempt: z.number().int(),
  firstDay: Timestamp,
  lastDay: Timestamp,
  auditors: z.array(parts.Person),
  independent: z.boolean(),
  planId: z.string().optional().meta({ description: 'The planned audit of the internal audit programme' }),
  scope: z.array(z.string()).optional().meta({ description: 'Requirements examined' }),
  independence: z
    .object({ statement: z.string(), auditorResponsibleFor: z.array(z.string()) })
    .optional()
    .meta({ description: "The auditor's independence statement and own areas (none in scope)" }),
});

const CorrectiveAction = correctiveActionBodySchema(z, parts).extend({
  recordedAt: Timestamp,
  remindedAt: Timestamp.optional(),
  escalatedAt: Timestamp.optional(),
  escalatedTo: z.string().optional(),
});

const Verification = verificationBodySchema(z, parts).extend({
  verifiedAt: Timestamp,
  auditId: z.string().optional(),
});

export const Finding = z.object({
  id: z.string(),
  audit: z.enum(AUDIT_KINDS),
  auditId: z.string(),
  stepKey: z.string(),
  grade: z.enum(FINDING_GRADES),
  requirementId: z.string(),
  description: z.string(),
  status: z.enum(FINDING_STATUSES),
  raisedAt: Timestamp,
  correctiveAction: CorrectiveAction.optional(),
  verification: Verification.optional(),
  track: z
    .object({
      planDueAt: Timestamp.optional(),
      planOverdueAt: Timestamp.optional(),
      consequence: z.string().optional(),
      escalatedTo: z.string().optional(),
      escalatedFrom: z.string().optional(),
      previousActions: z.array(CorrectiveAction.extend({ verification: Verification })).optional(),
    })
    .optional()
    .meta({
      description: 'Follow-up: plan deadline and overdue flag, escalation, earlier ineffective actions',
    }),
});

export const ArtefactSummary = z.object({
  kind: z.string(),
  key: z.string().meta({ description: 'Policy id or AI system id; empty for kinds with one artefact' }),
  version: z.number().int(),
  submittedAt: Timestamp,
  sha256: z.string().meta({ description: 'Hash of the canonical JSON of the body' }),
});

export const Artefact = ArtefactSummary.extend({
  body: z.unknown().meta({ description: 'The submitted input, as validated' }),
});

export type AssessmentRecord = z.output<typeof Assessment>;
/** An assessment item as submitted. */
export type AssessmentItem = z.output<ReturnType<typeof assessmentItemSchema>>;
export type RoadmapTask = z.output<typeof Task>;
export type AuditRecord = z.output<typeof Audit>;
export type Finding = z.output<typeof Finding>;
export type CorrectiveAction = z.output<typeof CorrectiveAction>;
export type Verification = z.output<typeof Verification>;
export type { Certificate as CertificateRecord } from './views';
