/** Shapes shared by the report models (models.ts) and the audit reports (audit-reports.ts). */
import type { ApprovalState } from '../../domain/facts';

export interface StoredArtefactLike {
  version: number;
  submittedAt: string;
  sha256: string;
  body: unknown;
}

export interface Header {
  organisation: string;
  programme: string;
  programmeId: string;
  catalogueVersion: string;
}

export interface Approval {
  outcome: ApprovalState['outcome'];
  approver: string;
  decidedAt: string;
  comment?: string;
  /** Recorded by someone else from this evidence of the approver's own decision. */
  onBehalf?: { recordedBy: string; evidence: string };
}
