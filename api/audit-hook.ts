/**
 * Appends an audit event for every successful state-changing request, so that no handler has to
 * remember to: a route declares `audit: { action }` and this hook, wrapped around its handler,
 * records who did it (the API key, or the approver of an e-mailed link), when (the server
 * clock), to what, and the digest of the programme's stored state before and after.
 *
 * The event is appended after the change is made. If appending fails, the change stands and the
 * failure is logged as an error: answering 5xx for a change that happened would invite a retry
 * that changes things twice.
 */
import type { Logger } from 'pino';
import { SERVICE_CHAIN, type AuditDraft, type TemporalEventRef } from '../domain/audit-chain';
import { canonicalJson, sha256Hex } from '../domain/fingerprint';
import type { Actor } from '../domain/roles';
import { programmeStateDigest, type StateReader } from '../services/audit-trail/state-digest';
import type { Reply, Route } from './route';

export interface AuditRecorder {
  append(draft: AuditDraft): Promise<unknown>;
}

export interface AuditedRequest {
  params: Record<string, unknown>;
  actor: Actor;
  idempotencyKey?: string;
  log: Logger;
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export class AuditHook {
  constructor(
    private readonly recorder: AuditRecorder,
    private readonly store: StateReader,
  ) {}

  async around(route: Route, request: AuditedRequest, run: () => Promise<Reply>): Promise<Reply> {
    if (!route.audit) return run();
    const pathId = text(request.params.id);
    const before = pathId ? await programmeStateDigest(this.store, pathId) : null;
    const reply = await run();
    if (reply.status < 200 || reply.status > 299) return reply;
    const action = reply.audit?.action ?? route.audit.action;
    try {
      await this.record(action, route, request, reply, before);
    } catch (err) {
      request.log.error({ err, action }, 'could not append the audit event of a change');
    }
    return reply;
  }

  private async record(
    action: string,
    route: Route,
    request: AuditedRequest,
    reply: Reply,
    before: string | null,
  ): Promise<void> {
    const pathId = text(request.params.id);
    // A new programme is named by the answer; key management and configuration by nothing.
    const programmeId =
      reply.audit?.programmeId ??
      pathId ??
      (action === 'programme.created' ? text(field(reply.body, 'id')) : undefined);
    const chainId = programmeId ?? SERVICE_CHAIN;
    const actor = reply.audit?.actor ?? request.actor;
    const stepKey = text(field(reply.body, 'stepKey')) ?? text(field(field(reply.body, 'view'), 'stepKey'));
    const temporalEvent: TemporalEventRef | null = stepKey
      ? { stepKey, ...(request.idempotencyKey && { updateId: request.idempotencyKey }) }
      : null;
    await this.recorder.append({
      chainId,
      at: new Date().toISOString(),
      actorId: actor.id,
      actorRole: actor.role,
      action,
      subject: reply.audit?.subject ?? subjectOf(request.params, reply.body) ?? null,
      beforeDigest: before,
      afterDigest: programmeId ? await programmeStateDigest(this.store, programmeId) : null,
      temporalEvent,
      // A request repeated with its Idempotency-Key changes nothing the second time.
      dedupeKey: reply.audit?.dedupeKey
        ? `api:${sha256Hex(canonicalJson([chainId, route.operationId, reply.audit.dedupeKey]))}`
        : request.idempotencyKey
          ? `api:${sha256Hex(canonicalJson([chainId, route.operationId, actor.id, request.idempotencyKey]))}`
          : null,
    });
  }
}

/** The record the request created or addressed: its id in the answer, else the path's other ids. */
function subjectOf(params: Record<string, unknown>, body: unknown): string | undefined {
  const recordId = text(field(body, 'recordId'));
  if (recordId) return recordId;
  const others = Object.entries(params).filter(([name, value]) => name !== 'id' && typeof value === 'string');
  if (others.length > 0) return others.map(([name, value]) => `${name}=${String(value)}`).join(',');
  return text(field(body, 'id')) ?? text(field(body, 'gate'));
}
