/**
 * Evidence coverage: which applicable controls have current evidence. A control whose evidence
 * has all expired, or that has none, is a gap. Only the latest version of each item counts.
 */
import { CONTROLS } from '../../domain/catalogue/iso42001';
import type { SoaEntry } from '../../domain/schemas';
import type { EvidenceRecord } from '../../db/evidence-repository';

export interface CoverageGap {
  controlId: string;
  reason: 'missing' | 'expired';
  /** For expired evidence: when the newest of it expired. */
  expiredOn?: string;
}

export interface EvidenceCoverage {
  applicable: number;
  covered: number;
  /** covered / applicable, 0..1 (1 when nothing is applicable). */
  ratio: number;
  basis: 'soa' | 'all-controls';
  gaps: CoverageGap[];
}

export function latestVersions(evidence: readonly EvidenceRecord[]): EvidenceRecord[] {
  const latest = new Map<string, EvidenceRecord>();
  for (const e of evidence) {
    const seen = latest.get(e.key);
    if (!seen || e.version > seen.version) latest.set(e.key, e);
  }
  return [...latest.values()];
}

export function isCurrent(e: EvidenceRecord, now: number): boolean {
  return e.expiresOn === null || Date.parse(e.expiresOn) > now;
}

export function evidenceCoverage(
  soa: readonly Pick<SoaEntry, 'controlId' | 'applicable'>[] | undefined,
  evidence: readonly EvidenceRecord[],
  now: number,
): EvidenceCoverage {
  const applicable = soa
    ? soa.filter((e) => e.applicable).map((e) => e.controlId)
    : CONTROLS.map((c) => c.id);
  const items = latestVersions(evidence);
  const gaps: CoverageGap[] = [];
  for (const controlId of applicable) {
    const supporting = items.filter((e) => e.requirementIds.includes(controlId));
    if (supporting.some((e) => isCurrent(e, now))) continue;
    if (supporting.length === 0) gaps.push({ controlId, reason: 'missing' });
    else {
      const expiredOn = supporting
        .map((e) => e.expiresOn as string)
        .sort()
        .at(-1);
      gaps.push({ controlId, reason: 'expired', expiredOn });
    }
  }
  const covered = applicable.length - gaps.length;
  return {
    applicable: applicable.length,
    covered,
    ratio: applicable.length === 0 ? 1 : covered / applicable.length,
    basis: soa ? 'soa' : 'all-controls',
    gaps,
  };
}
