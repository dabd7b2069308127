/**
 * The audit trail of a programme: its export as JSON Lines and its verification (hash chain and
 * workflow anchors). Reads only: events are appended by api/audit-hook.ts and the worker.
 */
import { z } from 'zod';
import { READERS } from '../../domain/roles';
import type { AuditTrail } from '../../services/audit-trail/service';
import { requireProgramme } from '../handlers';
import { ProgrammeParams } from '../params';
import { defineRoute, type Route } from '../route';
import { NoBody, NoQuery } from '../validate';

const TAG = 'Audit trail';

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);

const AuditEventLine = z
  .object({
    chainId: z.string(),
    seq: z.number().int(),
    at: z.string(),
    actorId: z.string(),
    actorRole: z.string(),
    action: z.string(),
    subject: z.string().nullable(),
    beforeDigest: Hex64.nullable(),
    afterDigest: Hex64.nullable(),
    temporalEvent: z.record(z.string(), z.string()).nullable(),
    dedupeKey: z.string().nullable(),
    prevHash: Hex64,
    hash: Hex64,
  })
  .meta({
    id: 'AuditEvent',
    description:
      "One line of the export. hash = SHA-256 of the canonical JSON (keys sorted) of every other field; prevHash is the previous line's hash, 64 zeros for seq 1.",
  });

export const AuditVerification = z
  .object({
    chainId: z.string(),
    ok: z.boolean(),
    checked: z.number().int().meta({ description: 'Events checked' }),
    anchorsChecked: z.number().int().meta({ description: 'Workflow anchors compared with the stored chain' }),
    head: z.object({ seq: z.number().int(), hash: Hex64 }).nullable(),
    firstBroken: z
      .object({
        seq: z.number().int(),
        reason: z.enum(['hash-mismatch', 'prev-link', 'gap', 'order', 'anchor-mismatch', 'anchor-missing']),
        detail: z.string(),
      })
      .optional(),
    anchors: z.object({ available: z.boolean(), reason: z.string().optional() }),
  })
  .meta({ id: 'AuditVerification' });

const AuditTrailLines = z
  .string()
  .meta({ id: 'AuditTrailLines', description: 'JSON Lines: one AuditEvent per line, in chain order' });

const COMPONENTS = { AuditEvent: AuditEventLine, AuditVerification, AuditTrailLines };

export function auditTrailRoutes(trail: AuditTrail): Route[] {
  return [
    defineRoute({
      method: 'get',
      path: '/programmes/{id}/audit-trail',
      operationId: 'exportAuditTrail',
      access: READERS,
      summary: 'The audit trail as JSON Lines, one hash-chained event per line',
      tag: TAG,
      params: ProgrammeParams,
      query: NoQuery,
      body: NoBody,
      components: COMPONENTS,
      responseContentType: 'application/x-ndjson',
      success: {
        status: 200,
        description: 'One AuditEvent per line, in chain order',
        schema: AuditTrailLines,
      },
      handle: async ({ params }, ctx) => {
        await requireProgramme(ctx.store, params.id);
        return {
          status: 200,
          body: undefined,
          raw: {
            contentType: 'application/x-ndjson; charset=utf-8',
            data: await trail.jsonl(params.id),
            headers: {
              'Content-Disposition': `attachment; filename="audit-trail-${params.id}.jsonl"`,
            },
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/programmes/{id}/audit-trail/verification',
      operationId: 'verifyAuditTrail',
      access: READERS,
      summary: 'Verify the audit trail: every hash and link, and the anchors in the workflow history',
      description:
        'ok is false with the first broken link (seq and reason) when an event was edited (hash-mismatch), deleted (gap), reordered (prev-link), or the chain was rewritten after an anchor the workflow recorded (anchor-mismatch, anchor-missing).',
      tag: TAG,
      params: ProgrammeParams,
      query: NoQuery,
      body: NoBody,
      components: COMPONENTS,
      success: { status: 200, description: 'The verification report', schema: AuditVerification },
      handle: async ({ params }, ctx) => {
        await requireProgramme(ctx.store, params.id);
        const report: z.input<typeof AuditVerification> = await trail.verify(params.id);
        return { status: 200, body: report };
      },
    }),
  ];
}
