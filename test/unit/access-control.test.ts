/**
 * Every operation the OpenAPI document publishes, called as anonymous, with each role it does
 * not allow, and with one it allows. The document is the contract clients read, so this proves
 * the contract and the enforcement agree, route by route, without a list to keep in step.
 */
import { ROLES, type Role } from '../../domain/roles';
import { startSecuredApp, type SecuredApp } from '../support/secured-app';

interface Operation {
  operationId: string;
  security?: Record<string, string[]>[];
  'x-roles'?: Role[];
  'x-access'?: string;
}

interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes?: Record<string, { type: string; scheme: string }> };
}

interface Call {
  method: string;
  path: string;
  url: string;
  operation: Operation;
}

let app: SecuredApp;
let calls: Call[];

/** A value each path parameter accepts, so that only access decides the answer. */
const SAMPLE: Record<string, string> = {
  id: '5b0c2f7e-2f4e-4f6a-9a53-0c1d2e3f4a5b',
  keyId: '0123456789abcdef',
  token: 'not-a-real-token',
};

beforeAll(async () => {
  app = await startSecuredApp();
  const res = await fetch(`${app.base}/openapi.json`);
  expect(res.status).toBe(200);
  const document = (await res.json()) as Document;
  expect(document.components.securitySchemes?.bearerAuth).toEqual(
    expect.objectContaining({ type: 'http', scheme: 'bearer' }),
  );
  calls = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      url: app.base + path.replace(/\{([^}]+)\}/g, (_m, name: string) => SAMPLE[name] ?? 'x1'),
      operation,
    })),
  );
});

afterAll(() => app.close());

const isProtected = (c: Call) => (c.operation.security ?? []).length > 0;
const writes = (c: Call) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(c.method);

/** Sent with a JSON body that does not even parse: a 400 would mean parsing ran before auth. */
function send(c: Call, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(c.url, {
    method: c.method,
    headers: writes(c) ? { ...headers, 'content-type': 'application/json' } : headers,
    body: writes(c) ? '{"garbage": ' : undefined,
  });
}

async function problemType(res: Response): Promise<string> {
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return ((await res.json()) as { type: string }).type;
}

test('every operation says who may call it: bearer roles, or why it needs no key', () => {
  expect(calls.length).toBeGreaterThan(60);
  for (const c of calls) {
    const where = `${c.method} ${c.path}`;
    if (isProtected(c)) {
      expect({ where, security: c.operation.security }).toEqual({ where, security: [{ bearerAuth: [] }] });
      const roles = c.operation['x-roles'] ?? [];
      expect({ where, roles: roles.length > 0 && roles.every((r) => ROLES.includes(r)) }).toEqual({
        where,
        roles: true,
      });
    } else {
      expect({ where, access: c.operation['x-access'] }).toEqual({
        where,
        access: expect.stringMatching(/^(public|approval-link)$/) as unknown,
      });
    }
  }
});

test('the only writes without an API key are the approval-link forms', () => {
  const openWrites = calls.filter((c) => !isProtected(c) && writes(c));
  expect(openWrites.map((c) => [c.method, c.path, c.operation['x-access']])).toEqual([
    ['POST', '/approvals/{token}', 'approval-link'],
  ]);
});

test('every protected operation refuses anonymous calls with 401 and a Bearer challenge, before parsing', async () => {
  const refused: string[] = [];
  for (const c of calls.filter(isProtected)) {
    const res = await send(c);
    expect({ op: c.operation.operationId, status: res.status }).toEqual({
      op: c.operation.operationId,
      status: 401,
    });
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await problemType(res)).toMatch(/unauthorized$/);
    refused.push(c.operation.operationId);
  }
  expect(refused.length).toBe(calls.filter(isProtected).length);
});

test('every protected operation refuses each role it does not list with 403 naming the roles, before parsing', async () => {
  let checked = 0;
  for (const c of calls.filter(isProtected)) {
    const allowed = c.operation['x-roles'] ?? [];
    for (const role of ROLES.filter((r) => !allowed.includes(r))) {
      const res = await send(c, app.keys.header(role));
      expect({ op: c.operation.operationId, role, status: res.status }).toEqual({
        op: c.operation.operationId,
        role,
        status: 403,
      });
      const body = (await res.json()) as { type: string; requiredRoles: string[] };
      expect(body.type).toMatch(/forbidden$/);
      expect(body.requiredRoles).toEqual(allowed);
      checked++;
    }
  }
  // Admin-only and operator routes alone make this far more than a handful.
  expect(checked).toBeGreaterThan(100);
});

test('every protected operation lets each role it lists past authentication', async () => {
  for (const c of calls.filter(isProtected)) {
    for (const role of c.operation['x-roles'] ?? []) {
      const res = await send(c, app.keys.header(role));
      await res.arrayBuffer();
      // Past auth the request meets validation or the (unavailable) dependencies: anything but 401/403.
      expect({ op: c.operation.operationId, role, refused: [401, 403].includes(res.status) }).toEqual({
        op: c.operation.operationId,
        role,
        refused: false,
      });
    }
  }
});

test('a malformed, unknown or revoked key is a 401 like no key at all', async () => {
  const list = calls.find((c) => c.operation.operationId === 'listProgrammes');
  if (!list) throw new Error('listProgrammes is not in the document');
  const created = await app.keys.create({ name: 'short-lived', role: 'auditor', createdBy: 'test' });
  expect((await send(list, { authorization: `Bearer ${created.key}` })).status).not.toBe(401);
  await app.keys.revoke(created.info.id);
  const unknown = created.key.replace(/_[0-9a-f]{16}_/, '_ffffffffffffffff_');
  const wrongSecret = created.key.slice(0, -4) + 'AAAA';
  for (const authorization of [
    `Bearer ${created.key}`,
    `Bearer ${unknown}`,
    `Bearer ${app.keys.key('admin').slice(0, -4)}AAAA`,
    `Bearer ${wrongSecret}`,
    'Bearer not-a-key',
    `Basic ${Buffer.from('admin:admin').toString('base64')}`,
  ]) {
    const res = await send(list, { authorization });
    expect({ authorization, status: res.status }).toEqual({ authorization, status: 401 });
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    await res.arrayBuffer();
  }
});

test('who submits what, as a real organisation works: contributors draft what approvers then decide', () => {
  const roles = (operationId: string) =>
    calls.find((c) => c.operation.operationId === operationId)?.operation['x-roles'];
  // Drafts that go through an approval gate: the compliance team writes them, management approves.
  for (const op of ['submitPolicy', 'submitRiskTreatmentPlan', 'submitSoa', 'submitImpactAssessment'])
    expect({ op, roles: roles(op) }).toEqual({ op, roles: ['admin', 'programme-manager', 'contributor'] });
  // Steering stays with programme managers: what the AIMS covers, and the record of certification.
  for (const op of ['submitScope', 'decide', 'recordCertificationDecision', 'withdraw'])
    expect({ op, roles: roles(op) }).toEqual({ op, roles: ['admin', 'programme-manager'] });
});
