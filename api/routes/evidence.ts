/**
 * Evidence register and audit pack routes. Uploads are multipart (a `file` and a `metadata`
 * JSON field); everything is validated before a byte is stored, so bad input writes nothing.
 */
import { CONTRIBUTES, READERS } from '../../domain/roles';
import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { EvidenceLinkBody, EvidenceMetadata } from '../../domain/schemas';
import type { EvidenceRecord } from '../../db/evidence-repository';
import type { EvidenceService } from '../../services/evidence/service';
import {
  ALLOWED_TYPES,
  fileNameProblem,
  mediaTypeRejection,
  safeFileName,
  servedMediaType,
} from '../../services/evidence/media-types';
import { programmePath, requireProgramme } from '../handlers';
import { ProgrammeParams } from '../params';
import { HttpProblem, jsonPointer, validationProblem } from '../problem';
import { defineRoute, type Route } from '../route';
import { jsonBody, NoBody, NoQuery } from '../validate';

const TAG = 'Evidence and audit pack';

const EvidenceParams = ProgrammeParams.extend({
  evidenceId: z.string().regex(/^ev-[0-9a-f-]{36}$/, 'an evidence id such as ev-<uuid>'),
});

const EvidenceItem = z.object({
  id: z.string(),
  key: z.string(),
  version: z.number().int(),
  title: z.string(),
  source: z.enum(['file', 'url']),
  url: z.string().nullable(),
  fileName: z.string().nullable(),
  mediaType: z.string().nullable(),
  size: z.number().int(),
  sha256: z.string(),
  owner: z.string(),
  requirementIds: z.array(z.string()),
  aiSystemIds: z.array(z.string()),
  reviewOn: z.string().nullable(),
  expiresOn: z.string().nullable(),
  createdAt: z.string(),
  current: z.boolean().meta({ description: 'Not expired' }),
});

const EvidenceList = z.object({ items: z.array(EvidenceItem) });
const Coverage = z.object({
  applicable: z.number().int(),
  covered: z.number().int(),
  ratio: z.number(),
  basis: z.enum(['soa', 'all-controls']),
  gaps: z.array(
    z.object({
      controlId: z.string(),
      reason: z.enum(['missing', 'expired']),
      expiredOn: z.string().optional(),
    }),
  ),
});
const UploadForm = z
  .object({
    metadata: z.string().meta({ description: 'EvidenceMetadata as JSON' }),
    file: z.string().optional().meta({ format: 'binary', description: 'The evidence file' }),
  })
  .strict();
const Binary = z.string().meta({ format: 'binary' });
/** Any shape: a JSON evidence file is served as the JSON it is. */
const EvidenceContent = z.unknown().meta({ description: 'The file as uploaded, in its own media type' });

function multipartUpload(maxBytes: number): RequestHandler {
  const parse = multer({
    storage: multer.memoryStorage(),
    // The name as sent, so that a directory part is refused rather than silently dropped.
    preservePath: true,
    limits: { fileSize: maxBytes, files: 1, fields: 2, fieldSize: 64 * 1024, parts: 3 },
  }).single('file');
  return (req, res, next) => {
    if (!req.is('multipart/form-data')) {
      next(
        new HttpProblem('unsupported-media-type', 'Upload evidence as multipart/form-data with a file part.'),
      );
      return;
    }
    parse(req, res, (err: unknown) => {
      if (!err) return next();
      if (err instanceof multer.MulterError) {
        next(
          err.code === 'LIMIT_FILE_SIZE'
            ? new HttpProblem('content-too-large', `Evidence files are limited to ${maxBytes} bytes.`)
            : validationProblem([{ pointer: jsonPointer(['body', err.field ?? '']), detail: err.message }]),
        );
        return;
      }
      // busboy's own errors (a truncated body, a broken part header, a missing boundary) are the
      // client's malformed request, not a fault here.
      const detail = err instanceof Error ? err.message : 'the multipart body cannot be read';
      next(validationProblem([{ pointer: '/body', detail: `malformed multipart body: ${detail}` }]));
    });
  };
}

function parseMetadata(text: string): EvidenceMetadata {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw validationProblem([{ pointer: '/body/metadata', detail: 'must be a JSON object' }]);
  }
  const parsed = EvidenceMetadata.safeParse(value);
  if (!parsed.success) {
    throw validationProblem(
      parsed.error.issues.map((i) => ({
        pointer: jsonPointer(['body', 'metadata', ...i.path]),
        detail: i.message,
      })),
    );
  }
  return parsed.data;
}

/** Published as OpenAPI components under these names. */
const COMPONENTS = {
  EvidenceItem,
  EvidenceList,
  EvidenceCoverage: Coverage,
  EvidenceUploadForm: UploadForm,
  Binary,
  EvidenceContent,
};

export function evidenceRoutes(service: EvidenceService): Route[] {
  const item = (e: EvidenceRecord) => ({ ...e, current: service.isCurrent(e) });
  const location = (programmeId: string, e: EvidenceRecord) =>
    `${programmePath(programmeId)}/evidence/${e.id}`;
  const created = {
    status: 201,
    description: 'Stored as a new version',
    schema: EvidenceItem,
    location: true,
  };
  return [
    defineRoute({
      method: 'post',
      path: '/programmes/{id}/evidence/files',
      operationId: 'uploadEvidenceFile',
      audit: { action: 'evidence.added' },
      access: CONTRIBUTES,
      summary: 'Upload an evidence file linked to clauses, controls and AI systems',
      tag: TAG,
      components: COMPONENTS,
      params: ProgrammeParams,
      query: NoQuery,
      body: UploadForm,
      bodyParsers: [multipartUpload(service.maxBytes)],
      requestContentType: 'multipart/form-data',
      problems: [413, 415],
      success: created,
      handle: async ({ params, body }, ctx) => {
        const meta = parseMetadata(body.metadata);
        const file = ctx.files.find((f) => f.field === 'file');
        if (!file) throw validationProblem([{ pointer: '/body/file', detail: 'a file part is required' }]);
        const badName = fileNameProblem(file.originalName);
        if (badName) throw validationProblem([{ pointer: '/body/file', detail: badName }]);
        const rejection = mediaTypeRejection(file.mediaType, file.originalName, file.buffer);
        if (rejection) throw new HttpProblem('unsupported-media-type', rejection);
        await requireProgramme(ctx.store, params.id);
        const record = await service.addFile(params.id, `ev-${ctx.newId()}`, meta, {
          fileName: safeFileName(file.originalName),
          mediaType: file.mediaType,
          data: file.buffer,
        });
        return { status: 201, body: item(record), location: location(params.id, record) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/programmes/{id}/evidence/links',
      operationId: 'addEvidenceLink',
      audit: { action: 'evidence.added' },
      access: CONTRIBUTES,
      summary: 'Register evidence held elsewhere, by URL',
      tag: TAG,
      components: COMPONENTS,
      params: ProgrammeParams,
      query: NoQuery,
      body: EvidenceLinkBody,
      bodyParsers: jsonBody,
      success: created,
      handle: async ({ params, body }, ctx) => {
        await requireProgramme(ctx.store, params.id);
        const { url, ...meta } = body;
        const sha256 = createHash('sha256').update(url).digest('hex');
        const record = await service.addLink(params.id, `ev-${ctx.newId()}`, meta, url, sha256);
        return { status: 201, body: item(record), location: location(params.id, record) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/programmes/{id}/evidence',
      operationId: 'listEvidence',
      access: READERS,
      summary: 'Evidence register, every version, newest first per item',
      tag: TAG,
      components: COMPONENTS,
      params: ProgrammeParams,
      query: NoQuery,
      body: NoBody,
      success: { status: 200, description: 'Evidence', schema: EvidenceList },
      handle: async ({ params }, ctx) => {
        await requireProgramme(ctx.store, params.id);
        return { status: 200, body: { items: (await service.list(params.id)).map(item) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/programmes/{id}/evidence/{evidenceId}',
      operationId: 'getEvidence',
      access: READERS,
      summary: 'One evidence version',
      tag: TAG,
      components: COMPONENTS,
      params: EvidenceParams,
      query: NoQuery,
      body: NoBody,
      success: { status: 200, description: 'Evidence', schema: EvidenceItem },
      handle: async ({ params }, ctx) => {
        await requireProgramme(ctx.store, params.id);
        const record = await service.get(params.id, params.evidenceId);
        if (!record)
          throw new HttpProblem('not-found', `No evidence ${params.evidenceId} in programme ${params.id}.`);
        return { status: 200, body: item(record) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/programmes/{id}/evidence/{evidenceId}/content',
      operationId: 'downloadEvidence',
      access: READERS,
      summary: 'Download an evidence file (ETag is its SHA-256)',
      tag: TAG,
      components: COMPONENTS,
      params: EvidenceParams,
      query: NoQuery,
      body: NoBody,
      // A file is served as the media type it was accepted as (services/evidence/media-types.ts).
      responseContentType: [...Object.keys(ALLOWED_TYPES), 'application/octet-stream'],
      success: { status: 200, description: 'The file', schema: EvidenceContent },
      handle: async ({ params }, ctx) => {
        await requireProgramme(ctx.store, params.id);
        const record = await service.get(params.id, params.evidenceId);
        if (!record || record.source !== 'file') {
          throw new HttpProblem(
            'not-found',
            `No evidence file ${params.evidenceId} in programme ${params.id}.`,
          );
        }
        return {
          status: 200,
          body: undefined,
          raw: {
            contentType: servedMediaType(record.mediaType),
            data: await service.content(record),
            headers: {
              ETag: `"${record.sha256}"`,
              'Content-Disposition': `attachment; filename="${record.fileName ?? 'evidence'}"`,
            },
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/programmes/{id}/evidence-coverage',
      operationId: 'evidenceCoverage',
      access: READERS,
      summary: 'Applicable controls with current evidence, and the gaps (missing or expired)',
      tag: TAG,
      components: COMPONENTS,
      params: ProgrammeParams,
      query: NoQuery,
      body: NoBody,
      success: { status: 200, description: 'Coverage KPI', schema: Coverage },
      handle: async ({ params }, ctx) => {
        await requireProgramme(ctx.store, params.id);
        return { status: 200, body: await service.coverage(params.id) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/programmes/{id}/audit-pack',
      operationId: 'auditPack',
      access: READERS,
      summary: 'ZIP for the certification body: artefacts, records, evidence, and a hash manifest',
      tag: TAG,
      components: COMPONENTS,
      params: ProgrammeParams,
      query: NoQuery,
      body: NoBody,
      responseContentType: 'application/zip',
      success: { status: 200, description: 'The audit pack', schema: Binary },
      handle: async ({ params }, ctx) => {
        const row = await requireProgramme(ctx.store, params.id);
        const { zip } = await service.auditPack({
          id: params.id,
          organisation: row.organisation,
          name: row.name,
        });
        return {
          status: 200,
          body: undefined,
          raw: {
            contentType: 'application/zip',
            data: zip,
            headers: { 'Content-Disposition': `attachment; filename="audit-pack-${params.id}.zip"` },
          },
        };
      },
    }),
  ];
}
