/**
 * Canonical JSON: object keys sorted at every depth, no whitespace. The same body therefore
 * always yields the same text and the same sha256, whatever key order the caller produced,
 * which is what lets an auditor check a stored artefact against its recorded digest. The
 * definition, and the SHA-256 of it (`fingerprint`, `sha256Hex`), live in domain/fingerprint.ts
 * because the workflows hash the same text; this module re-exports the text for the outer layers.
 */
export { canonicalJson } from '../domain/fingerprint';
