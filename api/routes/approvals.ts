/**
 * Approvals by e-mail. The programme manager's routes list the requests of the running step
 * and resend or reassign one. The link routes are what an approver reaches from an e-mail:
 *
 * - GET /approvals/{token} only shows a confirmation page. Mail scanners fetch links to check
 *   them, so a GET never decides anything (and never marks a link used).
 * - POST /approvals/{token} is the form on that page. It verifies the token (signature, expiry),
 *   refuses a link already used, checks it still names the current request and artefact hash,
 *   and sends the decision to the stage workflow with the token's nonce as the Temporal update
 *   id, so double clicks, two tabs and retries record one decision.
 *
 * Link routes answer with HTML pages, including every refusal (with its 4xx status); nothing is
 * recorded unless the decision is accepted.
 */
import { READERS, STEERS } from '../../domain/roles';
import express from 'express';
import { z } from 'zod';
import { sameEmail, type ApprovalRequestView } from '../../domain/approvals';
import { artefactLocation } from '../../domain/artefacts';
import { artefactSummary } from '../../services/artefact-bodies';
import {
  APPROVAL_FORM_MAX_FIELDS,
  APPROVAL_OUTCOMES,
  ApprovalLinkDecision,
  ApprovalLinkForm,
  ReassignApprovalBody,
  type ApprovalOutcome,
} from '../../domain/schemas';
import type { LinkUseStore } from '../../db/approval-store';
import { artefactUrl } from '../../services/approval-links/links';
import { confirmPage, problemPage, resultPage, type LinkProblem } from '../approval-pages/pages';
import { verifyToken, type ApprovalTokenPayload } from '../../services/approval-links/tokens';
import { approvalFormProtection } from '../approval-form';
import { problemRateLimit, type RateLimitSetting } from '../auth';
import { DependencyError, guarded } from '../dependency-errors';
import { programmePath, requireProgramme } from '../handlers';
import { ProgrammeParams } from '../params';
import { ConflictError, NotFoundError, type ApprovalGateway } from '../programme-gateway';
import { defineRoute, type HandlerContext, type Reply, type Route } from '../route';
import type { ProgrammeInStore } from '../store';
import { NoBody, NoQuery } from '../validate';

const TAG = 'Approvals by e-mail';

export interface ApprovalRouteDeps {
  gateway: ApprovalGateway;
  links: LinkUseStore;
  /** The secret the worker signs links with (approvals/secret.ts). */
  secret: string;
  /** Secrets retired by a rotation: links they signed still open until they expire. */
  previousSecrets?: readonly string[];
  /** Requests to the link routes per client address and window (default 60 a minute). */
  rateLimit?: RateLimitSetting;
  /** Mark the form cookie Secure: approvers reach the API over HTTPS (PUBLIC_BASE_URL). */
  secureCookies?: boolean;
}

export const DEFAULT_APPROVAL_LINK_LIMIT: RateLimitSetting = { limit: 60, windowMs: 60_000 };

const Approver = z.object({
  name: z.string(),
  email: z.string(),
  role: z
    .string()
    .meta({ description: 'sponsor, topManagement, complianceLead, or named (from the config)' }),
  escalated: z.boolean().optional(),
});

const ApprovalRequest = z.object({
  requestId: z.string().meta({ description: 'stepKey/gate/v<version>/r<round>; bound into every link' }),
  stepKey: z.string(),
  stepTitle: z.string(),
  gate: z.string(),
  title: z.string(),
  artefact: z.string(),
  artefactVersion: z.number().int(),
  approvalVersion: z.number().int().meta({
    description:
      'The version as the approvers count it: the n-th version sent to them in this step (artefactVersion counts every edit)',
  }),
  round: z.number().int().meta({ description: 'Increases with each reassignment of the same version' }),
  artefactSha256: z.string(),
  summary: z.array(z.string()),
  approvers: z.array(Approver),
  quorum: z.number().int(),
  approvals: z.number().int(),
  votes: z.array(
    z.object({
      approver: z.string(),
      outcome: z.enum(APPROVAL_OUTCOMES),
      decidedAt: z.string(),
      decisionId: z.string(),
    }),
  ),
  waitingFor: z.array(z.string()),
  submittedBy: z.string().optional(),
  issuedAt: z.string(),
  remindersSent: z.number().int(),
  resends: z.number().int(),
  nextReminderAt: z.string().optional(),
  escalated: z.boolean(),
  escalationAt: z.string().optional(),
  dueAt: z.string(),
  overdue: z.boolean(),
  linkValidity: z.string(),
  status: z.enum(['open', 'decided', 'superseded']),
  note: z.string().optional(),
});
const ApprovalRequestList = z.object({ items: z.array(ApprovalRequest) });
const ApprovalPage = z.string().meta({ description: 'HTML page' });

/** Every refusal of a link is a page an approver's browser shows (api/approval-pages/pages.ts). */
const LINK_REFUSAL_PAGES = {
  statuses: [400, 403, 404, 409, 410, 503],
  contentType: 'text/html',
  schema: ApprovalPage,
  description:
    "A page saying why the link cannot be used: not valid, not this approver's or no form token, programme gone, used, superseded or decided, expired, unavailable",
} as const;

const COMPONENTS = { ApprovalRequest, ApprovalRequestList, ApprovalPage };

const GateParams = ProgrammeParams.extend({
  gate: z
    .string()
    .regex(/^[a-z][a-z_]{0,99}$/, 'an approval gate such as scope or ai_policy')
    .meta({ description: 'Approval gate' }),
});
/** Any token string reaches the handler, which answers a bad one with a page rather than JSON. */
const TokenParams = z
  .object({ token: z.string().meta({ description: 'The signed token from the e-mail' }) })
  .strict();
/** Link checkers append tracking parameters; they are ignored rather than refused. */
const LinkQuery = z.looseObject({});

const PAGE_HEADERS = {
  // The token is a credential: keep it out of caches, referrers and search engines.
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Robots-Tag': 'noindex, nofollow',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

function page(status: number, html: string): Reply {
  return {
    status,
    body: undefined,
    raw: { contentType: 'text/html; charset=utf-8', data: html, headers: PAGE_HEADERS },
  };
}

function problem(code: LinkProblem, detail?: string, organisation?: string): Reply {
  const p = problemPage(code, detail, organisation);
  return page(p.status, p.html);
}

/** Maps a refusal by the workflow's validator (ConflictError.code) to its page. */
function conflictPage(err: ConflictError, organisation: string): Reply {
  const byCode: Record<string, LinkProblem> = {
    superseded: 'superseded',
    decided: 'decided',
    'wrong-approver': 'wrong-approver',
    'segregation-of-duties': 'wrong-approver',
    'not-ready': 'superseded',
    'not-in-step': 'superseded',
    'not-open': 'superseded',
  };
  return problem(byCode[err.code ?? ''] ?? 'not-accepted', err.message, organisation);
}

interface OpenLink {
  token: ApprovalTokenPayload;
  programme: ProgrammeInStore;
  request: ApprovalRequestView;
}

/**
 * A request as the API lists it: with the lines describing its artefact version, which the
 * workflows do not carry (they are read from the records, as for the e-mail and the page).
 */
async function withSummary(
  ctx: HandlerContext,
  programmeId: string,
  request: ApprovalRequestView,
): Promise<z.input<typeof ApprovalRequest>> {
  const summary = await artefactSummary(ctx.store, programmeId, request.artefact, request.artefactVersion);
  return { ...request, summary };
}

const quorumText = (r: ApprovalRequestView) =>
  r.quorum > 1
    ? `This gate needs ${r.quorum} approvals (${r.approvals} so far); one rejection decides it.`
    : undefined;

export function approvalRoutes(deps: ApprovalRouteDeps): Route[] {
  const gateway = guarded(deps.gateway, 'temporal');
  const links = guarded(deps.links, 'database');
  // One budget for both link routes: the page and its form.
  const linkLimit = problemRateLimit(deps.rateLimit ?? DEFAULT_APPROVAL_LINK_LIMIT, 'approval link requests');
  const form = approvalFormProtection({ secret: deps.secret, secureCookies: deps.secureCookies ?? false });

  /** A valid signature (current or retired secret) and not expired; otherwise the refusal page. */
  function genuineLink(raw: string, ctx: HandlerContext): ApprovalTokenPayload | Reply {
    const check = verifyToken(raw, [deps.secret, ...(deps.previousSecrets ?? [])], Date.now());
    if (check.ok) return check.payload;
    ctx.log.warn({ reason: check.reason }, 'approval link refused');
    return check.reason === 'expired' ? problem('expired') : problem('invalid');
  }

  /**
   * Everything a genuine link must pass before its page is shown or its decision sent: not used,
   * and still the current request for its approver.
   */
  async function openLink(token: ApprovalTokenPayload, ctx: HandlerContext): Promise<OpenLink | Reply> {
    const use = await links.findLinkUse(token.nonce);
    const programme = await ctx.store.getProgramme(token.programmeId);
    if (!programme) return problem('not-found');
    const organisation = programme.organisation;
    if (use) {
      return problem(
        'used',
        `Recorded: ${use.outcome.replace('_', ' ')} by ${use.approver} at ${use.usedAt}.`,
        organisation,
      );
    }
    let requests: ApprovalRequestView[];
    try {
      requests = await gateway.approvals(token.programmeId);
    } catch (err) {
      if (err instanceof NotFoundError) return problem('not-found', undefined, organisation);
      throw err;
    }
    const request = requests.find((r) => r.gate === token.gate && r.stepKey === token.stepKey);
    if (
      !request ||
      request.requestId !== token.requestId ||
      request.artefactSha256 !== token.artefactSha256
    ) {
      const now = request
        ? `${request.title} is now at version ${request.artefactVersion} (request ${request.requestId}).`
        : 'The programme has moved on from this approval.';
      return problem('superseded', now, organisation);
    }
    if (!request.approvers.some((a) => sameEmail(a.email, token.approver)))
      return problem('wrong-approver', `${request.title} is not decided by ${token.approver}.`, organisation);
    if (request.status !== 'open' || request.votes.some((v) => sameEmail(v.approver, token.approver)))
      return problem('decided', undefined, organisation);
    return { token, programme, request };
  }

  async function confirm(
    link: OpenLink,
    ctx: HandlerContext,
    extra: { error?: string; comment?: string } = {},
  ) {
    const { token, programme, request } = link;
    const summary = await artefactSummary(
      ctx.store,
      token.programmeId,
      request.artefact,
      request.artefactVersion,
    );
    const approver = request.approvers.find((a) => sameEmail(a.email, token.approver));
    return confirmPage({
      organisation: programme.organisation,
      programmeName: programme.name,
      stepTitle: request.stepTitle,
      gateTitle: request.title,
      version: request.approvalVersion,
      ...(request.approvalVersion !== request.artefactVersion && { recordVersion: request.artefactVersion }),
      sha256: request.artefactSha256,
      summary,
      // Same origin as this page, so the link is relative.
      artefactUrl: artefactUrl(
        '',
        token.programmeId,
        artefactLocation(request.artefact),
        request.artefactVersion,
      ),
      approverName: approver?.name ?? token.approver,
      submittedBy: request.submittedBy,
      dueAt: request.dueAt.slice(0, 10),
      overdue: request.overdue,
      quorumText: quorumText(request),
      intended: token.intendedOutcome,
      formToken: ctx.formToken,
      ...extra,
    });
  }

  async function show({ params }: { params: { token: string } }, ctx: HandlerContext): Promise<Reply> {
    try {
      const token = genuineLink(params.token, ctx);
      if ('status' in token) return token;
      const link = await openLink(token, ctx);
      if (!('token' in link)) return link;
      return page(200, await confirm(link, ctx));
    } catch (err) {
      if (err instanceof DependencyError) return problem('unavailable');
      throw err;
    }
  }

  async function decide(
    { params, body }: { params: { token: string }; body: z.output<typeof ApprovalLinkForm> },
    ctx: HandlerContext,
  ): Promise<Reply> {
    try {
      // A link that is not genuine is "not valid" whatever the form says; a genuine one needs
      // the form token of its own page (api/approval-form.ts) before anything is looked up.
      const genuine = genuineLink(params.token, ctx);
      if ('status' in genuine) return genuine;
      if (!ctx.formToken) return problem('form-invalid');
      const link = await openLink(genuine, ctx);
      if (!('token' in link)) return link;
      const form = ApprovalLinkDecision.safeParse(body ?? {});
      if (!form.success) {
        const error = form.error.issues.map((i) => i.message).join('; ');
        const comment = typeof body?.comment === 'string' ? body.comment : undefined;
        return page(400, await confirm(link, ctx, { error, comment }));
      }
      const { token, programme } = link;
      const outcome: ApprovalOutcome = form.data.outcome;
      const evidence = {
        channel: 'email' as const,
        requestId: token.requestId,
        artefactSha256: token.artefactSha256,
        clientIp: ctx.client.ip,
        userAgent: ctx.client.userAgent,
      };
      let result;
      try {
        result = await gateway.decide(
          token.programmeId,
          { gate: token.gate, outcome, approver: token.approver, comment: form.data.comment, evidence },
          token.nonce,
        );
      } catch (err) {
        if (err instanceof ConflictError) return conflictPage(err, programme.organisation);
        if (err instanceof NotFoundError) return problem('not-found', undefined, programme.organisation);
        throw err;
      }
      // Concurrent posts of one link share its update id: Temporal answered them all with the
      // decision that was recorded, which may be another tab's.
      const recorded = result.outcome;
      const comment = recorded === outcome ? form.data.comment : undefined;
      const decidedAt = new Date().toISOString();
      await links.recordLinkUse({
        nonce: token.nonce,
        programmeId: token.programmeId,
        requestId: token.requestId,
        gate: token.gate,
        approver: token.approver,
        outcome: recorded,
        usedAt: decidedAt,
        clientIp: ctx.client.ip ?? null,
        userAgent: ctx.client.userAgent ?? null,
      });
      const still = result.view.pendingApprovals.find((p) => p.gate === token.gate)?.request;
      ctx.log.info(
        { programmeId: token.programmeId, gate: token.gate, outcome: recorded },
        'decision by approval link',
      );
      // The approver, not the anonymous link caller, is who decided (api/audit-hook.ts).
      const decided = page(
        200,
        resultPage({
          organisation: programme.organisation,
          outcome: recorded,
          gateTitle: link.request.title,
          version: link.request.approvalVersion,
          approver: token.approver,
          decidedAt,
          sha256: token.artefactSha256,
          comment,
          quorumText:
            still && still.quorum > 1
              ? `${still.approvals} of ${still.quorum} approvals so far; the gate stays open until the rest decide.`
              : undefined,
        }),
      );
      return {
        ...decided,
        audit: {
          programmeId: token.programmeId,
          actor: { id: token.approver, role: 'approver' },
          subject: token.gate,
          // Concurrent posts of one link all see the one decision recorded: one event for it.
          dedupeKey: `approval-link:${token.nonce}`,
        },
      };
    } catch (err) {
      if (err instanceof DependencyError) return problem('unavailable');
      throw err;
    }
  }

  return [
    defineRoute({
      method: 'get',
      path: '/programmes/{id}/approvals',
      operationId: 'listApprovalRequests',
      access: READERS,
      summary: 'Pending approval requests of the running step',
      description:
        'Who is asked, which artefact version and hash, reminders sent and next due, escalation, when the gate becomes overdue.',
      tag: TAG,
      params: ProgrammeParams,
      query: NoQuery,
      body: NoBody,
      components: COMPONENTS,
      success: { status: 200, description: 'Open requests', schema: ApprovalRequestList },
      handle: async ({ params }, ctx) => {
        await requireProgramme(ctx.store, params.id);
        const open = (await gateway.approvals(params.id)).filter((r) => r.status === 'open');
        const items = await Promise.all(open.map((r) => withSummary(ctx, params.id, r)));
        return { status: 200, body: { items } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/programmes/{id}/approvals/{gate}/resend',
      operationId: 'resendApprovalRequest',
      audit: { action: 'approval.request.resent' },
      access: STEERS,
      summary: 'Send an open approval request again (same links) to those who have not decided',
      tag: TAG,
      params: GateParams,
      query: NoQuery,
      body: NoBody,
      problems: [409],
      components: COMPONENTS,
      success: { status: 202, description: 'Queued for sending', schema: ApprovalRequest, location: true },
      handle: async ({ params }, ctx) => {
        await requireProgramme(ctx.store, params.id);
        const request = await gateway.resendApproval(params.id, params.gate);
        return {
          status: 202,
          body: await withSummary(ctx, params.id, request),
          location: `${programmePath(params.id)}/approvals`,
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/programmes/{id}/approvals/{gate}/reassign',
      operationId: 'reassignApprovalRequest',
      audit: { action: 'approval.request.reassigned' },
      access: STEERS,
      summary: 'Give an open approval request to another person',
      description:
        'Every link sent for the request stops working; new links go out to the new approver (and to any others still to decide) and the reminder clock restarts.',
      tag: TAG,
      params: GateParams,
      query: NoQuery,
      body: ReassignApprovalBody,
      problems: [409],
      components: COMPONENTS,
      success: { status: 200, description: 'The new request', schema: ApprovalRequest },
      handle: async ({ params, body }, ctx) => {
        await requireProgramme(ctx.store, params.id);
        const request = await gateway.reassignApproval(params.id, params.gate, body);
        return { status: 200, body: await withSummary(ctx, params.id, request) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/approvals/{token}',
      operationId: 'approvalLinkPage',
      access: 'approval-link',
      summary: 'Confirmation page of an e-mailed approval link (never decides)',
      description: 'Sets the form token cookie (scoped to the link) that the form on the page posts back.',
      tag: TAG,
      params: TokenParams,
      query: LinkQuery,
      body: NoBody,
      guards: [linkLimit],
      bodyParsers: form.issue,
      problems: [429],
      refusalPages: LINK_REFUSAL_PAGES,
      components: COMPONENTS,
      responseContentType: 'text/html',
      success: {
        status: 200,
        description: 'The confirmation page, or a page saying why not',
        schema: ApprovalPage,
      },
      handle: show,
    }),
    defineRoute({
      method: 'post',
      path: '/approvals/{token}',
      operationId: 'approvalLinkDecide',
      audit: { action: 'approval.decided' },
      access: 'approval-link',
      summary: 'Decide from the confirmation page of an approval link',
      tag: TAG,
      params: TokenParams,
      query: LinkQuery,
      body: ApprovalLinkForm,
      description:
        'Needs the form token of the page (cookie and _csrf field); without it: 403 and nothing is decided.',
      guards: [linkLimit],
      bodyParsers: [
        express.urlencoded({ extended: false, limit: '16kb', parameterLimit: APPROVAL_FORM_MAX_FIELDS }),
        ...form.verify,
      ],
      problems: [429],
      refusalPages: LINK_REFUSAL_PAGES,
      requestContentType: 'application/x-www-form-urlencoded',
      responseContentType: 'text/html',
      components: COMPONENTS,
      success: {
        status: 200,
        description: 'The result page, or a page saying why not',
        schema: ApprovalPage,
      },
      handle: decide,
    }),
  ];
}
