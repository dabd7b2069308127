/**
 * The shape of one entry of the route table. A route is declared with typed schemas and a
 * typed handler, then erased to `Route` so that one table can hold them all: `bind` parses the
 * raw request with the route's own schemas, so the handler only ever sees validated input and
 * no cast is needed anywhere.
 */
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Actor, RouteAccess } from '../domain/roles';
import type { StageInput, StageInputKind } from '../domain/schemas';
import type { InputAccepted } from '../domain/views';
import type { ApiMetrics } from './metrics';
import type { ProgrammeGateway } from './programme-gateway';
import type { ProgrammeStore } from './store';
import { parseRequest, type ParsedRequest, type ParseResult, type RawRequest } from './validate';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface HandlerContext {
  gateway: ProgrammeGateway;
  store: ProgrammeStore;
  newId: () => string;
  readyTimeoutMs: number;
  /** From the Idempotency-Key header, on routes that declare `idempotent`. */
  idempotencyKey?: string;
  log: Logger;
  /** The OpenAPI document, built once from the route table. */
  openApi: () => unknown;
  /** Prometheus metrics of this API (served at /metrics). */
  metrics: ApiMetrics;
  /** Files of a multipart upload (routes whose `bodyParsers` put them on req.file(s)). */
  files: UploadedFile[];
  /** Who is calling: the API key's id and role, or anonymous on public and approval-link routes. */
  actor: Actor;
  /** Anti-forgery token for an HTML form the reply renders (set by the route's CSRF middleware). */
  formToken?: string;
  /** Client address and agent, for records that must say who acted from where. */
  client: { ip?: string; userAgent?: string };
  /** Told of every stage input the workflow accepted (e.g. to generate the report an approval needs). */
  onInputAccepted?: InputListener;
}

export type InputListener = (programmeId: string, input: StageInput, result: InputAccepted) => void;

export interface UploadedFile {
  field: string;
  originalName: string;
  mediaType: string;
  size: number;
  buffer: Buffer;
}

/** A non-JSON answer: a download (PDF, XLSX, ZIP, SVG, XML) or an HTML page. */
export interface RawReply {
  contentType: string;
  data: Buffer | string;
  headers?: Record<string, string>;
}

export interface Reply {
  status: number;
  /** The JSON body; ignored when `raw` is set. */
  body: unknown;
  raw?: RawReply;
  /** Path of the created or monitored resource, sent as the Location header. */
  location?: string;
  /** What the audit trail cannot tell from the request (api/audit-hook.ts). */
  audit?: ReplyAudit;
}

/** Set by handlers whose path does not name the programme or whose caller is no API key. */
export interface ReplyAudit {
  programmeId?: string;
  /** E.g. the approver of an e-mailed link. */
  actor?: Actor;
  subject?: string;
  /** One event however often the same change is answered (e.g. concurrent posts of one link). */
  dedupeKey?: string;
  /** A more precise action than the route's, e.g. a decision recorded on someone's behalf. */
  action?: string;
}

/** How a state-changing route is recorded in the audit trail (every non-GET route has one). */
export interface RouteAudit {
  /** E.g. `programme.created`, `evidence.added`. */
  action: string;
}

export interface SuccessSpec {
  status: number;
  description: string;
  schema: z.ZodType;
  /** Whether the response carries a Location header. */
  location?: boolean;
}

export interface RouteMeta {
  method: HttpMethod;
  /** OpenAPI template, e.g. /programmes/{id}/scope. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  description?: string;
  /** Who may call it; enforced by the auth middleware and published in the OpenAPI document. */
  access: RouteAccess;
  success: SuccessSpec;
  /**
   * Other successful answers, for routes whose success takes more than one status (e.g. a
   * report generated again unchanged is a 200, a new version a 201).
   */
  alsoSucceeds?: readonly SuccessSpec[];
  /** Problem statuses beyond those implied by the route's parameters, body and dependencies. */
  problems?: readonly number[];
  /**
   * Refusals the handler answers with a page of its own instead of problem+json (the approval
   * link routes: a person's browser shows them); documented with the page's media type.
   */
  refusalPages?: RefusalPages;
  /**
   * Takes the Idempotency-Key header (api/idempotency.ts: a retry replays the first response) and
   * hands it to the handler. Default: every write except the approval-link form; false opts out.
   */
  idempotent?: boolean;
  /** The StageInput kind the body becomes; documented as x-stage-input. */
  stageInput?: StageInputKind;
  /** False for routes that never call the store or the gateway (no 503). */
  usesDependencies?: boolean;
  /**
   * Body parsers replacing the JSON parser (e.g. multer for multipart uploads, urlencoded for
   * HTML forms); `requestContentType` documents what they accept.
   */
  bodyParsers?: RequestHandler[];
  requestContentType?: string;
  /** Middleware that runs after authentication and before body parsing (e.g. a rate limit). */
  guards?: RequestHandler[];
  /**
   * Media type of a raw success response, for the OpenAPI document (default JSON); several when
   * the answer takes the type of what it serves (an evidence file, a report format).
   */
  responseContentType?: string | readonly string[];
  /** Named schemas of a feature module's own routes, published as OpenAPI components. */
  components?: Record<string, z.ZodType>;
  /** Appends an audit event after every 2xx answer (required of state-changing routes). */
  audit?: RouteAudit;
}

export interface RefusalPages {
  /** The statuses whose answers are such pages. */
  statuses: readonly number[];
  contentType: string;
  schema: z.ZodType;
  description: string;
}

export type AnyObjectSchema = z.ZodObject;

export interface RouteSpec<
  P extends AnyObjectSchema,
  Q extends AnyObjectSchema,
  B extends z.ZodType,
> extends RouteMeta {
  params: P;
  query: Q;
  body: B;
  handle: (request: ParsedRequest<P, Q, B>, ctx: HandlerContext) => Promise<Reply>;
}

export type BoundHandler = (ctx: HandlerContext) => Promise<Reply>;

export interface Route extends RouteMeta {
  params: AnyObjectSchema;
  query: AnyObjectSchema;
  body: z.ZodType;
  bind(raw: RawRequest): ParseResult<BoundHandler>;
}

export function defineRoute<P extends AnyObjectSchema, Q extends AnyObjectSchema, B extends z.ZodType>(
  spec: RouteSpec<P, Q, B>,
): Route {
  const { handle, ...meta } = spec;
  return {
    ...meta,
    bind(raw) {
      const parsed = parseRequest(spec, raw);
      if (!parsed.ok) return parsed;
      return { ok: true, value: (ctx) => handle(parsed.value, ctx) };
    },
  };
}

/** `/programmes/{id}` → `/programmes/:id` for express. */
export function expressPath(openApiPath: string): string {
  return openApiPath.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, ':$1');
}
