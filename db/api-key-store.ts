/**
 * API keys. A key reads `aimsflow_<id>_<secret>`: the id finds the row, and the secret is
 * checked against the SHA-256 stored there with a constant-time comparison. The secret itself
 * is shown once, when the key is created, and never stored.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { EntitySchema, IsNull, type DataSource } from 'typeorm';
import { ROLES, type Role } from '../domain/roles';
import type { DatabaseKind } from './database-url';
import { entityColumns } from './entities';
import { sqliteQueueFor, type SerialQueue } from './serial-queue';

export interface ApiKeyRow {
  id: string;
  name: string;
  role: Role;
  secretSha256: string;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  /** The person who holds the key: decisions it records without `onBehalfOf` must be theirs. */
  holder: string | null;
  /** May record decisions that approvers made elsewhere (with evidence), on their behalf. */
  recordsForOthers: boolean;
}

/** What may be shown about a key: everything but its hash. */
export type ApiKeyInfo = Omit<ApiKeyRow, 'secretSha256'>;

export interface NewApiKey {
  name: string;
  role: Role;
  holder?: string;
  recordsForOthers?: boolean;
  /** Who created it: the id of the admin key, or `cli` / `bootstrap`. */
  createdBy: string;
}

/** What revoking a key did: revoked (now or before), no such key, or refused as the last admin key. */
export type RevokeOutcome = 'revoked' | 'not-found' | 'last-admin';

/** Whether revoking `key` would leave none of the `working` keys (unrevoked, `key` among them) an admin. */
export function revokingLeavesNoAdmin(
  key: Pick<ApiKeyRow, 'id' | 'role'>,
  working: Pick<ApiKeyRow, 'id' | 'role'>[],
) {
  return key.role === 'admin' && !working.some((k) => k.role === 'admin' && k.id !== key.id);
}

/** The authenticated holder of a key. */
export interface KeyHolder {
  id: string;
  role: Role;
  holder?: string;
  recordsForOthers?: boolean;
}

const ENTITY = 'ApiKey';
const PREFIX = 'aimsflow';
const KEY_PATTERN = /^aimsflow_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
/** Writing last_used_at on every request would turn each read into a write; once a minute is enough. */
const LAST_USED_RESOLUTION_MS = 60_000;

export function buildApiKeyEntity(kind: DatabaseKind): EntitySchema<ApiKeyRow> {
  const c = entityColumns(kind);
  return new EntitySchema<ApiKeyRow>({
    name: ENTITY,
    tableName: 'api_keys',
    columns: {
      id: c.id('id', 32),
      name: c.text('name', 100),
      role: c.text('role', 40),
      secretSha256: c.text('secret_sha256', 64),
      createdAt: c.timestamp('created_at'),
      createdBy: c.text('created_by', 100),
      revokedAt: c.timestamp('revoked_at', true),
      lastUsedAt: c.timestamp('last_used_at', true),
      holder: c.text('holder', 320, true),
      recordsForOthers: { ...c.bool('records_for_others'), default: false },
    },
    indices: [{ name: 'IDX_api_keys_created', columns: ['createdAt'] }],
  });
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** A fresh key: its id, the full key to hand over once, and the hash to store. */
export function issueKey(): { id: string; key: string; secretSha256: string } {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, key: `${PREFIX}_${id}_${secret}`, secretSha256: sha256(secret) };
}

/** Splits a presented key into id and secret; undefined when it cannot be one of ours. */
export function parseKey(key: string): { id: string; secret: string } | undefined {
  const match = KEY_PATTERN.exec(key);
  return match ? { id: match[1], secret: match[2] } : undefined;
}

/** Whether `secret` hashes to `expectedSha256`, in time independent of where they differ. */
export function secretMatches(secret: string, expectedSha256: string): boolean {
  const actual = Buffer.from(sha256(secret), 'hex');
  const expected = Buffer.from(expectedSha256, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

function info(row: ApiKeyRow): ApiKeyInfo {
  const { secretSha256: _hash, ...rest } = row;
  return rest;
}

export class ApiKeyStore {
  private readonly queue: SerialQueue | null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.queue = sqliteQueueFor(dataSource);
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.queue ? this.queue.run(task) : task();
  }

  private get repo() {
    return this.dataSource.manager.getRepository<ApiKeyRow>(ENTITY);
  }

  /** Stores a new key; the returned `key` is the only time its secret exists outside the caller. */
  async create(input: NewApiKey): Promise<{ key: string; info: ApiKeyInfo }> {
    const issued = issueKey();
    const row: ApiKeyRow = {
      id: issued.id,
      name: input.name,
      role: input.role,
      secretSha256: issued.secretSha256,
      createdAt: this.now().toISOString(),
      createdBy: input.createdBy,
      revokedAt: null,
      lastUsedAt: null,
      holder: input.holder ?? null,
      recordsForOthers: input.recordsForOthers ?? false,
    };
    await this.exclusive(() => this.repo.insert(row));
    return { key: issued.key, info: info(row) };
  }

  async list(): Promise<ApiKeyInfo[]> {
    const rows = await this.exclusive(() => this.repo.find({ order: { createdAt: 'ASC', id: 'ASC' } }));
    return rows.map(info);
  }

  async get(id: string): Promise<ApiKeyInfo | undefined> {
    const row = await this.exclusive(() => this.repo.findOneBy({ id }));
    return row ? info(row) : undefined;
  }

  /**
   * Revokes a key; revoking it again keeps the first time. Refuses to revoke the last working
   * admin key, which would leave nobody able to manage keys through the API. The check and the
   * write are one transaction that locks the working admin keys (on SQLite the write queue
   * serialises it), so two admins revoking each other at once cannot both succeed.
   */
  async revoke(id: string): Promise<RevokeOutcome> {
    const sqlite = this.queue !== undefined;
    return this.exclusive(() =>
      this.dataSource.transaction(async (manager) => {
        const repo = manager.getRepository<ApiKeyRow>(ENTITY);
        const row = await repo.findOneBy({ id });
        if (!row) return 'not-found';
        if (row.revokedAt !== null) return 'revoked';
        if (row.role === 'admin') {
          const admins = await repo.find({
            where: { role: 'admin', revokedAt: IsNull() },
            ...(sqlite ? {} : { lock: { mode: 'pessimistic_write' as const } }),
          });
          if (revokingLeavesNoAdmin(row, admins)) return 'last-admin';
        }
        await repo.update({ id, revokedAt: IsNull() }, { revokedAt: this.now().toISOString() });
        return 'revoked';
      }),
    );
  }

  /** Keys that still work. */
  async countActive(): Promise<number> {
    return this.exclusive(() => this.repo.countBy({ revokedAt: IsNull() }));
  }

  /** The holder of a presented key, or undefined when it is malformed, unknown, revoked or wrong. */
  async authenticate(key: string): Promise<KeyHolder | undefined> {
    const parsed = parseKey(key);
    if (!parsed) return undefined;
    const row = await this.exclusive(() => this.repo.findOneBy({ id: parsed.id }));
    if (!row || row.revokedAt !== null || !secretMatches(parsed.secret, row.secretSha256)) return undefined;
    if (!isRole(row.role)) return undefined;
    const now = this.now();
    if (row.lastUsedAt === null || now.getTime() - Date.parse(row.lastUsedAt) >= LAST_USED_RESOLUTION_MS) {
      await this.exclusive(() => this.repo.update({ id: row.id }, { lastUsedAt: now.toISOString() }));
    }
    return {
      id: row.id,
      role: row.role,
      ...(row.holder && { holder: row.holder }),
      ...(row.recordsForOthers && { recordsForOthers: true }),
    };
  }
}
