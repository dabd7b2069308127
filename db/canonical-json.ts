/**
 * Canonical JSON: object keys sorted at every depth, no whitespace. The same body therefore
 * always yields the same text and the same sha256, whatever key order the caller produced,
 * which is what lets an auditor check a stored artefact against its recorded digest. The
 * definition is shared with the workflows (domain/fingerprint.ts), which hash the same text.
 */
import { createHash } from 'node:crypto';

export { canonicalJson } from '../domain/fingerprint';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
