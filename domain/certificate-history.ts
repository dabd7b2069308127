/**
 * A programme's certificates across cycles, as a certification body's register shows them: a
 * certificate that a later cycle's certificate replaced is superseded from then on, whatever its
 * last recorded state, and names its successor. Derived when read, so the stored rows keep what
 * the workflow recorded.
 */
import type { Certificate } from './views';
import type { CertificateStatus } from './vocabulary';

export interface CertificateHistoryEntry extends Omit<Certificate, 'status'> {
  status: CertificateStatus | 'SUPERSEDED';
  /** The certificate of the next cycle that took over from this one. */
  replacedBy?: string;
}

export function certificateHistory(certificates: readonly Certificate[]): CertificateHistoryEntry[] {
  const successor = new Map<string, string>();
  for (const c of certificates) if (c.replaces) successor.set(c.replaces, c.number);
  return certificates.map((c) => {
    const replacedBy = successor.get(c.number);
    return replacedBy ? { ...c, status: 'SUPERSEDED', replacedBy } : c;
  });
}
