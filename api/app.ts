/**
 * The Express application, assembled from the route table: per route, the body middleware it
 * needs, validation, and its handler; per path, a 405 for the other methods; then 404 and one
 * error handler that answers every failure as application/problem+json.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler } from 'express';
import pino, { type Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { ANONYMOUS, type Actor } from '../domain/roles';
import { createAuthGuard, type Authenticator, type RateLimitSetting } from './auth';
import { guarded } from './dependency-errors';
import { toProblem } from './errors';
import {
  acceptsIdempotencyKey,
  Idempotency,
  MemoryIdempotencyStore,
  REPLAYED_HEADER,
  type IdempotencyStore,
} from './idempotency';
import { createApiMetrics, httpMetrics, type ApiMetrics, type OpsSource } from './metrics';
import { buildOpenApiDocument } from './openapi';
import { HttpProblem, sendProblem, validationProblem, type FieldError } from './problem';
import { defaultWorkflowId, type ProgrammeGateway } from './programme-gateway';
import { expressPath, type HandlerContext, type InputListener, type Route, type UploadedFile } from './route';
import { buildRoutes } from './routes';
import { AuditHook, type AuditRecorder } from './audit-hook';
import { LOG_REDACTION, redactUrl, securityHeaders } from './security';
import type { ProgrammeStore } from './store';
import { idempotencyKey, jsonBody, NoBody } from './validate';

export interface AppOptions {
  gateway: ProgrammeGateway;
  store: ProgrammeStore;
  /** Resolves bearer API keys (db/api-key-store.ts); every route with a role list requires one. */
  authenticator: Authenticator;
  /** Failed authentications allowed per client address and window before 429s (api/auth.ts). */
  authFailureLimit?: RateLimitSetting;
  /** Express `trust proxy`, so that rate limits and records see the client, not the proxy. */
  trustProxy?: boolean | number | string;
  logger?: Logger;
  newId?: () => string;
  /** How long /readyz waits for each dependency. */
  readyTimeoutMs?: number;
  /** Workflow id recorded with a new programme's row before its workflow starts. */
  workflowIdFor?: (programmeId: string) => string;
  /** Prometheus metrics; default: a fresh registry (with `ops` gauges when given). */
  metrics?: ApiMetrics;
  /** Domain counts for the /metrics gauges (programmes by stage, NCs, approvals). */
  ops?: OpsSource;
  /** Counts the workflows that cannot make progress, for the /metrics gauge. */
  failingWorkflows?: () => Promise<number>;
  /** Routes of feature modules that bring their own dependencies (evidence, reports, ...). */
  extraRoutes?: Route[];
  /** Told of every accepted stage input (analysis-feature.ts generates reports for approvals). */
  onInputAccepted?: InputListener;
  /** Where Idempotency-Key records live (db/idempotency-repository.ts); default: process memory. */
  idempotency?: IdempotencyStore;
  /** How long an Idempotency-Key is remembered (default 24 hours). */
  idempotencyTtlSeconds?: number;
  /** The audit trail (audit/): every 2xx answer of a route that declares `audit` appends an event. */
  audit?: AuditRecorder;
}

export { defaultWorkflowId } from './programme-gateway';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/** The caller, as the authentication middleware established it. */
interface ActorLocals {
  actor?: Actor;
}

/** The anti-forgery token of a form page, noted by the route's CSRF middleware. */
interface FormLocals {
  formToken?: string;
}

/** The programme a request is about, noted by routeHandler so the access log line names it. */
interface ProgrammeLocals {
  programmeId?: string;
}

function httpLogger(logger: Logger, workflowIdFor: (programmeId: string) => string): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: requestId,
    customProps: (_req, res) => {
      const { programmeId }: ProgrammeLocals = (res as { locals?: ProgrammeLocals }).locals ?? {};
      return programmeId ? { programmeId, workflowId: workflowIdFor(programmeId) } : {};
    },
    // Bodies and headers never reach the log: they carry personal data and credentials.
    serializers: {
      req: (req: { id?: unknown; method?: unknown; url?: unknown }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.url),
      }),
      res: (res: { statusCode?: unknown }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, err) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
  });
}

/** The fields of a file that multer (memory storage) attaches to the request. */
interface ParsedFile {
  fieldname: string;
  originalname: string;
  mimetype: string;
  size: number;
  buffer: Buffer;
}

/** Files that a multipart parser attached to the request, in one shape. */
function uploadedFiles(req: Request): UploadedFile[] {
  const raw = req as Request & { file?: ParsedFile; files?: ParsedFile[] | Record<string, ParsedFile[]> };
  const list = [
    ...(raw.file ? [raw.file] : []),
    ...(Array.isArray(raw.files) ? raw.files : Object.values(raw.files ?? {}).flat()),
  ];
  return list.map((f) => ({
    field: f.fieldname,
    originalName: f.originalname,
    mediaType: f.mimetype,
    size: f.size,
    buffer: f.buffer,
  }));
}

function routeHandler(
  route: Route,
  base: Omit<HandlerContext, 'idempotencyKey' | 'log' | 'files' | 'client' | 'actor'>,
  idempotency: Idempotency,
  audit?: AuditHook,
): RequestHandler {
  return async (req, res) => {
    const bound = route.bind({ params: req.params, query: req.query, body: req.body as unknown });
    const key = acceptsIdempotencyKey(route)
      ? idempotencyKey(req.get('idempotency-key'))
      : { ok: true as const, value: undefined };
    const errors: FieldError[] = [...(bound.ok ? [] : bound.errors), ...(key.ok ? [] : key.errors)];
    if (!bound.ok || !key.ok) throw validationProblem(errors);
    const programmeId = typeof req.params.id === 'string' ? req.params.id : undefined;
    if (programmeId) (res.locals as ProgrammeLocals).programmeId = programmeId;
    const files = uploadedFiles(req);
    const actor = (res.locals as ActorLocals).actor ?? ANONYMOUS;
    const execute = () =>
      bound.value({
        ...base,
        idempotencyKey: key.value,
        log: programmeId ? req.log.child({ programmeId }) : req.log,
        files,
        client: { ip: req.ip, userAgent: req.get('user-agent') },
        actor,
        formToken: (res.locals as FormLocals).formToken,
      });
    // Inside the idempotency layer: a replayed answer is no second change, so no second event.
    const run = audit
      ? () =>
          audit.around(route, { params: req.params, actor, idempotencyKey: key.value, log: req.log }, execute)
      : execute;
    const { reply, replayed } =
      key.value === undefined
        ? { reply: await run(), replayed: false }
        : await idempotency.run(
            {
              key: key.value,
              caller: actor.id,
              method: req.method,
              path: req.path,
              query: req.query,
              body: req.body as unknown,
              files,
            },
            req.log,
            run,
          );
    if (replayed) res.setHeader(REPLAYED_HEADER, 'true');
    if (reply.location) res.location(reply.location);
    if (reply.raw) {
      res
        .status(reply.status)
        .set(reply.raw.headers ?? {})
        .type(reply.raw.contentType)
        .send(reply.raw.data);
      return;
    }
    res.status(reply.status).json(reply.body);
  };
}

function methodNotAllowed(methods: readonly string[]): RequestHandler {
  const allowed = methods.map((m) => m.toUpperCase());
  if (allowed.includes('GET')) allowed.push('HEAD');
  allowed.push('OPTIONS');
  const allow = allowed.join(', ');
  return (req, res) => {
    if (req.method === 'OPTIONS') {
      res.setHeader('Allow', allow);
      res.status(204).end();
      return;
    }
    throw new HttpProblem('method-not-allowed', `${req.method} is not supported here; use ${allow}.`, {
      headers: { Allow: allow },
    });
  };
}

/**
 * The routes grouped by path, in the order OpenAPI matches paths: a concrete segment before a
 * templated one at the first position where they differ, so that /evidence/links is its own
 * resource (GET there is a 405) rather than /evidence/{evidenceId} with a bad id (a 400).
 */
function routesByPath(routes: readonly Route[]): [string, Route[]][] {
  const byPath = new Map<string, Route[]>();
  for (const route of routes) byPath.set(route.path, [...(byPath.get(route.path) ?? []), route]);
  const shape = (path: string) => path.split('/').map((segment) => (segment.startsWith('{') ? 1 : 0));
  const compare = (a: string, b: string) => {
    const [x, y] = [shape(a), shape(b)];
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
    return x.length - y.length;
  };
  // Paths of one shape keep the table's order; the order of paths that cannot match the same
  // URL (different lengths or literals) does not matter.
  return [...byPath.keys()]
    .sort(compare)
    .map((path): [string, Route[]] => [expressPath(path), byPath.get(path) ?? []]);
}

const notFound: RequestHandler = (req) => {
  throw new HttpProblem('not-found', `No route for ${req.method} ${req.path}.`);
};

const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  const problem = toProblem(err);
  if (problem.status >= 500) {
    const cause = problem.cause instanceof Error ? problem.cause : problem;
    req.log.error({ err: cause }, problem.detail);
    res.err = cause;
  }
  // Streaming never happens here, but if it did, a second status line would be worse than a cut.
  if (res.headersSent) {
    req.socket.destroy();
    return;
  }
  sendProblem(req, res, problem);
};

export function createApp(options: AppOptions): Express {
  const logger = options.logger ?? pino({ redact: LOG_REDACTION });
  const workflowIdFor = options.workflowIdFor ?? defaultWorkflowId;
  const routes = [...buildRoutes({ workflowIdFor }), ...(options.extraRoutes ?? [])];
  const metrics =
    options.metrics ??
    createApiMetrics({
      ops: options.ops,
      failingWorkflows: options.failingWorkflows,
      log: logger,
    });
  // Built eagerly: a mistake in the route table fails at startup, not on the first request.
  const document = buildOpenApiDocument(routes);
  const base = {
    gateway: guarded(options.gateway, 'temporal'),
    store: guarded(options.store, 'database'),
    newId: options.newId ?? randomUUID,
    readyTimeoutMs: options.readyTimeoutMs ?? 2000,
    openApi: () => document,
    metrics,
    onInputAccepted: options.onInputAccepted,
  };
  const auditHook = options.audit ? new AuditHook(options.audit, base.store) : undefined;
  const idempotency = new Idempotency({
    store: options.idempotency ?? new MemoryIdempotencyStore(),
    ttlSeconds: options.idempotencyTtlSeconds,
  });

  const app = express();
  app.disable('x-powered-by');
  if (options.trustProxy !== undefined) app.set('trust proxy', options.trustProxy);
  // Flat string values only: nested qs objects would reach validation as surprises.
  app.set('query parser', 'simple');
  app.use(httpLogger(logger, workflowIdFor));
  app.use(httpMetrics(metrics));
  app.use(securityHeaders());
  const auth = createAuthGuard(options.authenticator, options.authFailureLimit);

  for (const [path, pathRoutes] of routesByPath(routes)) {
    for (const route of pathRoutes) {
      const handlers = route.bodyParsers ?? (route.body === NoBody ? [] : jsonBody);
      // Authentication first: an anonymous or wrong-role caller gets 401/403 before any parsing.
      app[route.method](
        path,
        auth.forRoute(route.access),
        ...(route.guards ?? []),
        ...handlers,
        routeHandler(route, base, idempotency, auditHook),
      );
    }
    // Right after its own routes: a URL this path names is answered here, never by a templated
    // path registered later that happens to match it too.
    app.all(path, methodNotAllowed(pathRoutes.map((r) => r.method)));
  }

  app.use(notFound);
  app.use(errorHandler);
  return app;
}
