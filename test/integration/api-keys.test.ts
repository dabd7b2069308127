/**
 * API keys on real parts (Temporal dev server, worker, API, SQLite and MariaDB): a key created
 * through the endpoint works at once and stops at once when revoked; the table holds a hash,
 * never the secret; the CLI makes keys the API accepts; and the full stack's route table
 * (every feature module as production wires it) refuses anonymous calls on protected routes.
 */
import { createHash } from 'node:crypto';
import { createAuditTrail } from '../../services/audit-trail';
import { SERVICE_CHAIN } from '../../domain/audit-chain';
import { runKeysCommand, bootstrapAdminKey } from '../../scripts/api-keys';
import { testDatabases } from '../support/databases';
import { http } from '../support/http-port';
import { startStack, type Stack } from '../support/stack';
import { useLocalTemporal } from '../support/temporal';

const temporal = useLocalTemporal();

interface CreatedKey {
  id: string;
  name: string;
  role: string;
  key: string;
  createdBy: string;
}

describe.each(testDatabases())('API keys on $name', (db) => {
  let stack: Stack;
  let databaseUrl: string;
  const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    http(stack.baseUrl(), method, path, body, headers);
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
  /** The part after aimsflow_<id>_ (base64url, so it may itself contain _). */
  const secretOf = (key: string) => key.slice('aimsflow_0123456789abcdef_'.length);
  /** /metrics answers in Prometheus text, not JSON. */
  const metricsStatus = async (key: string) => {
    const res = await fetch(`${stack.baseUrl()}/metrics`, { headers: bearer(key) });
    await res.text();
    return res.status;
  };

  beforeAll(async () => {
    databaseUrl = await db.freshDatabase('apikeys');
    stack = await startStack({
      address: temporal.env.address,
      databaseUrl,
      workflowBundle: temporal.bundle,
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await db.cleanup();
  });

  test('created by an admin it works at once; revoked it is refused at once; the row holds only a hash', async () => {
    const created = await api(
      'POST',
      '/api-keys',
      { name: 'ci pipeline', role: 'contributor' },
      stack.authHeader(),
    );
    expect(created.status).toBe(201);
    const key = created.body as CreatedKey;
    expect(key).toMatchObject({ name: 'ci pipeline', role: 'contributor' });
    expect(key.key).toMatch(new RegExp(`^aimsflow_${key.id}_[A-Za-z0-9_-]{43}$`));
    expect(created.headers.get('location')).toBe(`/api-keys/${key.id}`);
    // Made by the stack's admin key, whose id is the one the API authenticated.
    const admins = (
      (await api('GET', '/api-keys', undefined, stack.authHeader())).body as { items: CreatedKey[] }
    ).items;
    expect(admins.find((k) => k.id === key.createdBy)?.role).toBe('admin');
    expect(admins.every((k) => !('key' in k) && !('secretSha256' in k))).toBe(true);

    expect((await api('GET', '/programmes', undefined, bearer(key.key))).status).toBe(200);
    // A contributor may not manage keys.
    expect((await api('GET', '/api-keys', undefined, bearer(key.key))).status).toBe(403);

    const rows = await stack
      .dataSource()
      .query<Record<string, unknown>[]>('SELECT * FROM api_keys WHERE id = ?', [key.id]);
    expect(rows).toHaveLength(1);
    const secret = secretOf(key.key);
    expect(rows[0].secret_sha256).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(rows[0].last_used_at).not.toBeNull();

    const revoked = await api('DELETE', `/api-keys/${key.id}`, undefined, stack.authHeader());
    expect(revoked.status).toBe(204);
    const refused = await api('GET', '/programmes', undefined, bearer(key.key));
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
    // Revoking again changes nothing; an unknown key id is a 404.
    expect((await api('DELETE', `/api-keys/${key.id}`, undefined, stack.authHeader())).status).toBe(204);
    expect((await api('DELETE', '/api-keys/ffffffffffffffff', undefined, stack.authHeader())).status).toBe(
      404,
    );
    const listed = (
      (await api('GET', '/api-keys', undefined, stack.authHeader())).body as {
        items: { id: string; revokedAt: string | null }[];
      }
    ).items.find((k) => k.id === key.id);
    expect(listed?.revokedAt).toEqual(expect.any(String));
  });

  test('the CLI creates a key the API accepts, lists it, and revokes it', async () => {
    const out = await runKeysCommand(['create', '--name', 'ops', '--role', 'operator'], databaseUrl);
    const key = /^(aimsflow_[0-9a-f]{16}_\S+)$/m.exec(out)?.[1];
    expect(key).toBeDefined();
    const id = (key as string).split('_')[1];
    expect(await metricsStatus(key as string)).toBe(200);
    expect((await api('GET', '/programmes', undefined, bearer(key as string))).status).toBe(403);

    const listed = await runKeysCommand(['list'], databaseUrl);
    expect(listed).toMatch(new RegExp(`^${id}\\s+operator\\s+ops\\s+created .* by cli`, 'm'));
    expect(listed).not.toContain(secretOf(key as string));

    expect(await runKeysCommand(['revoke', id], databaseUrl)).toBe(`revoked ${id}`);
    expect(await metricsStatus(key as string)).toBe(401);
    // Key management from the shell lands in the service's audit chain like the endpoints' does.
    const serviceChain = await createAuditTrail(stack.dataSource()).list(SERVICE_CHAIN);
    expect(
      serviceChain.filter((e) => e.subject === id).map((e) => [e.action, e.actorId, e.actorRole]),
    ).toEqual([
      ['apikey.created', 'cli', 'admin'],
      ['apikey.revoked', 'cli', 'admin'],
    ]);
    await expect(runKeysCommand(['create', '--name', 'x', '--role', 'root'], databaseUrl)).rejects.toThrow(
      /--role/,
    );
    await expect(runKeysCommand(['revoke', 'ffffffffffffffff'], databaseUrl)).rejects.toThrow(/no API key/);
  });

  test('the last working admin key cannot be revoked, by the API or the CLI; the key in use needs ?confirm=self', async () => {
    const adminId = (
      (await api('GET', '/api-keys', undefined, stack.authHeader())).body as {
        items: { id: string; role: string; revokedAt: string | null }[];
      }
    ).items
      .filter((k) => k.role === 'admin' && k.revokedAt === null)
      .map((k) => k.id);
    expect(adminId).toHaveLength(1);
    const [self] = adminId;

    const unconfirmed = await api('DELETE', `/api-keys/${self}`, undefined, stack.authHeader());
    expect(unconfirmed.status).toBe(409);
    expect(unconfirmed.body).toMatchObject({
      type: expect.stringMatching(/confirmation-required$/) as unknown,
    });
    const last = await api('DELETE', `/api-keys/${self}?confirm=self`, undefined, stack.authHeader());
    expect(last.status).toBe(409);
    expect(last.body).toMatchObject({
      type: expect.stringMatching(/last-admin-key$/) as unknown,
      detail: expect.stringMatching(/last working admin key/) as unknown,
    });
    await expect(runKeysCommand(['revoke', self], databaseUrl)).rejects.toThrow(/last working admin key/);
    expect((await api('GET', '/api-keys', undefined, stack.authHeader())).status).toBe(200);

    // With a second admin, either may go; the survivor is then the last one.
    const second = (
      await api('POST', '/api-keys', { name: 'second admin', role: 'admin' }, stack.authHeader())
    ).body as CreatedKey;
    expect(
      (await api('DELETE', `/api-keys/${second.id}?confirm=self`, undefined, bearer(second.key))).status,
    ).toBe(204);
    expect((await api('GET', '/api-keys', undefined, bearer(second.key))).status).toBe(401);
    expect(
      (await api('DELETE', `/api-keys/${self}?confirm=self`, undefined, stack.authHeader())).status,
    ).toBe(409);
  });

  test('npm start makes a first admin key only while the table is empty', async () => {
    // The stack's own keys are there already.
    expect(await bootstrapAdminKey(databaseUrl)).toBeUndefined();
    const empty = await db.freshDatabase('apikeys_bootstrap');
    const first = await bootstrapAdminKey(empty);
    expect(first).toMatch(/^aimsflow_[0-9a-f]{16}_/);
    expect(await bootstrapAdminKey(empty)).toBeUndefined();
    expect(await runKeysCommand(['list'], empty)).toMatch(
      /admin\s+first admin \(npm start\)\s+created .* by bootstrap/,
    );
  });

  test('every protected route of the full stack refuses an anonymous call', async () => {
    const document = (await api('GET', '/openapi.json')).body as {
      paths: Record<string, Record<string, { security: unknown[]; operationId: string }>>;
    };
    const protectedOps = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, op]) => op.security.length > 0)
        .map(([method, op]) => ({ method, path, op })),
    );
    expect(protectedOps.length).toBeGreaterThan(60);
    for (const { method, path, op } of protectedOps) {
      const url = path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
      const res = await fetch(`${stack.baseUrl()}${url}`, { method: method.toUpperCase() });
      await res.arrayBuffer();
      expect({ op: op.operationId, status: res.status }).toEqual({ op: op.operationId, status: 401 });
    }
  });
});
