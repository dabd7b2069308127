/**
 * HTTP hardening shared by every response: security headers, and what the logs may never hold.
 */
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { LoggerOptions } from 'pino';

/**
 * Security headers. The only HTML this API serves is the approval pages and the programme
 * diagram: inline styles and SVG, no scripts, forms that post to themselves. The approval pages
 * send their own stricter policy (api/routes/approvals.ts), which replaces this one.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'none'"],
        'style-src': ["'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        'base-uri': ["'none'"],
      },
    },
    // The diagram and the approval pages are the only documents; nothing is embedded elsewhere.
    crossOriginResourcePolicy: { policy: 'same-origin' },
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
  });
}

/** Paths of log objects that carry credentials, wherever a logger is handed such an object. */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  'apiKey',
  'secret',
  'token',
  'password',
  'smtpUrl',
  '*.authorization',
  '*.apiKey',
  '*.secret',
  '*.token',
  '*.password',
  '*.smtpUrl',
];

export const LOG_REDACTION: NonNullable<LoggerOptions['redact']> = {
  paths: REDACTED_LOG_PATHS,
  censor: '[redacted]',
};

/** The segment after /approvals/ is a signed approval token: a credential, so it is not logged. */
export function redactUrl(url: unknown): unknown {
  if (typeof url !== 'string') return url;
  return url.replace(/^(\/approvals\/)[^/?#]+/, '$1[redacted]');
}
