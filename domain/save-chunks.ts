/**
 * Splits what one input changed into saves small enough for an activity's input.
 *
 * An input that brings 500 AI systems, or a scan that finds them, changes as many facts at
 * once; sent whole, the save would pass Temporal's payload limit and fail its workflow task
 * again and again. The stage sends the chunks one after another instead, in the order the
 * fields are declared (systems before the tasks that name them, audits before their findings),
 * so the database is never ahead of what it can resolve.
 */
import type { RecordChanges } from './contracts/persistence';

/** Comfortably under the 64 KB that this service allows any payload in a history. */
export const SAVE_CHUNK_BYTES = 24 * 1024;

/** The fields of RecordChanges in the order they are written. */
const ORDER = [
  'systems',
  'assessments',
  'tasks',
  'artefacts',
  'policies',
  'impactAssessments',
  'audits',
  'findings',
  'approvals',
  'gates',
] as const satisfies readonly Exclude<keyof RecordChanges, 'certificate'>[];

type ListField = (typeof ORDER)[number];

// The workflow sandbox has no Buffer; UTF-8 length from the UTF-16 code units is enough.
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

const sizeOf = (value: unknown) => utf8Length(JSON.stringify(value));

/**
 * The changes as one or more RecordChanges, each (with a small allowance for the rest of the
 * save request) no larger than `maxBytes`, unless a single fact alone is larger.
 */
export function chunkChanges(changes: RecordChanges, maxBytes = SAVE_CHUNK_BYTES): RecordChanges[] {
  if (sizeOf(changes) <= maxBytes) return [changes];
  const chunks: RecordChanges[] = [];
  let current: RecordChanges = {};
  let size = 2;
  const flush = () => {
    if (Object.keys(current).length > 0) chunks.push(current);
    current = {};
    size = 2;
  };
  for (const field of ORDER) {
    const items = changes[field] as unknown[] | undefined;
    for (const item of items ?? []) {
      const itemSize = sizeOf(item) + 1;
      // A field starting in this chunk costs its name and brackets too.
      const overhead = current[field] ? 0 : field.length + 5;
      if (size + itemSize + overhead > maxBytes && size > 2) flush();
      const list = (current[field] ?? []) as unknown[];
      list.push(item);
      (current as Record<ListField, unknown[]>)[field] = list;
      size += itemSize + (list.length === 1 ? field.length + 5 : 0);
    }
  }
  if (changes.certificate) {
    const certificateSize = sizeOf(changes.certificate) + 15;
    if (size + certificateSize > maxBytes && size > 2) flush();
    current.certificate = changes.certificate;
  }
  flush();
  return chunks;
}
