/**
 * Drives the pure engine the way the API and the stage workflow do: an input is parsed by its
 * schema, its body fingerprinted and its facts (and, for bulk inputs, its items) taken as the
 * API takes them; the Update validator's rule decides whether the step takes it; the handler
 * applies it. Unit tests of the rules use this instead of a workflow.
 */
import type { z } from 'zod';
import { applyInput, inputRejection, isRejected, type StepContext } from '../../domain/engine';
import type { ProgrammeFacts } from '../../domain/facts';
import { fingerprint } from '../../domain/fingerprint';
import { inputDefinition, type Submission } from '../../domain/inputs';
import type { Applied } from '../../domain/inputs/definition';
import { StageInput } from '../../domain/schemas';

export type RawInput = z.input<typeof StageInput>;

let bodies = 0;

/** The input as the stage receives it: its kind, its facts, a reference to its stored body. */
export function submissionOf(raw: RawInput): { submission: Submission; items: unknown[]; input: StageInput } {
  const input = StageInput.parse(raw);
  const { kind, ...body } = input;
  const definition = inputDefinition(kind);
  const submission = {
    kind,
    ref: { id: `body-${++bodies}`, sha256: fingerprint(body) },
    facts: definition.facts(input),
  } as Submission;
  return { submission, items: definition.items?.(input) ?? [], input };
}

/**
 * Why the step refuses the input, or null: the validator's reason, or for a bulk input the
 * reason its items give once read (the facts are left untouched either way).
 */
export function rejectionOf(f: ProgrammeFacts, ctx: StepContext, raw: RawInput): string | null {
  const { submission, items } = submissionOf(raw);
  const reason = inputRejection(f, ctx, submission);
  if (reason !== null || items.length === 0) return reason;
  const applied = applyInput(structuredClone(f), ctx, submission, items);
  return isRejected(applied) ? applied.rejected : null;
}

/** Validates like the Update validator, then applies like its handler; throws when refused. */
export function submit(f: ProgrammeFacts, ctx: StepContext, raw: RawInput): Applied {
  const { submission, items } = submissionOf(raw);
  const reason = inputRejection(f, ctx, submission);
  if (reason !== null) throw new Error(`${submission.kind} rejected in ${ctx.stepKey}: ${reason}`);
  const applied = applyInput(f, ctx, submission, items);
  if (isRejected(applied))
    throw new Error(`${submission.kind} rejected in ${ctx.stepKey}: ${applied.rejected}`);
  return applied;
}
