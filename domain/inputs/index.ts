/**
 * THE table of stage inputs: one definition module per kind, keyed by the kind's name. Typed by
 * `InputKind`, so a kind named in vocabulary.ts without its definition (or the reverse) does
 * not compile. The engine (domain/engine.ts), the API's intake and the persistence activities
 * all dispatch through it.
 */
import type { z as Zod } from 'zod';
import type { InputKind } from '../vocabulary';
import { assessments } from './assessments';
import { audit } from './audit';
import { auditProgramme } from './audit-programme';
import { certificationBody } from './certification-body';
import { certificationDecision } from './certification-decision';
import { correctiveAction } from './corrective-action';
import type { InputDefinition } from './definition';
import { finding } from './finding';
import { impactAssessment } from './impact-assessment';
import { managementReview } from './management-review';
import { policy } from './policy';
import { riskTreatmentPlan } from './risk-treatment-plan';
import { roadmapTask } from './roadmap-task';
import { scope } from './scope';
import { soa } from './soa';
import { taskUpdate } from './task-update';
import { verification } from './verification';

export const INPUTS = {
  scope,
  assessments,
  roadmapTask,
  taskUpdate,
  policy,
  riskTreatmentPlan,
  impactAssessment,
  soa,
  auditProgramme,
  audit,
  finding,
  correctiveAction,
  verification,
  managementReview,
  certificationBody,
  certificationDecision,
} satisfies { [K in InputKind]: InputDefinition<K, Zod.ZodType, unknown, unknown> };

type Inputs = typeof INPUTS;

/** A stage input of kind K as the stage receives it (validated, with `kind`). */
export type InputOf<K extends InputKind> = Zod.output<ReturnType<Inputs[K]['schema']>>;
export type StageInput = { [K in InputKind]: InputOf<K> }[InputKind];
/** A stage input as a client writes it (before defaults are applied). */
export type StageInputIn = { [K in InputKind]: Zod.input<ReturnType<Inputs[K]['schema']>> }[InputKind];

/** The facts of an input of kind K: what the Update carries besides the body reference. */
export type FactsOf<K extends InputKind> = ReturnType<Inputs[K]['facts']>;

/** What the API sends a stage: the kind, its facts, and where its body is stored. */
export type Submission = {
  [K in InputKind]: { kind: K; ref: { id: string; sha256: string }; facts: FactsOf<K> };
}[InputKind];

/** The registry seen through one kind-agnostic interface, for code that dispatches on `kind`. */
export type AnyInputDefinition = InputDefinition<InputKind, Zod.ZodType, unknown, unknown>;
export const inputDefinition = (kind: InputKind): AnyInputDefinition => INPUTS[kind];
