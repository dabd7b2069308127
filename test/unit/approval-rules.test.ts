/**
 * The pure rules behind approval requests: the artefact fingerprint, who is asked, the
 * escalation ladder, the reminder/escalation/expiry timetable, why a decision is refused, the
 * quorum, and the programme settings that drive them. Also: the approval routes are in the
 * OpenAPI document.
 */
import { createHash } from 'node:crypto';
import { canonicalJson as dbCanonicalJson } from '../../db/canonical-json';
import { buildOpenApiDocument } from '../../api/openapi';
import { approvalRoutes } from '../../api/routes/approvals';
import { buildRoutes } from '../../api/routes';
import {
  applyApproval,
  approvalPolicy,
  approvalRejection,
  designatedApprovers,
  newRequest,
  nextEvent,
  nextOnLadder,
  timetable,
  type ApprovalRequest,
} from '../../domain/approvals';
import type { StepContext } from '../../domain/engine';
import { newFacts, type ProgrammeFacts } from '../../domain/facts';
import { canonicalJson, fingerprint, sha256Hex } from '../../domain/fingerprint';
import { stepDef } from '../../domain/process-model';
import { ProgrammeConfig } from '../../domain/schemas';
import type { StepId } from '../../domain/vocabulary';
import { submit } from '../support/engine-harness';
import { PEOPLE, scopeBody } from '../support/fixtures';

const T0 = Date.parse('2027-01-04T09:00:00.000Z');
const HOUR = 3_600_000;

const ctxOf = (step: StepId = 'SCOPING', now = T0): StepContext => ({
  step: stepDef(step),
  stepKey: `c1.${step}.1`,
  now,
});

function scoped(
  config: Partial<ProgrammeConfig> = {},
  submittedBy?: string,
): { d: ProgrammeFacts; ctx: StepContext } {
  const d = newFacts('p-1', 'Acme Ltd', ProgrammeConfig.parse(config));
  const ctx = ctxOf();
  submit(d, ctx, { kind: 'scope', ...scopeBody(), submittedBy });
  return { d, ctx };
}

const scopeDef = stepDef('SCOPING').approvals[0];

describe('artefact fingerprint', () => {
  it('is the SHA-256 the artefacts table records for the same body, whatever the key order', () => {
    const bodies: unknown[] = [
      scopeBody(),
      { b: 1, a: [{ z: 'é€😀', y: null }], c: { e: true, d: 1.5 } },
      'text',
      [],
      { nested: { deeper: { deepest: ['x'.repeat(1000)] } } },
    ];
    for (const body of bodies) {
      expect(canonicalJson(body)).toBe(dbCanonicalJson(body));
      expect(fingerprint(body)).toBe(
        createHash('sha256').update(dbCanonicalJson(body), 'utf8').digest('hex'),
      );
    }
    expect(fingerprint({ a: 1, b: 2 })).toBe(fingerprint({ b: 2, a: 1 }));
  });

  it('matches node:crypto at every padding boundary', () => {
    for (let n = 0; n < 200; n++) {
      const text = 'aé'.repeat(n).slice(0, n);
      expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    }
  });
});

describe('who is asked', () => {
  it('the person in the gate role, or the named approvers, without the submitter', () => {
    expect(designatedApprovers(scoped().d, scopeDef, approvalPolicy(scoped().d.config)).approvers).toEqual([
      { ...PEOPLE.sponsor, role: 'sponsor' },
    ]);
    const named = [PEOPLE.complianceLead, { name: 'Bea', email: 'bea@acme.test' }];
    const { d } = scoped(
      { approvalGates: { scope: { approvers: named, quorum: 1 } } },
      PEOPLE.complianceLead.email,
    );
    expect(designatedApprovers(d, scopeDef, approvalPolicy(d.config)).approvers.map((a) => a.email)).toEqual([
      'bea@acme.test',
    ]);
  });

  it('goes up the ladder when the submitter is the only approver, unless segregation of duties is off', () => {
    const { d } = scoped({}, PEOPLE.sponsor.email);
    const asked = designatedApprovers(d, scopeDef, approvalPolicy(d.config));
    expect(asked.approvers).toEqual([{ ...PEOPLE.topManagement, role: 'topManagement' }]);
    expect(asked.note).toMatch(/may not approve it/);
    const lax = scoped({ segregationOfDuties: false }, PEOPLE.sponsor.email).d;
    expect(designatedApprovers(lax, scopeDef, approvalPolicy(lax.config)).approvers[0].email).toBe(
      PEOPLE.sponsor.email,
    );
  });

  it('escalates to the next rung above the approver: lead > sponsor > CEO, or a custom ladder', () => {
    const { d } = scoped();
    const policy = approvalPolicy(d.config);
    const as = (email: string, role: 'sponsor' | 'topManagement' | 'complianceLead' | 'named') => [
      { name: 'x', email, role },
    ];
    expect(nextOnLadder(d, policy, as(PEOPLE.complianceLead.email, 'complianceLead'), undefined)?.email).toBe(
      PEOPLE.sponsor.email,
    );
    expect(nextOnLadder(d, policy, as(PEOPLE.sponsor.email, 'sponsor'), undefined)?.email).toBe(
      PEOPLE.topManagement.email,
    );
    expect(
      nextOnLadder(d, policy, as(PEOPLE.topManagement.email, 'topManagement'), undefined),
    ).toBeUndefined();
    expect(nextOnLadder(d, policy, as('named@acme.test', 'named'), undefined)?.email).toBe(
      PEOPLE.complianceLead.email,
    );
    const custom = scoped({ approvalEscalation: ['sponsor', { name: 'Board', email: 'board@acme.test' }] }).d;
    expect(
      nextOnLadder(custom, approvalPolicy(custom.config), as(PEOPLE.sponsor.email, 'sponsor'), undefined)
        ?.email,
    ).toBe('board@acme.test');
  });
});

describe('timetable', () => {
  const policy = approvalPolicy(
    ProgrammeConfig.parse({
      approvalReminderInterval: 'PT6H',
      approvalMaxReminders: 2,
      approvalExpiry: 'P1D',
    }),
  );
  const request = (over: Partial<ApprovalRequest> = {}): ApprovalRequest => ({
    ...newRequest(scoped().d, ctxOf(), scopeDef, policy, 1),
    ...over,
  });

  it('reminds every interval up to the maximum, escalates one interval later, and expires', () => {
    expect(timetable(request(), policy)).toEqual({
      nextReminderAt: T0 + 6 * HOUR,
      escalationAt: T0 + 18 * HOUR,
      dueAt: T0 + 24 * HOUR,
    });
    expect(timetable(request({ remindersSent: 1 }), policy).nextReminderAt).toBe(T0 + 12 * HOUR);
    expect(timetable(request({ remindersSent: 2 }), policy).nextReminderAt).toBeUndefined();
    expect(nextEvent(request({ remindersSent: 2 }), policy)).toEqual({
      at: T0 + 18 * HOUR,
      event: 'escalation',
    });
    expect(nextEvent(request({ remindersSent: 2, escalated: true }), policy)).toEqual({
      at: T0 + 24 * HOUR,
      event: 'expiry',
    });
    expect(nextEvent(request({ remindersSent: 2, escalated: true, overdue: true }), policy)).toBeUndefined();
    expect(nextEvent(request({ status: 'decided' }), policy)).toBeUndefined();
  });

  it('uses the defaults for programmes whose config predates the settings', () => {
    const old = { ...ProgrammeConfig.parse({}) };
    expect(approvalPolicy(old)).toMatchObject({
      reminderInterval: 'P3D',
      maxReminders: 2,
      expiry: 'P14D',
      linkValidity: 'P30D',
      escalation: ['complianceLead', 'sponsor', 'topManagement'],
      segregationOfDuties: true,
    });
  });
});

describe('decisions', () => {
  it('name why they are refused, and a k-of-n gate is decided by the k-th approval or one rejection', () => {
    const bea = { name: 'Bea', email: 'bea@acme.test' };
    const cal = { name: 'Cal', email: 'cal@acme.test' };
    const { d, ctx } = scoped(
      { approvalGates: { scope: { approvers: [bea, cal], quorum: 2 } } },
      PEOPLE.sponsor.email,
    );
    const policy = approvalPolicy(d.config);
    const r = newRequest(d, ctx, scopeDef, policy, 1);
    const link = { channel: 'email' as const, requestId: r.requestId, artefactSha256: r.artefactSha256 };
    const code = (approver: string, evidence = link) =>
      approvalRejection(d, ctx, r, { gate: 'scope', outcome: 'approved', approver, evidence }, policy)
        ?.code ?? null;

    expect(code(PEOPLE.sponsor.email)).toBe('segregation-of-duties');
    expect(code(PEOPLE.topManagement.email)).toBe('wrong-approver');
    expect(code(bea.email, { ...link, requestId: `${r.requestId}x` })).toBe('superseded');
    expect(code(bea.email, { ...link, artefactSha256: '0'.repeat(64) })).toBe('superseded');
    expect(
      approvalRejection(d, ctx, r, { gate: 'roadmap', outcome: 'approved', approver: bea.email }, policy)
        ?.code,
    ).toBe('not-in-step');
    expect(code(bea.email)).toBeNull();

    const first = applyApproval(
      d,
      ctx,
      r,
      { gate: 'scope', outcome: 'approved', approver: bea.email, evidence: link },
      'n-1',
    );
    expect(first.approvals?.[0]).toMatchObject({ quorum: '1 of 2', channel: 'email', decisionId: 'n-1' });
    expect(d.approvals['c1.SCOPING.1/scope']).toBeUndefined();
    expect(code(bea.email)).toBe('decided');

    applyApproval(d, ctx, r, { gate: 'scope', outcome: 'approved', approver: cal.email }, 'n-2');
    expect(d.approvals['c1.SCOPING.1/scope']).toMatchObject({
      outcome: 'approved',
      approver: cal.email,
      quorum: '2 of 2',
      channel: 'api',
      artefactSha256: r.artefactSha256,
    });
    expect(r.status).toBe('decided');
    expect(code(cal.email)).toBe('decided');
  });
});

describe('settings and routes', () => {
  it('refuses a quorum larger than the approvers, an unknown gate and a bad ladder', () => {
    const bad = [
      { approvalGates: { scope: { approvers: [PEOPLE.sponsor], quorum: 2 } } },
      { approvalGates: { lunch: { quorum: 1 } } },
      { approvalEscalation: ['janitor'] },
      { approvalReminderInterval: 'every day' },
    ];
    for (const config of bad) expect(ProgrammeConfig.safeParse(config).success).toBe(false);
  });

  it('documents the approval routes in the OpenAPI document, the link pages as HTML', () => {
    const gateway = {
      approvals: () => Promise.resolve([]),
      decide: () => Promise.reject(new Error('unused')),
      resendApproval: () => Promise.reject(new Error('unused')),
      reassignApproval: () => Promise.reject(new Error('unused')),
    };
    const links = { findLinkUse: () => Promise.resolve(null), recordLinkUse: () => Promise.resolve(true) };
    const doc = buildOpenApiDocument([
      ...buildRoutes({ workflowIdFor: (id) => id }),
      ...approvalRoutes({ gateway, links, secret: 'x'.repeat(32) }),
    ]);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/programmes/{id}/approvals',
        '/programmes/{id}/approvals/{gate}/resend',
        '/programmes/{id}/approvals/{gate}/reassign',
        '/approvals/{token}',
      ]),
    );
    const post = doc.paths['/approvals/{token}']?.post as unknown as {
      requestBody: { content: Record<string, unknown> };
      responses: Record<string, { content?: Record<string, unknown> }>;
    };
    expect(Object.keys(post.requestBody.content)).toEqual(['application/x-www-form-urlencoded']);
    expect(Object.keys(post.responses['200'].content ?? {})).toEqual(['text/html']);
  });
});
