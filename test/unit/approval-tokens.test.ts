/** Approval link tokens and the approval secret. */
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../infra/config';
import { linkPayload } from '../support/fixtures';
import { ensureSecretFile, resolveApprovalSecret, SECRET_FILE } from '../../services/approval-links/secret';
import {
  deriveNonce,
  signToken,
  verifyToken,
  type ApprovalTokenPayload,
} from '../../services/approval-links/tokens';

const SECRET = 'unit-test-secret-unit-test-secret-0123';
const NOW = Date.parse('2027-01-01T00:00:00Z');

const payload = (over: Partial<ApprovalTokenPayload> = {}): ApprovalTokenPayload =>
  linkPayload(SECRET, NOW / 1000 + 3600, over);

describe('approval tokens', () => {
  it('verify what they sign, with the payload intact', () => {
    const token = signToken(payload(), SECRET);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(verifyToken(token, SECRET, NOW)).toEqual({ ok: true, payload: payload() });
  });

  it('refuse a token signed with another secret (forged)', () => {
    expect(verifyToken(signToken(payload(), `${SECRET}-other`), SECRET, NOW)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('after a rotation, still open links signed with a retired secret, and only with those', () => {
    const retired = `${SECRET}-retired`;
    const old = signToken(payload(), retired);
    expect(verifyToken(old, [SECRET, retired], NOW)).toEqual({ ok: true, payload: payload() });
    expect(verifyToken(signToken(payload(), SECRET), [SECRET, retired], NOW)).toMatchObject({ ok: true });
    expect(verifyToken(old, [SECRET], NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyToken(signToken(payload(), 'x'.repeat(40)), [SECRET, retired], NOW)).toMatchObject({
      reason: 'bad-signature',
    });
  });

  it('refuse a payload changed after signing (tampered), whatever it now says', () => {
    const [, signature] = signToken(payload(), SECRET).split('.');
    for (const change of [{ approver: 'mallory@acme.test' }, { exp: NOW / 1000 + 1e9 }, { requestId: 'x' }]) {
      const body = Buffer.from(JSON.stringify(payload(change))).toString('base64url');
      expect(verifyToken(`${body}.${signature}`, SECRET, NOW)).toEqual({
        ok: false,
        reason: 'bad-signature',
      });
    }
  });

  it('refuse malformed tokens, including well-signed ones with a bad payload', () => {
    for (const token of ['', 'abc', 'a.b.c', 'ab$.cd', `${signToken(payload(), SECRET)}.x`]) {
      expect(verifyToken(token, SECRET, NOW)).toMatchObject({ ok: false, reason: 'malformed' });
    }
    // Properly signed, so only the content is wrong.
    const signedGarbage = (text: string) => {
      const body = Buffer.from(text).toString('base64url');
      return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
    };
    expect(verifyToken(signedGarbage('not json'), SECRET, NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyToken(signedGarbage(JSON.stringify({ ...payload(), v: 2 })), SECRET, NOW)).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(
      verifyToken(signedGarbage(JSON.stringify({ ...payload(), artefactSha256: 'short' })), SECRET, NOW),
    ).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuse an expired token but say what it was for', () => {
    const token = signToken(payload({ exp: NOW / 1000 }), SECRET);
    expect(verifyToken(token, SECRET, NOW)).toEqual({
      ok: false,
      reason: 'expired',
      payload: payload({ exp: NOW / 1000 }),
    });
    expect(verifyToken(token, SECRET, NOW - 1000).ok).toBe(true);
  });

  it('derive one nonce per programme, request and approver (e-mail case ignored)', () => {
    const n = deriveNonce(SECRET, 'p-1', 'r/1', 'Sponsor@Acme.test');
    expect(n).toBe(deriveNonce(SECRET, 'p-1', 'r/1', 'sponsor@acme.test'));
    expect(n).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const others = [
      deriveNonce(SECRET, 'p-2', 'r/1', 'sponsor@acme.test'),
      deriveNonce(SECRET, 'p-1', 'r/2', 'sponsor@acme.test'),
      deriveNonce(SECRET, 'p-1', 'r/1', 'ceo@acme.test'),
      deriveNonce(`${SECRET}x`, 'p-1', 'r/1', 'sponsor@acme.test'),
    ];
    expect(new Set([n, ...others]).size).toBe(5);
  });
});

describe('approval secret', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aimsflow-secret-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is generated once into DATA_DIR, readable by its owner only, and reused', () => {
    const data = path.join(dir, 'data');
    const first = ensureSecretFile(data);
    expect(first.length).toBeGreaterThanOrEqual(32);
    const file = path.join(data, SECRET_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(ensureSecretFile(data)).toBe(first);
    expect(fs.readdirSync(data)).toEqual([SECRET_FILE]);
  });

  it('comes from APPROVAL_SECRET when set, and a bad file is an error rather than a silent new secret', () => {
    expect(resolveApprovalSecret({ approvalSecret: SECRET, dataDir: dir })).toBe(SECRET);
    expect(fs.existsSync(path.join(dir, SECRET_FILE))).toBe(false);
    fs.writeFileSync(path.join(dir, SECRET_FILE), 'short\n');
    expect(() => ensureSecretFile(dir)).toThrow(/no usable approval secret/);
  });
});

describe('approval secret settings', () => {
  it('refuse the placeholder the compose file once published, and any "change me" secret', () => {
    for (const secret of [
      'development-only-approval-secret-change-me',
      'please-change-me-please-change-me-0123',
    ]) {
      expect(() => loadConfig({ APPROVAL_SECRET: secret })).toThrow(ConfigError);
      expect(() => loadConfig({ APPROVAL_SECRET_PREVIOUS: `${SECRET},${secret}` })).toThrow(
        /APPROVAL_SECRET_PREVIOUS.*published placeholder/s,
      );
    }
    expect(() => loadConfig({ APPROVAL_SECRET: 'development-only-approval-secret-change-me' })).toThrow(
      /APPROVAL_SECRET: is a published placeholder/,
    );
  });

  it('read an empty APPROVAL_SECRET as unset (generated), and retired secrets as a list', () => {
    expect(loadConfig({ APPROVAL_SECRET: '' }).mail).toMatchObject({
      approvalSecret: undefined,
      previousApprovalSecrets: [],
    });
    const other = 'another-secret-of-at-least-thirty-two-chars';
    expect(
      loadConfig({ APPROVAL_SECRET: SECRET, APPROVAL_SECRET_PREVIOUS: ` ${other} , ` }).mail,
    ).toMatchObject({
      approvalSecret: SECRET,
      previousApprovalSecrets: [other],
    });
    expect(() => loadConfig({ APPROVAL_SECRET_PREVIOUS: 'short' })).toThrow(/at least 32/);
  });
});
