/**
 * What defines a kind of stage input: its schema, the facts the workflow decides on, the rule
 * that says whether the current step can take it, and how it changes the facts and the records.
 * Each kind is one module beside this one, registered in index.ts.
 *
 * The API validates an input against its schema, stores its body (the input without its kind;
 * for a document, the body its fingerprint is taken of) and sends the stage only
 * `facts(input)` with a reference to the body: that is what the Update carries, so its size
 * does not grow with the body or with the programme. A bulk input whose items the workflow
 * needs one by one (a scope's AI systems, an audit's findings) names them with `items`; the
 * stage reads them from the stored body through an activity, a page at a time.
 */
import type { z as Zod } from 'zod';
import type { BodyRef, RecordChanges } from '../contracts/persistence';
import type { ProgrammeFacts } from '../facts';
import type { StepContext } from '../queries';
import type { SchemaParts, Z } from '../schema-parts';
import type { InputKind } from '../vocabulary';

export interface Applied {
  /** Id of the record the input created or changed (task, finding, audit, policy…). */
  recordId?: string;
  /** Findings it raised, as a range of F- numbers (an audit may raise hundreds). */
  findings?: { from: number; to: number };
  changes: RecordChanges;
}

/**
 * An input whose items break a rule the facts alone could not check before it was accepted
 * (say, a risk naming an AI system the scope does not have): nothing is changed or written,
 * and the caller gets the reason as for any other rejection.
 */
export interface RejectedOnApply {
  rejected: string;
}

export interface Accepted<F, I> {
  ref: BodyRef;
  facts: F;
  items: I[];
}

export interface InputDefinition<K extends InputKind, S extends Zod.ZodType, F, I = never> {
  kind: K;
  /** The input as the stage receives it (with `kind`), built with the zod instance given. */
  schema(z: Z, p: SchemaParts): S;
  /** The facts the workflow decides on: bounded whatever the size of the body or the programme. */
  facts(input: Zod.output<S>): F;
  /** Items the workflow needs one by one, read back from the stored body (bulk inputs only). */
  items?(input: Zod.output<S>): I[];
  /** Why the current step cannot take the input now, or null. */
  rejection(f: ProgrammeFacts, ctx: StepContext, facts: F): string | null;
  /** Applies the accepted input to the facts (mutating them) and says what to persist. */
  apply(f: ProgrammeFacts, ctx: StepContext, input: Accepted<F, I>): Applied | RejectedOnApply;
}

/** Keeps each module's types precise; the registry checks the kinds. */
export function defineInput<K extends InputKind, S extends Zod.ZodType, F, I = never>(
  definition: InputDefinition<K, S, F, I>,
): InputDefinition<K, S, F, I> {
  return definition;
}

/** The body of an input: the input without its kind, as the API stores and fingerprints it. */
export function bodyOf<T extends { kind: string }>(input: T): Omit<T, 'kind'> {
  const { kind: _kind, ...body } = input;
  return body;
}
