/**
 * What each child workflow of a programme carries for operators: the search attributes that tie
 * it to its programme, so `AimsProgrammeId = "<id>"` lists the programme with its stages, KPI
 * clock and approval reports, and a one-line summary, so the Web UI shows "Acme Ltd · AIMS 2026 ·
 * cycle 1 · Gap analysis and roadmap" instead of a column of "stageWorkflow".
 *
 * Only values fixed for the child's whole life are set here, from ids, names and titles: the
 * options of a start command stay the same size however many records a programme holds. The
 * changing attributes (AimsOverdue, AimsNextDue, AimsCertificateStatus) stay on the programme
 * workflow alone, so the queries on them still give one row per programme.
 */
import type { SearchAttributePair } from '@temporalio/common';
import { stepDef } from './process-model';
import { REPORTS, type ReportKind } from './report-kinds';
import { AimsCycle, AimsOrganisation, AimsProgrammeId, AimsStage, AimsStep } from './search-attributes';
import type { StepId } from './vocabulary';

/** The part of a child's start options this module decides. */
export interface ChildMetadata {
  typedSearchAttributes: SearchAttributePair[];
  staticSummary: string;
}

export interface ProgrammeIdentity {
  programmeId: string;
  organisation: string;
}

/**
 * The server's dynamic config caps a summary at 400 bytes of serialized payload
 * (`limit.userMetadataSummarySize`; server 1.32 took more in a trial, a later one may not), and
 * a child start it refused would fail the parent's workflow task on every retry. Organisation
 * and programme name may each be 200 characters of any script, so each gets a share and the
 * whole a ceiling below the cap, leaving room for the JSON quotes around the payload.
 */
const SUMMARY_BYTES = 380;
const NAME_BYTES = 120;
const ELLIPSIS = '…';
const SEPARATOR = ' · ';

/** UTF-8 bytes of one code point, plus the escape JSON adds to a quote or a backslash. */
function serializedBytes(ch: string): number {
  if (ch === '"' || ch === '\\') return 2;
  const cp = ch.codePointAt(0) ?? 0;
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/** `text` itself when it fits `budget` bytes, else cut on a code point with an ellipsis appended. */
export function clampSummaryPart(text: string, budget: number): string {
  const room = budget - serializedBytes(ELLIPSIS);
  let used = 0;
  let kept = '';
  for (const ch of text) {
    used += serializedBytes(ch);
    if (used > budget) return kept + ELLIPSIS;
    if (used <= room) kept += ch;
  }
  return text;
}

/** The parts joined on one line, the free-text ones shortened so the whole stays under the cap. */
function summary(names: string[], fixed: string[]): string {
  const parts = [...names.map((n) => clampSummaryPart(n, NAME_BYTES)), ...fixed];
  return clampSummaryPart(parts.join(SEPARATOR), SUMMARY_BYTES);
}

function identity(p: ProgrammeIdentity): SearchAttributePair[] {
  return [
    { key: AimsProgrammeId, value: p.programmeId },
    { key: AimsOrganisation, value: p.organisation },
  ];
}

/** A step of the journey: the programme's identity plus the cycle, stage and step it runs. */
export function stageChildMetadata(
  p: ProgrammeIdentity & { name: string; cycle: number; step: StepId },
): ChildMetadata {
  const def = stepDef(p.step);
  return {
    typedSearchAttributes: [
      ...identity(p),
      { key: AimsCycle, value: p.cycle },
      { key: AimsStage, value: def.stage },
      { key: AimsStep, value: p.step },
    ],
    staticSummary: summary([p.organisation, p.name], [`cycle ${p.cycle}`, def.title]),
  };
}

/** The KPI clock: it runs across cycles, so it carries no cycle or stage. */
export function kpiScheduleChildMetadata(p: ProgrammeIdentity & { name: string }): ChildMetadata {
  return {
    typedSearchAttributes: identity(p),
    staticSummary: summary([p.organisation, p.name], ['KPI snapshots']),
  };
}

/**
 * A report generated for an approval request, of the artefact version the approvers decide on.
 * The stage that starts it does not know the programme's name (its facts do not keep it), so the
 * summary names the organisation.
 */
export function reportChildMetadata(
  p: ProgrammeIdentity & { kind: ReportKind; version: number },
): ChildMetadata {
  return {
    typedSearchAttributes: identity(p),
    staticSummary: summary(
      [p.organisation],
      [`${REPORTS[p.kind].title} report`, `v${p.version} for approval`],
    ),
  };
}
