/**
 * Anchors of the audit trail in the programme's Temporal history. The persistence activity that
 * records a step transition answers with the audit chain's head; that answer is an event of
 * this workflow's history, which the database cannot rewrite. Verification compares the stored
 * chain with these anchors, so a rewrite that recomputed every hash is still caught.
 *
 * Anchoring adds no command: the head rides on an activity result that was already there.
 */
import { setHandler } from '@temporalio/workflow';
import type { AuditAnchor, AuditHead } from '../domain/audit-chain';
import { auditAnchorsQuery } from '../domain/messages';

/**
 * A rewrite from any point on changes every later hash, so the latest anchors catch a rewrite
 * of old events as well as recent ones; a short list keeps the continue-as-new input small.
 */
const KEPT = 16;

export class AuditAnchors {
  private readonly anchors: AuditAnchor[];

  constructor(carried: readonly AuditAnchor[] = []) {
    this.anchors = carried.slice(-KEPT);
    setHandler(auditAnchorsQuery, () => [...this.anchors]);
  }

  /** `head` is undefined when the worker records no audit trail (e.g. tests with mocked activities). */
  note(head: AuditHead | void, at: string): void {
    if (!head) return;
    const last = this.anchors[this.anchors.length - 1];
    if (last && last.seq === head.seq && last.hash === head.hash) return;
    this.anchors.push({ seq: head.seq, hash: head.hash, at });
    if (this.anchors.length > KEPT) this.anchors.splice(0, this.anchors.length - KEPT);
  }

  carried(): AuditAnchor[] {
    return [...this.anchors];
  }
}
