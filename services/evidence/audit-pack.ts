/**
 * The audit pack for the certification body: a ZIP holding every artefact, the audit records,
 * and the current evidence files, with a manifest (JSON, and a human index) that lists each
 * file's SHA-256 and what it supports. Anyone can recompute the hashes to verify the pack.
 */
import { createHash } from 'node:crypto';
import { ZipFile } from 'yazl';
import { safeFileName } from './media-types';

export interface PackFile {
  path: string;
  data: Buffer;
  /** What kind of record the file is: artefact, record, generated report, evidence. */
  category: 'artefact' | 'record' | 'report' | 'evidence';
  /** Clause or control ids the file supports (evidence), if any. */
  supports?: string[];
  title?: string;
}

export interface ManifestEntry {
  path: string;
  sha256: string;
  size: number;
  category: PackFile['category'];
  title?: string;
  supports: string[];
}

export interface AuditPackManifest {
  format: 'aimsflow-audit-pack/1';
  hashAlgorithm: 'sha256';
  programme: { id: string; organisation: string; name: string };
  generatedAt: string;
  files: ManifestEntry[];
}

export const jsonFile = (value: unknown): Buffer => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);

export function evidencePath(key: string, version: number, fileName: string): string {
  return `evidence/${key}/v${version}/${safeFileName(fileName)}`;
}

function humanIndex(manifest: AuditPackManifest): string {
  const rows = manifest.files.map(
    (f) => `| ${f.path} | ${f.category} | ${f.supports.join(', ') || '-'} | ${f.size} | \`${f.sha256}\` |`,
  );
  return [
    `# Audit pack: ${manifest.programme.organisation} — ${manifest.programme.name}`,
    '',
    `Programme ${manifest.programme.id}, generated ${manifest.generatedAt}.`,
    'Verify any file with `sha256sum <path>` and compare it with the table (and manifest.json).',
    '',
    '| File | Category | Supports | Bytes | SHA-256 |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

export async function buildAuditPack(
  programme: AuditPackManifest['programme'],
  files: readonly PackFile[],
  generatedAt: string,
): Promise<{ zip: Buffer; manifest: AuditPackManifest }> {
  const manifest: AuditPackManifest = {
    format: 'aimsflow-audit-pack/1',
    hashAlgorithm: 'sha256',
    programme,
    generatedAt,
    files: files.map((f) => ({
      path: f.path,
      sha256: createHash('sha256').update(f.data).digest('hex'),
      size: f.data.length,
      category: f.category,
      title: f.title,
      supports: f.supports ?? [],
    })),
  };
  const zip = new ZipFile();
  // A fixed mtime keeps the archive bytes a function of its content alone.
  const mtime = new Date(generatedAt);
  for (const f of files) zip.addBuffer(f.data, f.path, { mtime });
  zip.addBuffer(jsonFile(manifest), 'manifest.json', { mtime });
  zip.addBuffer(Buffer.from(humanIndex(manifest)), 'INDEX.md', { mtime });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return { zip: Buffer.concat(chunks), manifest };
}
