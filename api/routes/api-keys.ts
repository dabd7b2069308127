/**
 * Key management for admins: create a key (its secret is in this one response and nowhere
 * else), list keys without secrets or hashes, revoke one. `npm run keys` does the same from the
 * command line, which is how the first admin key comes to exist.
 */
import { z } from 'zod';
import { ADMINISTERS, ROLES } from '../../domain/roles';
import { Person } from '../../domain/schemas';
import type { ApiKeyStore } from '../../db/api-key-store';
import { guarded } from '../dependency-errors';
import { HttpProblem } from '../problem';
import { defineRoute, type Route } from '../route';
import { NoBody, NoParams, NoQuery } from '../validate';

const TAG = 'API keys';

export type ApiKeyAdmin = Pick<ApiKeyStore, 'create' | 'list' | 'revoke'>;

/** The body of POST /api-keys; the CLI validates its arguments with the same schema. */
export const CreateApiKeyBody = z
  .object({
    name: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .regex(/^[\x20-\x7e]+$/, 'printable ASCII')
      .meta({ description: 'What the key is for, e.g. ci or grafana' }),
    role: z.enum(ROLES).meta({ description: 'The one role the key has' }),
    // A person's address, checked as every address in a request is (not a schema component of its own).
    holder: Person.shape.email.optional().meta({
      description: 'The person who holds the key: a decision it records without onBehalfOf must be theirs',
    }),
    recordsForOthers: z.boolean().default(false).meta({
      description:
        'May record, with evidence, decisions that approvers made elsewhere (e.g. at a meeting); marked as such wherever the decision is shown',
    }),
  })
  .strict();

const ApiKey = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  createdAt: z.string(),
  createdBy: z.string().meta({ description: 'Id of the admin key that created it, or cli / bootstrap' }),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable().meta({ description: 'Updated at most once a minute' }),
  holder: z.string().nullable(),
  recordsForOthers: z.boolean(),
});
const CreatedApiKey = ApiKey.extend({
  key: z.string().meta({
    description:
      'The key to send as Authorization: Bearer <key>. Shown only in this response; it is not stored.',
  }),
});
const ApiKeyList = z.object({ items: z.array(ApiKey) });
const KeyParams = z
  .object({
    keyId: z
      .string()
      .regex(/^[0-9a-f]{16}$/, 'a key id: 16 hexadecimal digits')
      .meta({ description: 'API key id' }),
  })
  .strict();

const RevokeQuery = z
  .object({
    confirm: z
      .literal('self')
      .optional()
      .meta({ description: 'Required (as "self") to revoke the key the request is made with' }),
  })
  .strict();

const COMPONENTS = { CreateApiKeyBody, ApiKey, CreatedApiKey, ApiKeyList };

export function apiKeyRoutes(keys: ApiKeyAdmin): Route[] {
  const store = guarded(keys, 'database');
  const common = { tag: TAG, access: ADMINISTERS, components: COMPONENTS, query: NoQuery };
  return [
    defineRoute({
      ...common,
      method: 'post',
      path: '/api-keys',
      operationId: 'createApiKey',
      audit: { action: 'apikey.created' },
      summary: 'Create an API key with one role; the response is the only place its secret appears',
      params: NoParams,
      body: CreateApiKeyBody,
      // A replayed response would have to be stored, and it contains the secret.
      idempotent: false,
      success: {
        status: 201,
        description: 'The new key, with its secret',
        schema: CreatedApiKey,
        location: true,
      },
      handle: async ({ body }, ctx) => {
        const created = await store.create({ ...body, createdBy: ctx.actor.id });
        ctx.log.info({ keyId: created.info.id, role: created.info.role }, 'API key created');
        const payload: z.input<typeof CreatedApiKey> = { ...created.info, key: created.key };
        return {
          status: 201,
          body: undefined,
          location: `/api-keys/${created.info.id}`,
          audit: { subject: created.info.id },
          // The secret must not linger in caches.
          raw: {
            contentType: 'application/json; charset=utf-8',
            data: JSON.stringify(payload),
            headers: { 'Cache-Control': 'no-store' },
          },
        };
      },
    }),
    defineRoute({
      ...common,
      method: 'get',
      path: '/api-keys',
      operationId: 'listApiKeys',
      summary: 'Every API key, revoked ones included, without secrets or hashes',
      params: NoParams,
      body: NoBody,
      success: { status: 200, description: 'The keys, oldest first', schema: ApiKeyList },
      handle: async () => ({ status: 200, body: { items: await store.list() } }),
    }),
    defineRoute({
      ...common,
      method: 'delete',
      path: '/api-keys/{keyId}',
      operationId: 'revokeApiKey',
      audit: { action: 'apikey.revoked' },
      summary:
        'Revoke an API key; it stops working at once (revoking again changes nothing). The last working admin key cannot be revoked; revoking the key that makes the request needs ?confirm=self',
      params: KeyParams,
      query: RevokeQuery,
      body: NoBody,
      problems: [404, 409],
      success: { status: 204, description: 'Revoked', schema: NoBody },
      handle: async ({ params, query }, ctx) => {
        if (params.keyId === ctx.actor.id && query.confirm !== 'self')
          throw new HttpProblem(
            'confirmation-required',
            'This is the key this request was made with: revoking it ends your own access. Send the request again with ?confirm=self to do so.',
            { errors: [{ pointer: '/query/confirm', detail: 'must be "self" to revoke the key in use' }] },
          );
        const outcome = await store.revoke(params.keyId);
        if (outcome === 'not-found') throw new HttpProblem('not-found', `No API key ${params.keyId}.`);
        if (outcome === 'last-admin')
          throw new HttpProblem(
            'last-admin-key',
            `${params.keyId} is the last working admin key; without it nobody could manage keys through the API. Create another admin key first.`,
          );
        ctx.log.info({ keyId: params.keyId }, 'API key revoked');
        return { status: 204, body: undefined };
      },
    }),
  ];
}
