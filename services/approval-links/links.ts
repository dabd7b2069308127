/** The URLs in approval e-mails and on the confirmation pages. */
import type { ApprovalOutcome } from '../../domain/schemas';

export interface ApprovalLinks {
  approve: string;
  reject: string;
  changes: string;
}

export const approvalPagePath = (token: string): string => `/approvals/${token}`;

export function approvalLinks(base: string, token: (outcome: ApprovalOutcome) => string): ApprovalLinks {
  return {
    approve: `${base}${approvalPagePath(token('approved'))}`,
    reject: `${base}${approvalPagePath(token('rejected'))}`,
    changes: `${base}${approvalPagePath(token('changes_requested'))}`,
  };
}

export const programmeUrl = (base: string, programmeId: string): string =>
  `${base}/programmes/${encodeURIComponent(programmeId)}`;

/** The stored version being approved; the roadmap is not one record, so it links the task list. */
export function artefactUrl(
  base: string,
  programmeId: string,
  location: { kind: string; key: string } | undefined,
  version: number,
): string {
  if (!location) return `${programmeUrl(base, programmeId)}/tasks`;
  const query = new URLSearchParams({ key: location.key, version: String(version) });
  return `${programmeUrl(base, programmeId)}/artefacts/${encodeURIComponent(location.kind)}?${query.toString()}`;
}
