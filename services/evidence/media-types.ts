/**
 * Which files are accepted as evidence. A type is accepted only when the declared media type,
 * the file extension and the leading bytes agree, so a renamed executable cannot pass as a PDF.
 */
import path from 'node:path';

interface AllowedType {
  extensions: readonly string[];
  /** Leading bytes every file of this type starts with; absent for plain text formats. */
  magic?: Buffer;
}

const ZIP = Buffer.from('PK\x03\x04', 'latin1');

export const ALLOWED_TYPES: Record<string, AllowedType> = {
  'application/pdf': { extensions: ['.pdf'], magic: Buffer.from('%PDF-', 'latin1') },
  'image/png': { extensions: ['.png'], magic: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  'image/jpeg': { extensions: ['.jpg', '.jpeg'], magic: Buffer.from([0xff, 0xd8, 0xff]) },
  'text/plain': { extensions: ['.txt', '.log'] },
  'text/markdown': { extensions: ['.md'] },
  'text/csv': { extensions: ['.csv'] },
  'application/json': { extensions: ['.json'] },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { extensions: ['.xlsx'], magic: ZIP },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': {
    extensions: ['.docx'],
    magic: ZIP,
  },
};

function looksLikeText(data: Buffer): boolean {
  const sample = data.subarray(0, 4096);
  return !sample.includes(0) && !sample.toString('utf8').includes('\uFFFD');
}

const essence = (mediaType: string) => mediaType.split(';')[0].trim().toLowerCase();

/**
 * The media type a stored file is served as: the accepted type it was checked against, whatever
 * case or parameters the upload declared it with; octet-stream for anything else.
 */
export function servedMediaType(declared: string | null): string {
  const type = declared === null ? '' : essence(declared);
  return type in ALLOWED_TYPES ? type : 'application/octet-stream';
}

/** Why the file is refused, or null when it is an accepted evidence type. */
export function mediaTypeRejection(mediaType: string, fileName: string, data: Buffer): string | null {
  const allowed = ALLOWED_TYPES[essence(mediaType)];
  if (!allowed)
    return `media type ${mediaType} is not accepted as evidence; accepted: ${Object.keys(ALLOWED_TYPES).join(', ')}`;
  const extension = path.extname(fileName).toLowerCase();
  if (!allowed.extensions.includes(extension)) {
    return `file name ${fileName} does not match ${mediaType} (expected ${allowed.extensions.join(' or ')})`;
  }
  const matches = allowed.magic
    ? data.subarray(0, allowed.magic.length).equals(allowed.magic)
    : looksLikeText(data);
  return matches ? null : `the content of ${fileName} is not ${mediaType}`;
}

/**
 * Why a client-supplied file name is refused: browsers send a bare name, so one with a directory
 * part (`../`, `a/b`, `C:\`, an absolute path), a control character or an encoded separator is
 * an attempt to address something, whatever the storage does with it (it stores by hash).
 */
export function fileNameProblem(name: string): string | null {
  if (name.length === 0 || name.length > 255) return 'the file name must have 1 to 255 characters';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'the file name contains a control character';
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    // Not percent-encoded: the name itself is checked below.
  }
  for (const candidate of [name, decoded]) {
    if (/[/\\]/.test(candidate) || /^[A-Za-z]:/.test(candidate))
      return 'the file name must not contain a directory part';
    if (candidate === '.' || candidate === '..') return 'the file name must name a file';
  }
  return null;
}

/** A display name that cannot address anything on disk (files are stored by hash, never by name). */
export function safeFileName(name: string): string {
  const base = path.basename(name.replace(/\\/g, '/'));
  return base.replace(/[^\w.\- ]/g, '_').slice(0, 200) || 'file';
}
