/**
 * The audit trail's hash chain (Annex A.6.2.8 for the service itself), as pure functions so that
 * the API, the worker, the CLI and the tests all hash and judge a chain the same way.
 *
 * Each event's hash covers every other field, including the previous event's hash, so changing,
 * removing or reordering a stored event breaks a link. A rewrite that recomputes every hash from
 * some point on is consistent by construction; only a copy of an earlier head kept elsewhere
 * (the anchors the programme workflow records in its Temporal history) reveals it.
 */
import { canonicalJson, sha256Hex } from './fingerprint';

/** prev_hash of the first event of every chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** The chain of events that belong to no programme: key management and service configuration. */
export const SERVICE_CHAIN = '_service';

/** Where a worker-side event happened in Temporal, so it can be found in the workflow history. */
export interface TemporalEventRef {
  workflowId?: string;
  runId?: string;
  activityId?: string;
  /** Workflow time of the change (Temporal's clock, not the server's). */
  workflowTime?: string;
  /** The step whose stage workflow accepted an input, and the Update that carried it. */
  stepKey?: string;
  updateId?: string;
}

/** What a caller appends; the repository numbers it and links it. */
export interface AuditDraft {
  chainId: string;
  /** Server clock, ISO 8601 with milliseconds. */
  at: string;
  actorId: string;
  actorRole: string;
  action: string;
  subject: string | null;
  beforeDigest: string | null;
  afterDigest: string | null;
  temporalEvent: TemporalEventRef | null;
  /** Makes a retried worker append a no-op (e.g. the transition id); null for API events. */
  dedupeKey: string | null;
}

export interface AuditEvent extends AuditDraft {
  seq: number;
  prevHash: string;
  hash: string;
}

export interface AuditHead {
  seq: number;
  hash: string;
}

/** An earlier head as the workflow recorded it; `at` is the workflow time it was taken. */
export interface AuditAnchor extends AuditHead {
  at: string;
}

export type BrokenReason =
  /** The stored hash is not the hash of the stored fields: a field was edited. */
  | 'hash-mismatch'
  /** prev_hash does not name the previous event's hash: events were reordered or replaced. */
  | 'prev-link'
  /** A sequence number is missing: an event was deleted. */
  | 'gap'
  /** Sequence numbers do not increase (an exported file in the wrong order). */
  | 'order'
  /** The event an anchor names has another hash now: the chain was rewritten after the anchor. */
  | 'anchor-mismatch'
  /** The event an anchor names no longer exists: the chain was truncated. */
  | 'anchor-missing';

export interface BrokenLink {
  seq: number;
  reason: BrokenReason;
  detail: string;
}

export interface ChainReport {
  chainId: string;
  ok: boolean;
  /** Events read and checked. */
  checked: number;
  /** Anchors compared with the stored chain. */
  anchorsChecked: number;
  head: AuditHead | null;
  firstBroken?: BrokenLink;
}

/** Field order does not matter (canonical JSON sorts keys); every field but the hash does. */
export function auditEventHash(event: Omit<AuditEvent, 'hash'>): string {
  const hashed: Omit<AuditEvent, 'hash'> = {
    chainId: event.chainId,
    seq: event.seq,
    at: event.at,
    actorId: event.actorId,
    actorRole: event.actorRole,
    action: event.action,
    subject: event.subject,
    beforeDigest: event.beforeDigest,
    afterDigest: event.afterDigest,
    temporalEvent: event.temporalEvent,
    dedupeKey: event.dedupeKey,
    prevHash: event.prevHash,
  };
  return sha256Hex(canonicalJson(hashed));
}

/** The event that follows `previous` (or starts the chain). */
export function linkEvent(draft: AuditDraft, previous: AuditHead | null): AuditEvent {
  const unhashed = { ...draft, seq: (previous?.seq ?? 0) + 1, prevHash: previous?.hash ?? GENESIS_HASH };
  return { ...unhashed, hash: auditEventHash(unhashed) };
}

/**
 * Walks the chain from genesis and reports the first broken link; then checks every anchor
 * against the stored event of its sequence number. Events must come ordered by seq. A break in
 * the chain is reported before an anchor mismatch: it is the earlier evidence.
 */
export function verifyChain(
  chainId: string,
  events: readonly AuditEvent[],
  anchors: readonly AuditHead[] = [],
): ChainReport {
  const head = (): AuditHead | null => {
    const last = events[events.length - 1];
    return last ? { seq: last.seq, hash: last.hash } : null;
  };
  const broken = (checked: number, link: BrokenLink): ChainReport => ({
    chainId,
    ok: false,
    checked,
    anchorsChecked: 0,
    head: head(),
    firstBroken: link,
  });
  let previous: AuditHead = { seq: 0, hash: GENESIS_HASH };
  for (const [index, event] of events.entries()) {
    const expected = previous.seq + 1;
    if (event.seq < expected) {
      return broken(index + 1, {
        seq: event.seq,
        reason: 'order',
        detail: `seq ${event.seq} follows seq ${previous.seq}`,
      });
    }
    if (event.seq > expected) {
      const missing =
        event.seq - expected === 1 ? `seq ${expected} is` : `seq ${expected}–${event.seq - 1} are`;
      return broken(index, { seq: expected, reason: 'gap', detail: `${missing} missing` });
    }
    if (event.prevHash !== previous.hash) {
      return broken(index + 1, {
        seq: event.seq,
        reason: 'prev-link',
        detail: `prev_hash ${short(event.prevHash)} is not the hash of seq ${previous.seq} (${short(previous.hash)})`,
      });
    }
    const recomputed = auditEventHash(event);
    if (recomputed !== event.hash) {
      return broken(index + 1, {
        seq: event.seq,
        reason: 'hash-mismatch',
        detail: `stored hash ${short(event.hash)}, fields hash to ${short(recomputed)}`,
      });
    }
    previous = { seq: event.seq, hash: event.hash };
  }
  const bySeq = new Map(events.map((e) => [e.seq, e.hash]));
  // The earliest anchor that disagrees is where the rewrite is proven to have begun at the latest.
  const ordered = [...anchors].sort((a, b) => a.seq - b.seq);
  for (const [index, anchor] of ordered.entries()) {
    const stored = bySeq.get(anchor.seq);
    const report = (reason: BrokenReason, detail: string): ChainReport => ({
      ...broken(events.length, { seq: anchor.seq, reason, detail }),
      anchorsChecked: index + 1,
    });
    if (stored === undefined)
      return report('anchor-missing', `the workflow anchored seq ${anchor.seq}, which is not stored`);
    if (stored !== anchor.hash)
      return report(
        'anchor-mismatch',
        `the workflow anchored seq ${anchor.seq} as ${short(anchor.hash)}, stored ${short(stored)}`,
      );
  }
  return { chainId, ok: true, checked: events.length, anchorsChecked: ordered.length, head: head() };
}

function short(hash: string): string {
  return hash.slice(0, 12);
}
