/**
 * Everything that decides whether a request is acceptable before any handler runs: content
 * type, JSON syntax, size, and the zod schemas of the route. A request rejected here has
 * touched neither the store nor the gateway.
 */
import express, { type RequestHandler } from 'express';
import { z } from 'zod';
import { HttpProblem, issuesToFieldErrors, type FieldError } from './problem';

export const BODY_LIMIT = '1mb';
const JSON_TYPES = ['application/json', 'application/*+json'];

/** Marks a route without a request body; express leaves `req.body` undefined for those. */
export const NoBody = z.undefined();
export const NoParams = z.object({}).strict();
export const NoQuery = z.object({}).strict();

export interface RawRequest {
  params: unknown;
  query: unknown;
  body: unknown;
}

export interface RequestSchemas<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  params: P;
  query: Q;
  body: B;
}

export interface ParsedRequest<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export function parseRequest<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  schemas: RequestSchemas<P, Q, B>,
  raw: RawRequest,
): ParseResult<ParsedRequest<P, Q, B>> {
  const params = schemas.params.safeParse(raw.params);
  const query = schemas.query.safeParse(raw.query);
  const body = schemas.body.safeParse(raw.body);
  if (params.success && query.success && body.success) {
    return { ok: true, value: { params: params.data, query: query.data, body: body.data } };
  }
  // Report every part at once so a client fixes its request in one round trip.
  const errors = [
    ...(params.success ? [] : issuesToFieldErrors('params', params.error.issues)),
    ...(query.success ? [] : issuesToFieldErrors('query', query.error.issues)),
    ...(body.success ? [] : issuesToFieldErrors('body', body.error.issues)),
  ];
  return { ok: false, errors };
}

const requireJson: RequestHandler = (req, _res, next) => {
  // `req.is` is null when the request has no body at all; schema validation reports that.
  if (req.is(JSON_TYPES) === false) {
    next(
      new HttpProblem(
        'unsupported-media-type',
        `Content-Type must be application/json, not ${req.get('content-type') ?? 'absent'}.`,
      ),
    );
    return;
  }
  next();
};

/** Body middleware for routes that take one: media type first, then a bounded strict parse. */
export const jsonBody: RequestHandler[] = [
  requireJson,
  express.json({ limit: BODY_LIMIT, strict: true, type: JSON_TYPES }),
];

interface BodyParserError {
  /** Absent when body-parser wraps a stream error, e.g. zlib's on a body that is not gzip. */
  type?: string;
  status: number;
  message: string;
}

function isBodyParserError(err: unknown): err is BodyParserError {
  return (
    err instanceof Error &&
    (!('type' in err) || typeof err.type === 'string') &&
    'status' in err &&
    typeof err.status === 'number'
  );
}

/** body-parser signals through http-errors; map the ones a client can cause to problems. */
export function bodyParserProblem(err: unknown): HttpProblem | undefined {
  if (!isBodyParserError(err)) return undefined;
  switch (err.type) {
    case 'entity.parse.failed':
      return new HttpProblem(
        'malformed-json',
        'The request body is not valid JSON (an object or array is expected).',
        {
          errors: [{ pointer: '/body', detail: err.message }],
        },
      );
    case 'entity.too.large':
      return new HttpProblem('content-too-large', `The request body exceeds ${BODY_LIMIT}.`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpProblem('unsupported-media-type', err.message);
    case 'parameters.too.many':
      return new HttpProblem('invalid-request', 'The form has more fields than this route accepts.', {
        errors: [{ pointer: '/body', detail: err.message }],
      });
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new HttpProblem('invalid-request', err.message);
    case undefined:
      // A body whose Content-Encoding does not match its bytes (zlib fails while inflating).
      if (err.status >= 400 && err.status < 500)
        return new HttpProblem(
          'invalid-request',
          'The request body could not be decoded with its Content-Encoding (gzip, deflate or br).',
          { errors: [{ pointer: '/headers/content-encoding', detail: err.message }] },
        );
      return undefined;
    default:
      return undefined;
  }
}

const IdempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{1,200}$/, 'printable ASCII without spaces, at most 200 characters')
  .optional();

/** The key lets a client retry an input safely: the gateway deduplicates by it. */
export function idempotencyKey(header: string | undefined): ParseResult<string | undefined> {
  const parsed = IdempotencyKey.safeParse(header);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    errors: issuesToFieldErrors('headers', parsed.error.issues).map((e) => ({
      ...e,
      pointer: '/headers/idempotency-key',
    })),
  };
}
