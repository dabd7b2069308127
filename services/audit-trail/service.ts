/**
 * The audit trail as the API, the worker and the CLI use it: append, export as JSON Lines, and
 * verify a chain against its stored hashes and against the anchors in the workflow history.
 */
import {
  verifyChain,
  type AuditAnchor,
  type AuditDraft,
  type AuditEvent,
  type AuditHead,
  type ChainReport,
} from '../../domain/audit-chain';
import { canonicalJson } from '../../domain/fingerprint';
import type { AuditRepository } from '../../db/audit-repository';

/** What the workflow history says about a chain, if it could be asked. */
export type AnchorLookup = { available: true; anchors: AuditAnchor[] } | { available: false; reason: string };

export type AnchorSource = (chainId: string) => Promise<AnchorLookup>;

export interface VerificationReport extends ChainReport {
  /** Whether the workflow's anchors could be read; without them a full rewrite goes unseen. */
  anchors: { available: boolean; reason?: string };
}

export class AuditTrail {
  constructor(
    private readonly repo: AuditRepository,
    private readonly anchorsOf: AnchorSource = () =>
      Promise.resolve({ available: false, reason: 'no workflow connection' }),
  ) {}

  append(draft: AuditDraft): Promise<AuditEvent> {
    return this.repo.append(draft);
  }

  head(chainId: string): Promise<AuditHead | null> {
    return this.repo.head(chainId);
  }

  chains(): Promise<string[]> {
    return this.repo.chains();
  }

  list(chainId: string): Promise<AuditEvent[]> {
    return this.repo.list(chainId);
  }

  /** One event per line, canonical JSON (sorted keys), so a line can be re-hashed as exported. */
  async jsonl(chainId: string): Promise<string> {
    const events = await this.repo.list(chainId);
    return events.map((e) => `${canonicalJson(e)}\n`).join('');
  }

  async verify(chainId: string): Promise<VerificationReport> {
    // Anchors first: an anchor taken after the chain was read would name events not yet read.
    const lookup = await this.anchorsOf(chainId);
    const events = await this.repo.list(chainId);
    const report = verifyChain(chainId, events, lookup.available ? lookup.anchors : []);
    return {
      ...report,
      anchors: lookup.available ? { available: true } : { available: false, reason: lookup.reason },
    };
  }
}
