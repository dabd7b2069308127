/**
 * Approval links on real parts: a Temporal dev server, the real worker and API, each test
 * database, and a real SMTP server in the test that receives the mail. Checks that only a
 * genuine, current, unused link decides, that a GET never does, and that concurrent POSTs of
 * one link record exactly one decision.
 */
import { createAuditTrail } from '../../services/audit-trail';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundle } from '@temporalio/worker';
import type { ScopeBody, StageInput } from '../../domain/schemas';
import {
  deriveNonce,
  signToken,
  verifyToken,
  type ApprovalTokenPayload,
} from '../../services/approval-links/tokens';
import { testDatabases } from '../support/databases';
import { PEOPLE, scopeBody } from '../support/fixtures';
import { http, HttpJourneyPort } from '../support/http-port';
import { MailCatcher, type ReceivedMail } from '../support/mail';
import { startStack, type Stack } from '../support/stack';
import { createLocalEnv } from '../support/temporal';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
let smtp: MailCatcher;

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  env = await createLocalEnv();
  bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: new DefaultLogger('WARN'),
  });
  smtp = await MailCatcher.start();
});

afterAll(async () => {
  await smtp?.stop();
  await env?.teardown();
});

interface Page {
  status: number;
  html: string;
  /** data-problem of a refusal page, data-outcome of a result page. */
  problem?: string;
  outcome?: string;
}

/** What a browser holds after opening a link's page: the form token cookie and the hidden field. */
interface FormSession {
  cookie: string;
  token: string;
}

async function openForm(url: string): Promise<FormSession> {
  const res = await fetch(url, { redirect: 'manual' });
  const html = await res.text();
  const cookie = /^([^=;\s]+)=([^;]*)/.exec(res.headers.get('set-cookie') ?? '');
  if (!cookie) throw new Error(`no form cookie from GET ${url}`);
  // Refusal pages have no form; the cookie still carries the token a browser would post back.
  const field = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  return { cookie: `${cookie[1]}=${cookie[2]}`, token: field ?? decodeURIComponent(cookie[2]) };
}

/** A GET, or a POST of the link's form as a browser sends it after opening the page. */
async function visit(url: string, method = 'GET', form?: Record<string, string>): Promise<Page> {
  const auth = method === 'POST' ? await openForm(url) : undefined;
  const res = await fetch(url, {
    method,
    headers: {
      ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      ...(auth ? { cookie: auth.cookie } : {}),
    },
    body: form
      ? new URLSearchParams({ ...(auth ? { _csrf: auth.token } : {}), ...form }).toString()
      : undefined,
    redirect: 'manual',
  });
  const html = await res.text();
  return {
    status: res.status,
    html,
    problem: /data-problem="([^"]+)"/.exec(html)?.[1],
    outcome: /data-outcome="([^"]+)"/.exec(html)?.[1],
  };
}

const tokenOf = (url: string) => decodeURIComponent(new URL(url).pathname.split('/').pop() as string);
const payloadOf = (url: string) =>
  JSON.parse(Buffer.from(tokenOf(url).split('.')[0], 'base64url').toString('utf8')) as ApprovalTokenPayload;
const withToken = (url: string, token: string) => `${new URL(url).origin}/approvals/${token}`;
const scopeInput = (extra: Partial<ScopeBody> = {}) =>
  ({ kind: 'scope', ...scopeBody(), ...extra }) as StageInput;

describe.each(testDatabases())('approval links on $name', (db) => {
  let stack: Stack;
  const api = (method: string, path: string, body?: unknown) =>
    http(stack.baseUrl(), method, path, body, stack.authHeader('programme-manager'));

  beforeAll(async () => {
    stack = await startStack({
      address: env.address,
      databaseUrl: await db.freshDatabase('links'),
      workflowBundle: bundle,
      smtpUrl: smtp.url,
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await db.cleanup();
  });

  async function programmeInScoping(): Promise<HttpJourneyPort> {
    const res = await api('POST', '/programmes', { organisation: 'Acme Ltd', name: `Links ${db.name}` });
    const port = new HttpJourneyPort(
      () => stack.baseUrl(),
      (res.body as { id: string }).id,
      stack.authHeader('programme-manager'),
    );
    await port.waitForStep('SCOPING');
    return port;
  }

  const requestMail = (p: HttpJourneyPort, version: number, to = PEOPLE.sponsor.email) =>
    smtp.waitFor(
      (m) =>
        m.programmeId === p.programmeId && m.to === to && (m.requestId ?? '').includes(`/scope/v${version}/`),
      `scope v${version} request to ${to}`,
    );

  const decisions = async (p: HttpJourneyPort) =>
    (
      (await api('GET', `/programmes/${p.programmeId}/decisions`)).body as {
        items: Record<string, unknown>[];
      }
    ).items;

  /** What must not change when a link is refused: no decision, the gate still pending, the step. */
  async function snapshot(p: HttpJourneyPort) {
    const detail = await p.detail();
    return {
      decisions: await decisions(p),
      step: detail.step,
      pending: (detail.pendingApprovals as { gate: string; request?: { requestId: string } }[]).map((a) => [
        a.gate,
        a.request?.requestId,
      ]),
    };
  }

  let programme: HttpJourneyPort;
  let v1: ReceivedMail;

  test('the approval request arrives by SMTP with text and HTML parts, a summary and three links', async () => {
    programme = await programmeInScoping();
    await programme.submit(scopeInput());
    v1 = await requestMail(programme, 1);
    expect(v1.subject).toMatch(/Decision needed on AIMS scope v1 \(Acme Ltd\)/);
    expect(v1.text).toMatch(/AI systems in scope \(2 of 3\): Support assistant, Fraud scoring model/);
    expect(v1.html).toMatch(/<a href="http:\/\/127\.0\.0\.1:\d+\/approvals\/[^"]+"[^>]*>Approve<\/a>/);
    expect(v1.links).toBeDefined();
    const stored = (await api('GET', `/programmes/${programme.programmeId}/artefacts/scope?version=1`))
      .body as {
      sha256: string;
    };
    const payload = payloadOf(v1.links?.approve as string);
    expect(payload).toMatchObject({
      programmeId: programme.programmeId,
      gate: 'scope',
      approver: PEOPLE.sponsor.email,
      artefactSha256: stored.sha256,
      intendedOutcome: 'approved',
    });
    expect(verifyToken(tokenOf(v1.links?.approve as string), stack.approvalSecret, Date.now()).ok).toBe(true);
    const listed = (await api('GET', `/programmes/${programme.programmeId}/approvals`)).body as {
      items: { requestId: string; waitingFor: string[]; artefactSha256: string }[];
    };
    expect(listed.items).toEqual([
      expect.objectContaining({
        requestId: payload.requestId,
        waitingFor: [PEOPLE.sponsor.email],
        artefactSha256: stored.sha256,
      }),
    ]);
  });

  test('a link scanner that fetches every link (GET and HEAD) decides nothing', async () => {
    const before = await snapshot(programme);
    for (const url of Object.values(v1.links ?? {})) {
      const page = await visit(url);
      expect(page.status).toBe(200);
      expect(page.html).toMatch(/<form method="post">/);
      expect(page.html).toContain(payloadOf(url).artefactSha256);
      expect((await visit(url, 'HEAD')).status).toBe(200);
    }
    expect(await snapshot(programme)).toEqual(before);
    expect(await stack.approvalStore().findLinkUse(payloadOf(v1.links?.approve as string).nonce)).toBeNull();
  });

  test('forged, tampered, malformed, expired and wrong-approver links get a page, and nothing changes', async () => {
    const before = await snapshot(programme);
    const approve = v1.links?.approve as string;
    const payload = payloadOf(approve);
    const [body, signature] = tokenOf(approve).split('.');
    const tampered = Buffer.from(
      JSON.stringify({ ...payload, approver: PEOPLE.topManagement.email }),
    ).toString('base64url');
    const mallory = 'mallory@acme.test';
    const cases: [string, string, number, string][] = [
      ['forged', signToken(payload, 'a-different-secret-of-at-least-32-chars'), 400, 'invalid'],
      ['tampered', `${tampered}.${signature}`, 400, 'invalid'],
      ['malformed', `${body}`, 400, 'invalid'],
      [
        'expired',
        signToken({ ...payload, exp: Math.floor(Date.now() / 1000) - 60 }, stack.approvalSecret),
        410,
        'expired',
      ],
      [
        'wrong approver',
        signToken(
          {
            ...payload,
            approver: mallory,
            nonce: deriveNonce(stack.approvalSecret, payload.programmeId, payload.requestId, mallory),
          },
          stack.approvalSecret,
        ),
        403,
        'wrong-approver',
      ],
    ];
    for (const [name, token, status, problem] of cases) {
      for (const method of ['GET', 'POST']) {
        const page = await visit(
          withToken(approve, token),
          method,
          method === 'POST' ? { outcome: 'approved' } : undefined,
        );
        expect({ name, method, status: page.status, problem: page.problem }).toEqual({
          name,
          method,
          status,
          problem,
        });
        expect(page.html).toMatch(/Nothing was recorded/);
      }
    }
    expect(await snapshot(programme)).toEqual(before);
  });

  let v2: ReceivedMail;

  test('a link for a superseded version is refused; a reject without comment re-asks; nothing changes', async () => {
    await programme.submit(scopeInput({ statement: 'Revised scope: every EU AI system' }));
    v2 = await requestMail(programme, 2);
    const before = await snapshot(programme);
    expect(before.pending).toEqual([['scope', payloadOf(v2.links?.approve as string).requestId]]);

    const stale = await visit(v1.links?.approve as string, 'POST', { outcome: 'approved' });
    expect([stale.status, stale.problem]).toEqual([409, 'superseded']);
    expect((await visit(v1.links?.approve as string)).problem).toBe('superseded');

    const noComment = await visit(v2.links?.reject as string, 'POST', { outcome: 'rejected', comment: '  ' });
    expect(noComment.status).toBe(400);
    expect(noComment.html).toMatch(/a comment is required to reject or request changes/);
    const badOutcome = await visit(v2.links?.approve as string, 'POST', { outcome: 'maybe' });
    expect(badOutcome.status).toBe(400);
    expect(await snapshot(programme)).toEqual(before);
  });

  test('the form refuses a POST without its token or with another link’s token (403), and nothing changes', async () => {
    const before = await snapshot(programme);
    const approve = v2.links?.approve as string;
    const page = await openForm(approve);
    expect(page.token).toMatch(/^[0-9a-f]+\.[0-9a-f]+$/);
    const refusals = [
      await fetch(approve, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'outcome=approved',
      }),
      await fetch(approve, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: page.cookie },
        body: new URLSearchParams({ outcome: 'approved', _csrf: `${page.token}0` }).toString(),
      }),
    ];
    // The reject link's page hands out a token bound to that link, not to the approve link.
    const other = await openForm(v2.links?.reject as string);
    refusals.push(
      await fetch(approve, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: other.cookie },
        body: new URLSearchParams({ outcome: 'approved', _csrf: other.token }).toString(),
      }),
    );
    for (const res of refusals) {
      // The approver is in a browser: the refusal is a page like every other answer of the link.
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await res.text()).toMatch(/data-problem="form-invalid"[\s\S]*Nothing has been decided/);
    }
    expect(await snapshot(programme)).toEqual(before);
    expect(await stack.approvalStore().findLinkUse(payloadOf(approve).nonce)).toBeNull();
  });

  test('two concurrent POSTs of one link record exactly one decision; a later reuse is refused', async () => {
    const approve = v2.links?.approve as string;
    const { nonce, requestId, artefactSha256 } = payloadOf(approve);
    // A double click, a second tab with another choice, and a retry, all at once.
    const pages = await Promise.all([
      visit(approve, 'POST', { outcome: 'approved' }),
      visit(approve, 'POST', { outcome: 'approved' }),
      visit(v2.links?.reject as string, 'POST', { outcome: 'rejected', comment: 'Second tab' }),
      visit(approve, 'POST', { outcome: 'approved' }),
    ]);
    const recorded = (await decisions(programme)).filter((d) => d.gate === 'scope');
    expect(recorded).toHaveLength(1);
    const winner = recorded[0].outcome;
    expect(pages.filter((p) => p.status === 200).length).toBeGreaterThan(0);
    for (const p of pages) {
      // Every page tells the truth: the one decision recorded, or that it was already made. A
      // loser that reads after the workflow took the decision but before the link's use is
      // stored learns it from the workflow ('decided'), otherwise from the store ('used').
      if (p.status === 200) expect(p.outcome).toBe(winner);
      else expect(['used', 'decided']).toContain(p.problem);
    }
    expect(recorded).toEqual([
      expect.objectContaining({
        decisionId: nonce,
        outcome: winner,
        approver: PEOPLE.sponsor.email,
        artefactVersion: 2,
        artefactSha256,
        requestId,
        channel: 'email',
        clientIp: expect.stringMatching(/127\.0\.0\.1/) as unknown,
        userAgent: expect.any(String) as unknown,
      }),
    ]);
    // Temporal saw one decision update for this link, however many requests carried it.
    const history = await stack
      .client()
      .workflow.getHandle(`programme-${programme.programmeId}/c1.SCOPING.1`)
      .fetchHistory();
    const accepted = (history.events ?? []).filter(
      (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId === nonce,
    );
    expect(accepted).toHaveLength(1);
    // And the audit trail records it once, not once per request that carried it.
    const events = await createAuditTrail(stack.dataSource()).list(programme.programmeId);
    expect(events.filter((e) => e.action === 'approval.decided' && e.subject === 'scope')).toHaveLength(1);

    const reuse = await visit(approve, 'POST', { outcome: 'rejected', comment: 'Changed my mind' });
    expect([reuse.status, reuse.problem]).toEqual([409, 'used']);
    expect((await visit(v2.links?.changes as string)).problem).toBe('used');
    // Whichever choice won is what the journey acts on.
    const next = winner === 'approved' ? 'GAP_ANALYSIS' : 'SCOPING';
    await programme.waitFor((p) => p.step === next && p.accepts.length > 0, `step ${next}`);
    expect((await decisions(programme)).filter((d) => d.gate === 'scope')).toHaveLength(1);
  });

  test('resend repeats the same links; reassignment cancels them and the new approver decides', async () => {
    const p = await programmeInScoping();
    await p.submit(scopeInput());
    const first = await requestMail(p, 1);
    const resent = await api('POST', `/programmes/${p.programmeId}/approvals/scope/resend`);
    expect(resent.status).toBe(202);
    const again = await smtp.waitFor(
      (m) => m.programmeId === p.programmeId && m.kind === 'approval-resend',
      'resend',
    );
    expect(payloadOf(again.links?.approve as string).nonce).toBe(
      payloadOf(first.links?.approve as string).nonce,
    );

    const delegate = { name: 'Dee Delegate', email: 'delegate@acme.test' };
    expect(
      (await api('POST', `/programmes/${p.programmeId}/approvals/scope/reassign`, { approver: 'x' })).status,
    ).toBe(400);
    const reassigned = await api('POST', `/programmes/${p.programmeId}/approvals/scope/reassign`, {
      approver: delegate,
      reason: 'Sponsor on leave',
    });
    expect(reassigned.status).toBe(200);
    expect(reassigned.body).toMatchObject({
      round: 2,
      approvers: [expect.objectContaining({ email: delegate.email })],
    });
    for (const mail of [first, again]) {
      const old = await visit(mail.links?.approve as string, 'POST', { outcome: 'approved' });
      expect([old.status, old.problem]).toEqual([409, 'superseded']);
    }
    expect(await decisions(p)).toEqual([]);

    const theirs = await requestMail(p, 1, delegate.email);
    expect(theirs.kind).toBe('approval-reassigned');
    const page = await visit(theirs.links?.changes as string, 'POST', {
      outcome: 'changes_requested',
      comment: 'Name the data protection officer',
    });
    expect([page.status, page.outcome]).toEqual([200, 'changes_requested']);
    expect((await decisions(p)).map((d) => [d.approver, d.outcome, d.comment])).toEqual([
      [delegate.email, 'changes_requested', 'Name the data protection officer'],
    ]);
    // Nothing is open any more, so the controls answer 409 with the reason.
    const late = await api('POST', `/programmes/${p.programmeId}/approvals/scope/resend`);
    expect(late.status).toBe(409);
    expect((late.body as { detail: string }).detail).toMatch(/no approval request is open for gate scope/);
    expect((await api('GET', '/programmes/00000000-0000-4000-8000-000000000000/approvals')).status).toBe(404);
  });
});
