/**
 * The building blocks of every request schema (texts, instants, requirement ids, people…),
 * made from the zod instance the caller passes in. Input definition modules build their body
 * schemas from these the same way, so they import zod's types only: the workflow bundle, which
 * imports the definitions for their rules, never loads zod (it would cost every cached
 * workflow its schema objects). The API and the tests build the schemas once (schemas.ts).
 */
import { parse as parseDuration } from 'tinyduration';
import type { z as Zod } from 'zod';
import { ANNEX_C_RISK_SOURCES } from './catalogue/annex-c';
import { CONTROLS, REQUIREMENTS } from './catalogue/iso42001';

export type Z = typeof Zod;

type Ids = [string, ...string[]];
const REQUIREMENT_IDS = REQUIREMENTS.map((r) => r.id) as Ids;
const CONTROL_IDS = CONTROLS.map((c) => c.id) as Ids;
const RISK_SOURCE_IDS = ANNEX_C_RISK_SOURCES.map((r) => r.id) as Ids;

/** RFC 5321 limits of an e-mail address (a path of 256 octets, less the angle brackets). */
export const EMAIL_MAX_LENGTH = 254;
export const EMAIL_LOCAL_PART_MAX_LENGTH = 64;

/** Calendar parts must be whole: half a month has no meaning the deadlines could honour. */
export function isIsoDuration(value: string): boolean {
  try {
    const d = parseDuration(value);
    return [d.years, d.months, d.weeks, d.days, d.hours, d.minutes].every((n) => Number.isInteger(n ?? 0));
  } catch {
    return false;
  }
}

/**
 * Texts are trimmed, then must not be empty: stated as "has a character that is not white space"
 * (what trim() removes: \s, and U+FEFF), so that the document does not call "   " a text.
 */
const NOT_BLANK = /[^\s\uFEFF]/;
const NOT_BLANK_MESSAGE = 'must not be empty or only white space';

export function schemaParts(z: Z) {
  /**
   * Free text: may span lines (tab, line feed, carriage return), but no other control character.
   * A NUL or an escape sequence has no meaning in a record and breaks what renders it (XML, mail).
   */
  const Text = (max = 2000) =>
    z
      .string()
      .trim()
      .regex(NOT_BLANK, NOT_BLANK_MESSAGE)
      .max(max)
      // eslint-disable-next-line no-control-regex -- matching control characters is the point
      .regex(/^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$/, 'must not contain control characters');
  /** One line (a name, a title, a place): no control character at all, tabs and line breaks included. */
  const Line = (max = 200) =>
    z
      .string()
      .trim()
      .regex(NOT_BLANK, NOT_BLANK_MESSAGE)
      .max(max)
      // eslint-disable-next-line no-control-regex -- matching control characters is the point
      .regex(/^[^\x00-\x1f\x7f]*$/, 'must be one line without control characters');
  const Instant = z.iso.datetime({ offset: true }).meta({ description: 'ISO 8601 timestamp' });
  // Enumerated, not refined: the document then lists the ids, so it calls no other id valid.
  const RequirementId = z
    .enum(REQUIREMENT_IDS, { error: 'unknown ISO/IEC 42001 clause or Annex A control id' })
    .meta({ examples: ['6.1.2', 'A.6.2.4'] });
  const ControlId = z
    .enum(CONTROL_IDS, { error: 'must be an Annex A control id' })
    .meta({ examples: ['A.6.2.4'] });
  const Slug = z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and dashes, at most 64');
  /** Ids an organisation gives its own records (risks): R-1, RISK_07 or ai.bias.3, any case. */
  const RecordId = z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, dots, dashes and underscores, at most 64');
  /**
   * An e-mail address a mail server will take (RFC 5321): z.email() checks its form but not its
   * lengths, at most 64 characters before the @ and 254 in all. Every address in a request is
   * one of these, so the approvals, reminders and escalations sent to it can be delivered.
   */
  const Email = z
    .email()
    .max(EMAIL_MAX_LENGTH)
    .refine((address) => address.lastIndexOf('@') <= EMAIL_LOCAL_PART_MAX_LENGTH, {
      message: `the part before the @ must be at most ${EMAIL_LOCAL_PART_MAX_LENGTH} characters`,
    });
  const Person = z.object({ name: Line(200), email: Email }).strict();
  /** Who submitted an artefact; under segregation of duties that person may not approve it. */
  const SubmittedBy = Email.optional().meta({
    description: 'Who submitted this version; they may not approve it (segregation of duties)',
  });
  const IsoDuration = z
    .string()
    .refine(isIsoDuration, {
      message:
        'must be an ISO 8601 duration with whole units (seconds may be fractional), such as P183D, P12M or PT30S',
    })
    .meta({ format: 'duration', examples: ['P183D'] });
  const Score = z.number().int().min(1).max(5);
  const RiskSourceId = z.enum(RISK_SOURCE_IDS, { error: 'an Annex C risk source id (C.3.1-C.3.7)' });
  return {
    Text,
    Line,
    Instant,
    RequirementId,
    ControlId,
    Slug,
    RecordId,
    Email,
    Person,
    SubmittedBy,
    IsoDuration,
    Score,
    RiskSourceId,
  };
}

export type SchemaParts = ReturnType<typeof schemaParts>;
