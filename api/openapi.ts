/**
 * The OpenAPI 3.1 document, generated from the route table and the zod schemas so that it
 * describes exactly what the service validates. Every exported schema of domain/schemas.ts
 * and api/responses.ts becomes a named component; routes refer to them by $ref.
 */
import { z } from 'zod';
import type { Role } from '../domain/roles';
import { isProtected } from './auth';
import * as domainSchemas from '../domain/schemas';
import { acceptsIdempotencyKey } from './idempotency';
import { PROBLEM_CONTENT_TYPE, problemCatalogue } from './problem';
import * as responseSchemas from './responses';
import type { RefusalPages, Route, SuccessSpec } from './route';
import { NoBody } from './validate';

type JsonSchema = z.core.JSONSchema.JSONSchema;

/** Version of the HTTP contract, which changes independently of the package. */
export const API_VERSION = '1.0.0';
const SCHEMA_REF = '#/components/schemas/';
const JSON_CONTENT = 'application/json';

const PROBLEM_RESPONSES: Record<number, { name: string; description: string }> = {
  400: { name: 'BadRequest', description: 'The request failed validation; errors[] point at each field' },
  401: {
    name: 'Unauthorized',
    description: 'No API key, or a malformed, unknown or revoked one (WWW-Authenticate: Bearer)',
  },
  403: { name: 'Forbidden', description: 'The API key’s role may not call this route' },
  404: { name: 'NotFound', description: 'No such programme or record' },
  409: {
    name: 'Conflict',
    description: 'Not accepted in the current state (e.g. the stage does not take this input)',
  },
  413: { name: 'ContentTooLarge', description: 'The body exceeds 1 MB' },
  415: { name: 'UnsupportedMediaType', description: 'The body is not application/json' },
  422: {
    name: 'IdempotencyKeyReused',
    description: 'The Idempotency-Key was already used for a different request',
  },
  429: {
    name: 'TooManyRequests',
    description: 'Rate limit reached; RateLimit and Retry-After say when to retry',
  },
  500: {
    name: 'InternalError',
    description:
      'Unexpected failure, or (type workflow-stuck) a programme whose workflow cannot make progress until an operator acts: not worth retrying before then',
  },
  503: { name: 'ServiceUnavailable', description: 'Temporal or the database is unavailable; retry later' },
};

function isZodSchema(value: unknown): value is z.ZodType {
  return value instanceof z.ZodType;
}

function componentRegistry(routes: readonly Route[]) {
  const registry = z.registry<{ id: string }>();
  const named = [
    ...Object.entries(domainSchemas),
    ...Object.entries(responseSchemas),
    ...routes.flatMap((r) => Object.entries(r.components ?? {})),
  ];
  const byId = new Map<string, z.ZodType>();
  for (const [id, schema] of named) {
    if (!isZodSchema(schema)) continue;
    // Two schemas under one name would leave one of them described by the other's shape.
    const taken = byId.get(id);
    if (taken && taken !== schema) throw new Error(`two different schemas are both named ${id}`);
    byId.set(id, schema);
    if (registry.has(schema)) continue;
    registry.add(schema, { id });
  }
  return registry;
}

/** Component schemas come out self-identified; inside an OpenAPI document those keys are noise. */
function stripIdentity(schema: JsonSchema): JsonSchema {
  const rest = { ...schema };
  delete rest.$schema;
  delete rest.$id;
  return rest;
}

interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters?: object[];
  requestBody?: object;
  responses: Record<string, object>;
  'x-stage-input'?: string;
  /** The audit trail action a 2xx answer appends (api/audit-hook.ts). */
  'x-audit-action'?: string;
  /** Empty for routes that need no API key. */
  security: { bearerAuth: [] }[];
  /** The roles whose keys may call a protected route. */
  'x-roles'?: Role[];
  /** Why an unprotected route needs no key: `public`, or `approval-link` (the signed link is the credential). */
  'x-access'?: 'public' | 'approval-link';
}

function objectProperties(schema: z.ZodObject): {
  properties: Record<string, JsonSchema>;
  required: string[];
} {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' });
  const properties: Record<string, JsonSchema> = {};
  for (const [name, property] of Object.entries(json.properties ?? {})) {
    if (typeof property === 'object') properties[name] = property;
  }
  return { properties, required: json.required ?? [] };
}

function parameters(route: Route): object[] {
  const templateNames = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  const path = objectProperties(route.params);
  const declared = Object.keys(path.properties);
  if (templateNames.join() !== declared.join()) {
    throw new Error(
      `${route.method.toUpperCase()} ${route.path}: path template names ${templateNames.join()} but params schema has ${declared.join()}`,
    );
  }
  const query = objectProperties(route.query);
  return [
    ...Object.entries(path.properties).map(([name, schema]) => ({
      name,
      in: 'path',
      required: true,
      schema,
    })),
    ...Object.entries(query.properties).map(([name, schema]) => ({
      name,
      in: 'query',
      required: query.required.includes(name),
      schema,
    })),
    ...(acceptsIdempotencyKey(route) ? [{ $ref: '#/components/parameters/IdempotencyKey' }] : []),
  ];
}

function problemStatuses(route: Route): number[] {
  const hasBody = route.body !== NoBody;
  const hasInput =
    hasBody ||
    acceptsIdempotencyKey(route) ||
    Object.keys(route.params.shape).length + Object.keys(route.query.shape).length > 0;
  const statuses = new Set<number>([...(route.problems ?? []), ...(route.refusalPages?.statuses ?? [])]);
  if (hasInput) statuses.add(400);
  if (route.path.includes('{id}')) statuses.add(404);
  if (hasBody) [413, 415].forEach((s) => statuses.add(s));
  // 409 while the first request with the key runs, 422 when the key was used for another request.
  if (acceptsIdempotencyKey(route)) [409, 422].forEach((s) => statuses.add(s));
  if (route.usesDependencies !== false) statuses.add(503);
  if (isProtected(route.access)) [401, 403, 429].forEach((s) => statuses.add(s));
  statuses.add(500);
  return [...statuses].sort((a, b) => a - b);
}

/** The media types of a route's success answers. */
function successContentTypes(route: Route): readonly string[] {
  const declared = route.responseContentType ?? JSON_CONTENT;
  return typeof declared === 'string' ? [declared] : declared;
}

type RefOf = (schema: z.ZodType, where: string) => { $ref: string };

function successResponse(route: Route, spec: SuccessSpec, refOf: RefOf, where: string): object {
  const content = () => {
    const schema = refOf(spec.schema, where);
    return Object.fromEntries(successContentTypes(route).map((type) => [type, { schema }]));
  };
  return {
    description: spec.description,
    ...(spec.location ? { headers: { Location: { $ref: '#/components/headers/Location' } } } : {}),
    // 204 has no body by definition (RFC 9110).
    ...(spec.status === 204 ? {} : { content: content() }),
  };
}

/**
 * A refusal answered with a page: the page, or problem details when the request failed before
 * the handler could render one (e.g. a body that cannot be parsed).
 */
function refusalPageResponse(pages: RefusalPages, status: number, refOf: RefOf, where: string): object {
  const usual = PROBLEM_RESPONSES[status]?.description;
  return {
    description: `${pages.description}${usual ? `; problem details (${usual})` : ''}`,
    content: {
      [pages.contentType]: { schema: refOf(pages.schema, where) },
      [PROBLEM_CONTENT_TYPE]: { schema: { $ref: `${SCHEMA_REF}Problem` } },
    },
  };
}

function operation(route: Route, refOf: RefOf): Operation {
  const where = `${route.method.toUpperCase()} ${route.path}`;
  const responses: Record<string, object> = {};
  for (const spec of [route.success, ...(route.alsoSucceeds ?? [])]) {
    if (responses[spec.status]) throw new Error(`${where}: success status ${spec.status} declared twice`);
    responses[spec.status] = successResponse(route, spec, refOf, where);
  }
  for (const status of problemStatuses(route)) {
    if (route.refusalPages?.statuses.includes(status)) {
      responses[status] = refusalPageResponse(route.refusalPages, status, refOf, where);
      continue;
    }
    const known = PROBLEM_RESPONSES[status];
    if (!known) throw new Error(`${where}: no problem response documented for ${status}`);
    responses[status] = { $ref: `#/components/responses/${known.name}` };
  }
  const params = parameters(route);
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(route.body !== NoBody
      ? {
          requestBody: {
            required: true,
            content: { [route.requestContentType ?? JSON_CONTENT]: { schema: refOf(route.body, where) } },
          },
        }
      : {}),
    responses,
    ...(route.stageInput ? { 'x-stage-input': route.stageInput } : {}),
    ...(route.audit ? { 'x-audit-action': route.audit.action } : {}),
    ...(isProtected(route.access)
      ? { security: [{ bearerAuth: [] }], 'x-roles': [...route.access] }
      : { security: [], 'x-access': route.access }),
  };
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  jsonSchemaDialect: string;
  tags: { name: string }[];
  paths: Record<string, Partial<Record<Route['method'], Operation>>>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, object>;
    parameters: Record<string, object>;
    headers: Record<string, object>;
    securitySchemes: Record<string, object>;
  };
}

export function buildOpenApiDocument(routes: readonly Route[]): OpenApiDocument {
  const registry = componentRegistry(routes);
  const generated = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'input',
    uri: (id) => `${SCHEMA_REF}${id}`,
  });
  const schemas: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(generated.schemas)) schemas[id] = stripIdentity(schema);

  const refOf = (schema: z.ZodType, where: string) => {
    const id = registry.get(schema)?.id;
    // Inline schemas would make clients generate anonymous types; insist on a named export.
    if (!id)
      throw new Error(
        `${where}: its schemas must be named exports of domain/schemas.ts or api/responses.ts, or the route's components`,
      );
    return { $ref: `${SCHEMA_REF}${id}` };
  };

  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const item = (paths[route.path] ??= {});
    if (item[route.method]) throw new Error(`duplicate route ${route.method.toUpperCase()} ${route.path}`);
    item[route.method] = operation(route, refOf);
  }

  const problemContent = { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: `${SCHEMA_REF}Problem` } } };
  const responses = Object.fromEntries(
    Object.values(PROBLEM_RESPONSES).map(({ name, description }) => [
      name,
      { description, content: problemContent },
    ]),
  );

  return {
    openapi: '3.1.0',
    info: {
      title: 'aimsflow',
      version: API_VERSION,
      description: [
        'Runs ISO/IEC 42001 certification programmes as durable workflows.',
        'Errors are RFC 9457 problem details; their type is one of:',
        ...problemCatalogue().map((p) => `- ${p.type} (${p.status} ${p.title})`),
      ].join('\n'),
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas,
      responses,
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'A unique key per logical request (e.g. a UUID), remembered for 24 hours per caller. A retry with the same key and the same request is not applied again: it gets the first response, with the header Idempotent-Replayed: true. The same key on a different request is a 422; a retry while the first is still running is a 409.',
          schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,200}$' },
        },
      },
      headers: {
        Location: { description: 'Path of the created or monitored resource', schema: { type: 'string' } },
      },
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'aimsflow_<id>_<secret>',
          description: 'An API key (npm run keys, or POST /api-keys); each key has one role, see x-roles',
        },
      },
    },
  };
}
