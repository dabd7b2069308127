/** Wording shared by the report documents of several kinds (kinds/*.ts). */
import type { Approval } from './model-parts';

export const STATUS_LABELS: Record<string, string> = {
  compliant: 'Compliant',
  partially_compliant: 'Partially compliant',
  not_compliant: 'Not compliant',
  not_applicable: 'Not applicable',
  not_assessed: 'Not assessed',
  implemented: 'Implemented',
  partially_implemented: 'Partially implemented',
  planned: 'Planned',
  not_implemented: 'Not implemented',
  excluded: 'Excluded',
};

export const label = (status: string) => STATUS_LABELS[status] ?? status;
export const list = (values: readonly string[]) => values.join('; ');
export const yesNo = (value: boolean) => (value ? 'Yes' : 'No');
export const percent = (value: number | null) => (value === null ? 'n/a' : `${value} %`);
export const day = (iso: string) => iso.slice(0, 10);

export function approvalText(a: Approval | undefined, what: string): string {
  if (!a) return `${what}: no decision recorded for this version yet`;
  return `${what}: ${decisionText(a)}`;
}

/** Who decided what, when, and, for a decision recorded by someone else, by whom and from what. */
export function decisionText(a: Approval): string {
  const base = `${a.outcome.replace('_', ' ')} by ${a.approver} on ${day(a.decidedAt)}${a.comment ? ` (${a.comment})` : ''}`;
  return a.onBehalf
    ? `${base}; recorded on their behalf by API key ${a.onBehalf.recordedBy}, evidence: ${a.onBehalf.evidence}`
    : base;
}
