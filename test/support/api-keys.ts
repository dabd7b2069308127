/**
 * API keys for tests that build the app without a database: the same key format and hash check
 * as db/api-key-store.ts, held in memory, with one ready-made key per role.
 */
import {
  issueKey,
  parseKey,
  revokingLeavesNoAdmin,
  secretMatches,
  type RevokeOutcome,
  type ApiKeyInfo,
  type KeyHolder,
  type NewApiKey,
} from '../../db/api-key-store';
import type { Authenticator } from '../../api/auth';
import type { ApiKeyAdmin } from '../../api/routes/api-keys';
import { ROLES, type Role } from '../../domain/roles';

export class MemoryApiKeys implements Authenticator, ApiKeyAdmin {
  private readonly rows = new Map<string, ApiKeyInfo & { secretSha256: string }>();
  private readonly roleKeys = new Map<Role, string>();

  /** With one key per role, named after it; `header(role)` sends it. */
  static withRoleKeys(): MemoryApiKeys {
    const keys = new MemoryApiKeys();
    for (const role of ROLES)
      keys.roleKeys.set(
        role,
        keys.add({ name: role, role, createdBy: 'test', recordsForOthers: role === 'admin' }).key,
      );
    return keys;
  }

  private add(input: NewApiKey): { key: string; info: ApiKeyInfo } {
    const issued = issueKey();
    const info: ApiKeyInfo = {
      id: issued.id,
      ...input,
      holder: input.holder ?? null,
      recordsForOthers: input.recordsForOthers ?? false,
      createdAt: new Date().toISOString(),
      revokedAt: null,
      lastUsedAt: null,
    };
    this.rows.set(issued.id, { ...info, secretSha256: issued.secretSha256 });
    return { key: issued.key, info };
  }

  /** The key of the ready-made key with this role. */
  key(role: Role): string {
    const key = this.roleKeys.get(role);
    if (!key) throw new Error(`no test key for ${role}`);
    return key;
  }

  header(role: Role = 'admin'): { authorization: string } {
    return { authorization: `Bearer ${this.key(role)}` };
  }

  create(input: NewApiKey): Promise<{ key: string; info: ApiKeyInfo }> {
    return Promise.resolve(this.add(input));
  }

  list(): Promise<ApiKeyInfo[]> {
    return Promise.resolve([...this.rows.values()].map(({ secretSha256: _h, ...info }) => info));
  }

  revoke(id: string): Promise<RevokeOutcome> {
    const row = this.rows.get(id);
    if (!row) return Promise.resolve('not-found');
    const working = [...this.rows.values()].filter((r) => r.revokedAt === null);
    if (row.revokedAt === null && revokingLeavesNoAdmin(row, working)) return Promise.resolve('last-admin');
    if (row.revokedAt === null) row.revokedAt = new Date().toISOString();
    return Promise.resolve('revoked');
  }

  authenticate(key: string): Promise<KeyHolder | undefined> {
    const parsed = parseKey(key);
    const row = parsed && this.rows.get(parsed.id);
    if (!parsed || !row || row.revokedAt !== null || !secretMatches(parsed.secret, row.secretSha256))
      return Promise.resolve(undefined);
    return Promise.resolve({
      id: row.id,
      role: row.role,
      ...(row.holder && { holder: row.holder }),
      ...(row.recordsForOthers && { recordsForOthers: true }),
    });
  }
}
