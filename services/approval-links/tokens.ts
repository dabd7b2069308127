/**
 * Approval link tokens: `<payload>.<signature>`, both base64url, the signature an HMAC-SHA256 of
 * the payload text under the approval secret. The payload binds the link to one programme,
 * gate, approver, request and artefact hash, and carries its expiry. Whoever holds the secret
 * (the worker that mints links, the API that checks them) can verify; nobody else can make one.
 *
 * The nonce is derived from the request and the approver, so every message of one request to
 * one person (the request, its reminders, a resend) carries the same nonce: one decision per
 * person per request, however many of their links are clicked, and the nonce doubles as the
 * Temporal update id that de-duplicates concurrent clicks.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { APPROVAL_OUTCOMES, type ApprovalOutcome } from '../../domain/schemas';

export const TOKEN_VERSION = 1;

export interface ApprovalTokenPayload {
  v: typeof TOKEN_VERSION;
  programmeId: string;
  stepKey: string;
  gate: string;
  approver: string;
  artefactSha256: string;
  requestId: string;
  nonce: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** The button the link was for; the confirmation page still offers all three. */
  intendedOutcome?: ApprovalOutcome;
}

export type TokenCheck =
  | { ok: true; payload: ApprovalTokenPayload }
  | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired'; payload?: ApprovalTokenPayload };

const b64 = (data: Buffer | string) => Buffer.from(data).toString('base64url');

function mac(secret: string, text: string): Buffer {
  return createHmac('sha256', secret).update(text, 'utf8').digest();
}

/** One nonce per programme, request and approver (case-insensitive e-mail); request ids repeat across programmes. */
export function deriveNonce(
  secret: string,
  programmeId: string,
  requestId: string,
  approver: string,
): string {
  return mac(secret, `nonce\n${programmeId}\n${requestId}\n${approver.trim().toLowerCase()}`)
    .subarray(0, 18)
    .toString('base64url');
}

export function signToken(payload: ApprovalTokenPayload, secret: string): string {
  const body = b64(JSON.stringify(payload));
  return `${body}.${b64(mac(secret, body))}`;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const SHA256 = /^[0-9a-f]{64}$/;

function isPayload(value: unknown): value is ApprovalTokenPayload {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  const strings = ['programmeId', 'stepKey', 'gate', 'approver', 'artefactSha256', 'requestId', 'nonce'];
  return (
    p.v === TOKEN_VERSION &&
    strings.every((k) => {
      const value = p[k];
      return typeof value === 'string' && value.length > 0 && value.length <= 400;
    }) &&
    SHA256.test(p.artefactSha256 as string) &&
    typeof p.exp === 'number' &&
    Number.isInteger(p.exp) &&
    (p.intendedOutcome === undefined ||
      (typeof p.intendedOutcome === 'string' &&
        (APPROVAL_OUTCOMES as readonly string[]).includes(p.intendedOutcome)))
  );
}

/**
 * Checks shape, then signature (constant-time), then expiry. A token whose signature does not
 * match is reported as such whatever its payload says: a tampered payload is never trusted.
 * Several secrets: the current one first, then those retired by a rotation.
 */
export function verifyToken(token: string, secrets: string | readonly string[], nowMs: number): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 2 || !parts.every((p) => p.length > 0 && BASE64URL.test(p)))
    return { ok: false, reason: 'malformed' };
  const [body, signature] = parts;
  const given = Buffer.from(signature, 'base64url');
  const signedBy = (secret: string) => {
    const expected = mac(secret, body);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  if (!(typeof secrets === 'string' ? [secrets] : secrets).some(signedBy))
    return { ok: false, reason: 'bad-signature' };
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!isPayload(payload)) return { ok: false, reason: 'malformed' };
  if (payload.exp * 1000 <= nowMs) return { ok: false, reason: 'expired', payload };
  return { ok: true, payload };
}
