/**
 * RFC 9457 problem details. Every error the API returns goes through `HttpProblem` so that
 * clients can rely on one shape, and so that a field-level pointer always says where the
 * request went wrong ('/body/items/0/status', '/query/limit', '/params/id').
 */
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { redactUrl } from './security';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * Problem types are tag URIs: stable identifiers clients can switch on, without pretending
 * that a documentation page exists behind them.
 */
const TYPE_PREFIX = 'tag:aimsflow,2025:problem/';

export const PROBLEM_TYPES = {
  'invalid-request': { status: 400, title: 'Invalid request' },
  'malformed-json': { status: 400, title: 'Malformed JSON body' },
  unauthorized: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Not allowed for this role' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'stage-conflict': { status: 409, title: 'Not accepted in the current state' },
  duplicate: { status: 409, title: 'Already exists' },
  'last-admin-key': { status: 409, title: 'The last working admin key cannot be revoked' },
  'confirmation-required': { status: 409, title: 'Confirmation required' },
  'idempotency-key-in-use': { status: 409, title: 'A request with this Idempotency-Key is in progress' },
  'content-too-large': { status: 413, title: 'Content too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'idempotency-key-reused': { status: 422, title: 'Idempotency-Key reused for a different request' },
  'too-many-requests': { status: 429, title: 'Too many requests' },
  'internal-error': { status: 500, title: 'Internal server error' },
  'workflow-stuck': { status: 500, title: 'The programme cannot make progress' },
  'dependency-unavailable': { status: 503, title: 'Service unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemSlug = keyof typeof PROBLEM_TYPES;

export const problemTypeUri = (slug: ProblemSlug): string => `${TYPE_PREFIX}${slug}`;

/** For documentation: every problem type the API can answer with. */
export const problemCatalogue = (): { type: string; status: number; title: string }[] =>
  Object.entries(PROBLEM_TYPES).map(([slug, { status, title }]) => ({
    type: `${TYPE_PREFIX}${slug}`,
    status,
    title,
  }));

export interface FieldError {
  /** JSON Pointer (RFC 6901) into the request, rooted at its part: /body, /query, /params, /headers. */
  pointer: string;
  detail: string;
}

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export interface ProblemOptions {
  errors?: FieldError[];
  headers?: Record<string, string>;
  /** RFC 9457 extension members, e.g. readiness checks. */
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

export class HttpProblem extends Error {
  readonly status: number;
  readonly errors?: FieldError[];
  readonly headers: Record<string, string>;
  readonly extensions: Record<string, unknown>;

  constructor(
    readonly slug: ProblemSlug,
    readonly detail: string,
    options: ProblemOptions = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = 'HttpProblem';
    this.status = PROBLEM_TYPES[slug].status;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }

  toDocument(instance: string): ProblemDocument {
    return {
      ...this.extensions,
      type: problemTypeUri(this.slug),
      title: PROBLEM_TYPES[this.slug].title,
      status: this.status,
      detail: this.detail,
      instance,
      ...(this.errors && this.errors.length > 0 ? { errors: this.errors } : {}),
    };
  }
}

export function sendProblem(req: Request, res: Response, problem: HttpProblem): void {
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  res
    .status(problem.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problem.toDocument(String(redactUrl(req.originalUrl)))));
}

/** RFC 6901: '~' and '/' inside a segment are escaped so keys containing them stay addressable. */
export function jsonPointer(segments: readonly PropertyKey[]): string {
  return segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

export type RequestPart = 'body' | 'query' | 'params' | 'headers';

export function issuesToFieldErrors(part: RequestPart, issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues.flatMap((issue) => {
    // Zod reports unknown keys once on the parent object; a pointer per key is more useful.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        pointer: jsonPointer([part, ...issue.path, key]),
        detail: 'unknown field',
      }));
    }
    return [{ pointer: jsonPointer([part, ...issue.path]), detail: issue.message }];
  });
}

export function validationProblem(errors: FieldError[]): HttpProblem {
  const count = errors.length === 1 ? '1 problem' : `${errors.length} problems`;
  return new HttpProblem('invalid-request', `The request is invalid (${count}); see errors.`, { errors });
}
