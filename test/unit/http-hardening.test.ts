/**
 * What protects the API besides roles: rate limits on failed authentication and on approval
 * links, security headers, the approval form's anti-forgery token, logs without credentials,
 * and startup validation of the settings behind them.
 */
import pino from 'pino';
import { LOG_REDACTION } from '../../api/security';
import { signToken } from '../../services/approval-links/tokens';
import { ConfigError, loadConfig } from '../../infra/config';
import { linkPayload } from '../support/fixtures';
import { APPROVAL_SECRET, startSecuredApp, type SecuredApp } from '../support/secured-app';

const PROGRAMMES = '/programmes';
/** Shaped like a real link token (payload.signature); the secret differs, so it is refused. */
const LINK_TOKEN = `${Buffer.from('{"programmeId":"p"}').toString('base64url')}.c2lnbmF0dXJlLW9mLXRoZS1saW5r`;

let app: SecuredApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${app?.base}${path}`, { headers });

async function problem(res: Response, status: number): Promise<{ type: string; detail: string }> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await res.json()) as { type: string; detail: string };
}

describe('rate limits', () => {
  test('failed authentications from one address are limited; a valid key from that address still passes', async () => {
    app = await startSecuredApp({ authFailureLimit: { limit: 3, windowMs: 60_000 } });
    for (let i = 1; i <= 3; i++) {
      const res = await get(PROGRAMMES, { authorization: `Bearer wrong-${i}` });
      await problem(res, 401);
      expect(res.headers.get('ratelimit')).toMatch(new RegExp(`r=${3 - i}\\b`));
      expect(res.headers.get('ratelimit-policy')).toMatch(/q=3; w=60/);
    }
    const limited = await get(PROGRAMMES, { authorization: 'Bearer wrong-4' });
    expect((await problem(limited, 429)).type).toMatch(/too-many-requests$/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await problem(await get(PROGRAMMES, { authorization: 'Bearer wrong-5' }), 429)).detail).toMatch(
      /failed authentications/,
    );
    // Behind NAT or a proxy, someone else's bad keys must not lock out the holders of good ones.
    expect((await get('/api-keys', app.keys.header('admin'))).status).toBe(200);
    await problem(await get(PROGRAMMES, { authorization: 'Bearer wrong-6' }), 429);
  });

  test('successful and anonymous requests do not count as failed authentications', async () => {
    app = await startSecuredApp({ authFailureLimit: { limit: 2, windowMs: 60_000 } });
    for (let i = 0; i < 5; i++) {
      expect((await get('/openapi.json', app.keys.header('auditor'))).status).toBe(200);
      await problem(await get(PROGRAMMES), 401);
      await problem(await get('/metrics', app.keys.header('auditor')), 403);
    }
    expect((await get('/api-keys', app.keys.header('admin'))).status).toBe(200);
  });

  test('approval-link requests are limited per address, with RateLimit headers and a 429 problem', async () => {
    app = await startSecuredApp({ approvalLinkLimit: { limit: 2, windowMs: 60_000 } });
    for (let i = 0; i < 2; i++) {
      const res = await get(`/approvals/${LINK_TOKEN}`);
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/This link is not valid/);
    }
    const limited = await get(`/approvals/${LINK_TOKEN}`);
    expect((await problem(limited, 429)).type).toMatch(/too-many-requests$/);
    expect(limited.headers.get('ratelimit-policy')).toMatch(/q=2; w=60/);
    // The form shares the budget of the page.
    const post = await fetch(`${app.base}/approvals/${LINK_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'outcome=approved',
    });
    await problem(post, 429);
  });
});

describe('security headers', () => {
  test('every response carries them; the approval pages keep their own stricter policy', async () => {
    app = await startSecuredApp();
    const health = await get('/healthz');
    expect(health.status).toBe(200);
    expect(health.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    expect(health.headers.get('x-frame-options')).toBe('DENY');
    expect(health.headers.get('strict-transport-security')).toMatch(/max-age=/);
    expect(health.headers.get('referrer-policy')).toBe('no-referrer');
    expect(health.headers.get('x-powered-by')).toBeNull();
    const refused = await get(PROGRAMMES);
    expect(refused.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    const page = await get(`/approvals/${LINK_TOKEN}`);
    expect(page.headers.get('content-security-policy')).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    expect(page.headers.get('cache-control')).toBe('no-store');
  });
});

describe('approval form token', () => {
  test('the page sets an HttpOnly, SameSite=Strict cookie scoped to its link; the form needs it', async () => {
    app = await startSecuredApp();
    // Genuine (signed with the app's secret), so the form check is what decides.
    const genuine = signToken(
      linkPayload(APPROVAL_SECRET, Math.floor(Date.now() / 1000) + 3600),
      APPROVAL_SECRET,
    );
    const url = `${app.base}/approvals/${genuine}`;
    const page = await fetch(url);
    await page.text();
    const cookie = page.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(
      new RegExp(
        `^aimsflow-form=[0-9a-f]+\\.[0-9a-f]+; Path=/approvals/${genuine.replace('.', '\\.')}; HttpOnly; SameSite=Strict$`,
      ),
    );
    const [pair] = cookie.split(';');
    const token = pair.slice(pair.indexOf('=') + 1);

    const form = (body: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(body).toString(),
      });
    const refused = async (res: Response) => {
      // A browser posted it: the refusal is a page, like every other answer of the link.
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await res.text()).toMatch(/data-problem="form-invalid"/);
    };
    await refused(await form({ outcome: 'approved' }));
    await refused(await form({ outcome: 'approved', _csrf: token }));
    await refused(await form({ outcome: 'approved', _csrf: `${token}0` }, { cookie: pair }));
    // A token issued for another link does not carry over.
    const other = await fetch(`${url}x`);
    await other.text();
    const otherPair = (other.headers.get('set-cookie') ?? '').split(';')[0];
    const otherToken = otherPair.slice(otherPair.indexOf('=') + 1);
    await refused(await form({ outcome: 'approved', _csrf: otherToken }, { cookie: otherPair }));
    // With the pair the page handed out, the request reaches the stores (all down in this app).
    const passed = await form({ outcome: 'approved', _csrf: token }, { cookie: pair });
    expect(passed.status).toBe(503);
    expect(await passed.text()).toMatch(/data-problem="unavailable"/);
  });

  test('a link that is not genuine is "not valid", whatever the form carries; no answer echoes the token', async () => {
    app = await startSecuredApp();
    for (const token of [LINK_TOKEN, 'garbage', 'a.b']) {
      const res = await fetch(`${app.base}/approvals/${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'outcome=approved',
      });
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toMatch(/This link is not valid/);
      expect(html).not.toContain(token);
    }
    // A problem document names the path it answers, without the credential in it.
    const big = await fetch(`${app.base}/approvals/${LINK_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'x'.repeat(20_000),
    });
    const doc = (await big.json()) as { instance: string };
    expect(big.status).toBe(413);
    expect(doc.instance).toBe('/approvals/[redacted]');
  });
});

describe('form bodies the approval page never sends', () => {
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${app?.base}/approvals/${LINK_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });

  test('more fields than the form has: 400 problem, not 500', async () => {
    app = await startSecuredApp();
    const fields = new URLSearchParams(
      Array.from({ length: 12 }, (_, i): [string, string] => [`f${i}`, 'x']),
    ).toString();
    const res = await post(fields);
    const body = await problem(res, 400);
    expect(body.detail).toMatch(/more fields/);
  });

  test('a body that is not what its Content-Encoding says: 400 problem, not 500', async () => {
    app = await startSecuredApp();
    for (const encoding of ['gzip', 'deflate']) {
      const body = await problem(await post('outcome=approved', { 'content-encoding': encoding }), 400);
      expect(body.detail).toMatch(/Content-Encoding/);
    }
  });
});

describe('logs', () => {
  test('neither API keys nor approval tokens reach the access log', async () => {
    const lines: string[] = [];
    app = await startSecuredApp({
      logger: pino({ level: 'info' }, { write: (l: string) => void lines.push(l) }),
    });
    const key = app.keys.key('admin');
    expect((await get('/api-keys', { authorization: `Bearer ${key}` })).status).toBe(200);
    await get(PROGRAMMES, { authorization: `Bearer ${key.slice(0, -1)}x` });
    await (await get(`/approvals/${LINK_TOKEN}?utm_source=mail`)).text();
    const created = await fetch(`${app.base}/api-keys`, {
      method: 'POST',
      headers: { ...app.keys.header('admin'), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ci', role: 'contributor' }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const newKey = ((await created.json()) as { key: string }).key;

    const log = lines.join('');
    const secretOf = (k: string) => k.slice('aimsflow_0123456789abcdef_'.length);
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(log).toContain('/approvals/[redacted]');
    for (const secret of [key, secretOf(key), LINK_TOKEN, LINK_TOKEN.split('.')[1], newKey, secretOf(newKey)])
      expect(log).not.toContain(secret);
  });

  test('the logger configuration censors credentials wherever they are logged', () => {
    const lines: string[] = [];
    const logger = pino({ redact: LOG_REDACTION }, { write: (l: string) => void lines.push(l) });
    logger.info(
      {
        req: { headers: { authorization: 'Bearer aimsflow_k', cookie: 'aimsflow-form=c' } },
        mail: { smtpUrl: 'smtps://user:hunter2@mail.example.com:465', password: 'hunter2' },
        apiKey: 'aimsflow_k2',
        link: { token: 'tok3n' },
      },
      'something happened',
    );
    const line = lines.join('');
    expect(line).toContain('something happened');
    expect(line).toContain('[redacted]');
    expect(line).not.toMatch(/aimsflow_k|aimsflow-form=c|hunter2|tok3n/);
  });
});

describe('configuration of the limits', () => {
  test('defaults: 20 failed authentications per 15 minutes, 60 link requests a minute, no proxy trusted', () => {
    expect(loadConfig({}).security).toEqual({
      authFailures: { limit: 20, windowMs: 900_000 },
      approvalLinks: { limit: 60, windowMs: 60_000 },
      trustProxy: undefined,
      secureCookies: false,
    });
    expect(
      loadConfig({
        AUTH_FAILURE_LIMIT: '5',
        AUTH_FAILURE_WINDOW_SECONDS: '60',
        APPROVAL_LINK_RATE_LIMIT: '10',
        APPROVAL_LINK_RATE_WINDOW_SECONDS: '30',
        TRUST_PROXY: 'loopback, 10.0.0.0/8',
        PUBLIC_BASE_URL: 'https://aims.example.com',
      }).security,
    ).toEqual({
      authFailures: { limit: 5, windowMs: 60_000 },
      approvalLinks: { limit: 10, windowMs: 30_000 },
      trustProxy: 'loopback, 10.0.0.0/8',
      secureCookies: true,
    });
    expect(loadConfig({ TRUST_PROXY: '1' }).security.trustProxy).toBe(1);
  });

  test.each([
    ['AUTH_FAILURE_LIMIT', 'lots', /AUTH_FAILURE_LIMIT: must be a whole number from 1 to 100000/],
    [
      'AUTH_FAILURE_WINDOW_SECONDS',
      '0',
      /AUTH_FAILURE_WINDOW_SECONDS: must be a whole number from 1 to 86400/,
    ],
    ['APPROVAL_LINK_RATE_LIMIT', '2.5', /APPROVAL_LINK_RATE_LIMIT: must be a whole number/],
    ['APPROVAL_LINK_RATE_WINDOW_SECONDS', '-1', /APPROVAL_LINK_RATE_WINDOW_SECONDS: must be a whole number/],
    ['TRUST_PROXY', 'yes please!', /TRUST_PROXY: must be true, false, a hop count/],
  ])('%s=%s stops startup with a message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  test('every bad value is reported at once', () => {
    expect(() => loadConfig({ AUTH_FAILURE_LIMIT: 'x', APPROVAL_LINK_RATE_LIMIT: '0' })).toThrow(
      /AUTH_FAILURE_LIMIT[\s\S]*APPROVAL_LINK_RATE_LIMIT/,
    );
  });
});
