/**
 * Authentication and authorisation, per route, from the route's declared `access`. It runs
 * before body parsing and validation, so an anonymous or wrong-role caller learns nothing about
 * the request it sent and costs no handler work.
 *
 * Repeated failed authentications from one client address are limited: past the limit every
 * request that presents an invalid credential is answered 429 until the window ends, so probing
 * is slowed. A valid key is never refused by that limit: behind NAT or a proxy many people share
 * an address, and one of them sending bad keys must not lock the others (or the admin) out.
 */
import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type RateLimitRequestHandler } from 'express-rate-limit';
import type { Actor, Role, RouteAccess } from '../domain/roles';
import { DependencyError } from './dependency-errors';
import { HttpProblem } from './problem';

/** Resolves a presented bearer credential to its holder; undefined when it is not a valid key. */
export interface Authenticator {
  authenticate(key: string): Promise<(Actor & { role: Role }) | undefined>;
}

export interface RateLimitSetting {
  /** Requests (or failures) allowed per window and client address. */
  limit: number;
  windowMs: number;
}

export const DEFAULT_AUTH_FAILURE_LIMIT: RateLimitSetting = { limit: 20, windowMs: 15 * 60_000 };

/** The caller, as this middleware established it; read by routeHandler for HandlerContext.actor. */
export interface ActorLocals {
  actor?: Actor;
}

const BEARER = /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i;
const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="aimsflow"' };

export const isProtected = (access: RouteAccess): access is readonly Role[] => Array.isArray(access);

/** The key express-rate-limit's default key generator gives a client (IPv6 addresses by /56). */
export const clientKey = (ip: string | undefined): string => ipKeyGenerator(ip ?? 'unknown');

/** A limiter that answers with a 429 problem (RateLimit and Retry-After headers are already set). */
export function problemRateLimit(setting: RateLimitSetting, what: string): RateLimitRequestHandler {
  return rateLimit({
    windowMs: setting.windowMs,
    limit: setting.limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, _res, next) =>
      next(new HttpProblem('too-many-requests', `Too many ${what} from this address; retry later.`)),
  });
}

export interface AuthGuard {
  /** Middleware for one route, enforcing its access. */
  forRoute(access: RouteAccess): RequestHandler;
}

export function createAuthGuard(
  authenticator: Authenticator,
  failureLimit: RateLimitSetting = DEFAULT_AUTH_FAILURE_LIMIT,
): AuthGuard {
  const failures = problemRateLimit(failureLimit, 'failed authentications');

  const unauthorized = (detail: string) => new HttpProblem('unauthorized', detail, { headers: CHALLENGE });

  const protect =
    (roles: readonly Role[]): RequestHandler =>
    async (req, res, next) => {
      const header = req.get('authorization');
      if (header === undefined) {
        next(unauthorized('This route needs an API key: send Authorization: Bearer <key>.'));
        return;
      }
      const token = BEARER.exec(header)?.[1];
      let holder: (Actor & { role: Role }) | undefined;
      try {
        holder = token === undefined ? undefined : await authenticator.authenticate(token);
      } catch (err) {
        next(new DependencyError('database', err));
        return;
      }
      if (!holder) {
        const seen = await failures.getKey(clientKey(req.ip));
        if (seen && seen.totalHits >= failureLimit.limit && seen.resetTime && seen.resetTime > new Date()) {
          const retryAfter = Math.max(1, Math.ceil((seen.resetTime.getTime() - Date.now()) / 1000));
          next(
            new HttpProblem(
              'too-many-requests',
              'Too many failed authentications from this address; retry later.',
              {
                headers: { 'Retry-After': String(retryAfter) },
              },
            ),
          );
          return;
        }
        // The limiter counts this failure, and answers 429 itself once the limit is passed.
        void failures(req, res, () => next(unauthorized('The API key is malformed, unknown or revoked.')));
        return;
      }
      if (!roles.includes(holder.role)) {
        next(
          new HttpProblem(
            'forbidden',
            `This route needs one of the roles ${roles.join(', ')}; the key has the role ${holder.role}.`,
            { extensions: { requiredRoles: [...roles] } },
          ),
        );
        return;
      }
      (res.locals as ActorLocals).actor = holder;
      next();
    };

  const open: RequestHandler = (_req, _res, next) => next();
  return { forRoute: (access) => (isProtected(access) ? protect(access) : open) };
}
