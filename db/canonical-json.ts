/**
 * Canonical JSON: object keys sorted at every depth, no whitespace. The same body therefore
 * always yields the same text and the same sha256, whatever key order the caller produced,
 * which is what lets an auditor check a stored artefact against its recorded digest.
 */
import { createHash } from 'node:crypto';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function canonicalJson(value: unknown): string {
  // The replacer sees every nested value before it is serialised, so re-inserting keys in
  // sorted order here sorts the whole tree.
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (!isPlainObject(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) sorted[key] = v[key];
    return sorted;
  }) as string | undefined;
  return text ?? 'null';
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
