/**
 * The fingerprint of an artefact version, computed inside the workflow sandbox: canonical JSON
 * (keys sorted at every depth, as db/canonical-json.ts writes it) hashed with SHA-256. The
 * sandbox has no node:crypto, so SHA-256 comes from a pure-JavaScript implementation; a unit test
 * checks it against node:crypto and db/canonical-json.ts on the same inputs.
 *
 * Hashing in the workflow, rather than in an activity, means an approval request knows the
 * hash of what it asks about the moment the artefact is submitted, before any mail exists.
 */

import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The one canonical form; db/canonical-json.ts stores exactly this text. */
export function canonicalJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (!isPlainObject(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) sorted[key] = v[key];
    return sorted;
  }) as string | undefined;
  return text ?? 'null';
}

/** SHA-256 from @noble/hashes: audited, pure JavaScript, so it runs inside the sandbox. */
export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** The hash an auditor can check a stored artefact body against (same as the artefacts table). */
export function fingerprint(body: unknown): string {
  return sha256Hex(canonicalJson(body));
}
