/**
 * Anti-forgery protection of the approval confirmation form (double-submit cookie, csrf-csrf).
 * GET /approvals/{token} issues a token: in a cookie scoped to that link's path and in a hidden
 * form field. POST /approvals/{token} must carry both, equal, and signed for that very link. The
 * check only notes its verdict (res.locals.formToken is set when it passed): the handler answers
 * a link that is not genuine with "not valid" first, and a genuine link without a valid form
 * token with a 403 page, before the decision is even looked at. A page elsewhere cannot read the
 * cookie or the page, so it cannot make an approver's browser decide.
 *
 * The cookie's path is the link itself, so links open in several tabs keep their own tokens.
 */
import { createHmac } from 'node:crypto';
import cookieParser from 'cookie-parser';
import type { Request, RequestHandler } from 'express';
import { doubleCsrf } from 'csrf-csrf';

export const FORM_TOKEN_FIELD = '_csrf';

export interface ApprovalFormProtection {
  /** For the GET page: sets the cookie and hands the token to the page (res.locals.formToken). */
  issue: RequestHandler[];
  /** For the POST, after the form body is parsed: sets res.locals.formToken only when the token is valid. */
  verify: RequestHandler[];
}

const linkPath = (req: Request): string => `${req.baseUrl}${req.path}`;
const linkToken = (req: Request): string => (typeof req.params.token === 'string' ? req.params.token : '');

export function approvalFormProtection(options: {
  /** The approval link secret; the form tokens are signed with a key derived from it. */
  secret: string;
  /** Secure cookies: set when approvers reach the API over HTTPS. */
  secureCookies: boolean;
}): ApprovalFormProtection {
  const formSecret = createHmac('sha256', options.secret)
    .update('aimsflow approval form token')
    .digest('hex');
  const { generateCsrfToken, validateRequest } = doubleCsrf({
    getSecret: () => formSecret,
    getSessionIdentifier: linkToken,
    cookieName: options.secureCookies ? '__Secure-aimsflow-form' : 'aimsflow-form',
    cookieOptions: { sameSite: 'strict', secure: options.secureCookies, httpOnly: true },
    getCsrfTokenFromRequest: (req) => {
      const value: unknown = (req.body as Record<string, unknown> | undefined)?.[FORM_TOKEN_FIELD];
      return typeof value === 'string' ? value : undefined;
    },
  });
  const cookies = cookieParser();

  const issue: RequestHandler = (req, res, next) => {
    (res.locals as { formToken?: string }).formToken = generateCsrfToken(req, res, {
      cookieOptions: { path: linkPath(req) },
    });
    next();
  };

  const verify: RequestHandler = (req, res, next) => {
    if (validateRequest(req))
      (res.locals as { formToken?: string }).formToken = (req.body as Record<string, string>)[
        FORM_TOKEN_FIELD
      ];
    next();
  };

  return { issue: [cookies, issue], verify: [cookies, verify] };
}
