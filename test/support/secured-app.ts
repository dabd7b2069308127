/**
 * The whole route table (core routes and every feature module) served over a real socket with
 * in-memory API keys, and dependencies that all fail: for tests of what happens before a
 * handler does any work (authentication, roles, rate limits, headers, logging).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { createApp, type AppOptions } from '../../api/app';
import type { RateLimitSetting } from '../../api/auth';
import { apiKeyRoutes } from '../../api/routes/api-keys';
import { approvalRoutes } from '../../api/routes/approvals';
import { evidenceRoutes } from '../../api/routes/evidence';
import { inventoryRoutes } from '../../api/routes/inventory';
import { kpiRoutes } from '../../api/routes/kpis';
import { reportRoutes } from '../../api/routes/reports';
import type { Route } from '../../api/route';
import type { EvidenceService } from '../../services/evidence/service';
import { MemoryApiKeys } from './api-keys';

/**
 * A dependency whose every method rejects, as a database or Temporal that is down; `values`
 * are plain properties read when routes are built.
 */
export function unavailable<T extends object>(values: Partial<T> = {}): T {
  return new Proxy(values, {
    get: (obj, prop) => {
      if (prop in obj) return Reflect.get(obj, prop);
      // `then` stays undefined so that awaiting the object itself does not call it.
      return prop === 'then' ? undefined : () => Promise.reject(new Error('unavailable'));
    },
  }) as T;
}

export const APPROVAL_SECRET = 'a-test-approval-secret-of-at-least-32-characters';

/** Every feature module's routes, wired to unavailable dependencies. */
export function featureRoutes(keys: MemoryApiKeys, approvalLinkLimit?: RateLimitSetting): Route[] {
  return [
    ...apiKeyRoutes(keys),
    ...approvalRoutes({
      gateway: unavailable(),
      links: unavailable(),
      secret: APPROVAL_SECRET,
      rateLimit: approvalLinkLimit,
    }),
    ...evidenceRoutes(unavailable<EvidenceService>({ maxBytes: 1024 })),
    ...kpiRoutes(unavailable()),
    ...inventoryRoutes({ gateway: unavailable(), inventory: unavailable(), scanRoots: [] }),
    ...reportRoutes({ gateway: unavailable(), reports: unavailable(), programmes: unavailable() }),
  ];
}

export interface SecuredApp {
  base: string;
  keys: MemoryApiKeys;
  close(): Promise<void>;
}

export async function startSecuredApp(
  options: {
    logger?: Logger;
    authFailureLimit?: RateLimitSetting;
    approvalLinkLimit?: RateLimitSetting;
  } = {},
): Promise<SecuredApp> {
  const keys = MemoryApiKeys.withRoleKeys();
  const appOptions: AppOptions = {
    gateway: unavailable(),
    store: unavailable(),
    authenticator: keys,
    authFailureLimit: options.authFailureLimit,
    logger: options.logger ?? pino({ level: 'silent' }),
    extraRoutes: featureRoutes(keys, options.approvalLinkLimit),
  };
  const server: Server = await new Promise((resolve) => {
    const s = createApp(appOptions).listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    keys,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
