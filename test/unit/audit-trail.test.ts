/**
 * The audit trail's pure parts: the hash chain and its verification against every kind of
 * tampering, the hook that appends an event per successful write, and the rule that every
 * state-changing route of the production route table declares its audit action.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import { Client, Connection } from '@temporalio/client';
import fc from 'fast-check';
import pino from 'pino';
import { AuditHook } from '../../api/audit-hook';
import { buildOpenApiDocument } from '../../api/openapi';
import type { Reply, Route } from '../../api/route';
import { buildRoutes } from '../../api/routes';
import { apiFeatures } from '../../api/features';
import { createDataSource } from '../../db/data-source';
import {
  GENESIS_HASH,
  SERVICE_CHAIN,
  auditEventHash,
  linkEvent,
  verifyChain,
  type AuditDraft,
  type AuditEvent,
} from '../../domain/audit-chain';
import { canonicalJson } from '../../domain/fingerprint';

const CHAIN = 'p-1';

function draft(n: number): AuditDraft {
  return {
    chainId: CHAIN,
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    actorId: n % 2 ? 'key-pm' : 'system',
    actorRole: n % 2 ? 'programme-manager' : 'system',
    action: n % 2 ? 'stage.input.accepted:scope' : 'step.entered:SCOPING',
    subject: `record-${n}`,
    beforeDigest: n === 1 ? null : 'a'.repeat(64),
    afterDigest: 'b'.repeat(64),
    temporalEvent: n % 2 ? null : { workflowId: 'programme-p-1', runId: 'r', activityId: String(n) },
    dedupeKey: n % 2 ? null : `transition:${n}`,
  };
}

function chainOf(length: number, from: AuditEvent[] = []): AuditEvent[] {
  const events = [...from];
  for (let n = events.length + 1; n <= length; n++) {
    const last = events[events.length - 1];
    events.push(linkEvent(draft(n), last ? { seq: last.seq, hash: last.hash } : null));
  }
  return events;
}

describe('the hash chain', () => {
  it('numbers events from 1, starts from the genesis hash and links each to the one before', () => {
    const events = chainOf(4);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(events[0].prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < events.length; i++) expect(events[i].prevHash).toBe(events[i - 1].hash);
    expect(verifyChain(CHAIN, events)).toEqual({
      chainId: CHAIN,
      ok: true,
      checked: 4,
      anchorsChecked: 0,
      head: { seq: 4, hash: events[3].hash },
    });
    expect(verifyChain(CHAIN, [])).toMatchObject({ ok: true, checked: 0, head: null });
  });

  it('hashes the canonical JSON of every field but the hash, as an auditor can with any SHA-256 tool', () => {
    const [event] = chainOf(1);
    const { hash, ...rest } = event;
    expect(hash).toBe(createHash('sha256').update(canonicalJson(rest), 'utf8').digest('hex'));
    expect(auditEventHash({ ...rest, dedupeKey: 'other' })).not.toBe(hash);
  });

  it('reports an edited field as a hash mismatch at that event', () => {
    const events = chainOf(5);
    events[2] = { ...events[2], actorId: 'someone-else' };
    expect(verifyChain(CHAIN, events)).toMatchObject({
      ok: false,
      checked: 3,
      firstBroken: { seq: 3, reason: 'hash-mismatch' },
    });
  });

  it('reports a deleted event as a gap at its sequence number', () => {
    const events = chainOf(5);
    events.splice(1, 1);
    expect(verifyChain(CHAIN, events).firstBroken).toMatchObject({
      seq: 2,
      reason: 'gap',
      detail: 'seq 2 is missing',
    });
    expect(verifyChain(CHAIN, chainOf(5).slice(1)).firstBroken).toMatchObject({ seq: 1, reason: 'gap' });
  });

  it('reports two events that swapped sequence numbers as a broken link at the earlier one', () => {
    const events = chainOf(5);
    const swapped = [events[0], { ...events[3], seq: 2 }, events[2], { ...events[1], seq: 4 }, events[4]];
    expect(verifyChain(CHAIN, swapped).firstBroken).toMatchObject({ seq: 2, reason: 'prev-link' });
  });

  it('reports events out of order (an exported file shuffled) as an order break', () => {
    const events = chainOf(3);
    expect(verifyChain(CHAIN, [events[0], events[1], events[1]]).firstBroken).toMatchObject({
      seq: 2,
      reason: 'order',
    });
  });

  it('cannot see a rewrite with recomputed hashes on its own, but an anchor taken before it can', () => {
    const original = chainOf(6);
    const anchor = { seq: 4, hash: original[3].hash };
    // Everything from seq 3 on rewritten (another actor), every later hash recomputed.
    const rewritten = original.slice(0, 2);
    for (let n = 3; n <= 6; n++) {
      const last = rewritten[rewritten.length - 1];
      rewritten.push(linkEvent({ ...draft(n), actorId: 'forger' }, { seq: last.seq, hash: last.hash }));
    }
    expect(verifyChain(CHAIN, rewritten).ok).toBe(true);
    expect(verifyChain(CHAIN, rewritten, [{ seq: 1, hash: original[0].hash }, anchor])).toMatchObject({
      ok: false,
      anchorsChecked: 2,
      firstBroken: { seq: 4, reason: 'anchor-mismatch' },
    });
    // Anchors before the rewrite still hold; only the original chain satisfies both.
    expect(verifyChain(CHAIN, original, [anchor])).toMatchObject({ ok: true, anchorsChecked: 1 });
  });

  it('reports a chain truncated below an anchor as a missing anchored event', () => {
    const events = chainOf(5);
    expect(
      verifyChain(CHAIN, events.slice(0, 3), [{ seq: 5, hash: events[4].hash }]).firstBroken,
    ).toMatchObject({
      seq: 5,
      reason: 'anchor-missing',
    });
  });

  it('detects any change to any field of any event (property)', () => {
    const events = chainOf(6);
    const fields = [
      'at',
      'actorId',
      'actorRole',
      'action',
      'subject',
      'beforeDigest',
      'afterDigest',
      'dedupeKey',
    ] as const;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: events.length - 1 }),
        fc.constantFrom(...fields),
        fc.string({ minLength: 1 }),
        (index, field, value) => {
          fc.pre(events[index][field] !== value);
          const tampered = events.map((e, i) => (i === index ? { ...e, [field]: value } : e));
          const report = verifyChain(CHAIN, tampered);
          return !report.ok && report.firstBroken?.seq === index + 1;
        },
      ),
    );
  });
});

describe('the audit hook of the API', () => {
  const log = pino({ level: 'silent' });
  const route = (action?: string) => ({ operationId: 'op', ...(action && { audit: { action } }) }) as Route;
  const store = {
    getProgramme: (id: string) =>
      Promise.resolve(
        id === 'p-1' ? { programmeId: 'p-1', organisation: 'A', name: 'N', workflowId: 'w' } : null,
      ),
    listTransitions: () => Promise.resolve([]),
    listAssessments: () => Promise.resolve([]),
    listTasks: () => Promise.resolve([]),
    listArtefacts: () => Promise.resolve([]),
    listAudits: () => Promise.resolve([]),
    listFindings: () => Promise.resolve([]),
    listDecisions: () => Promise.resolve([]),
    listCertificates: () => Promise.resolve([]),
  };
  const actor = { id: 'key-1', role: 'programme-manager' } as const;

  function hookWith() {
    const appended: AuditDraft[] = [];
    const hook = new AuditHook({ append: (d) => Promise.resolve(appended.push(d)) }, store);
    return { appended, hook };
  }

  it('appends one event after a 2xx answer with the caller, the subject and both digests', async () => {
    const { appended, hook } = hookWith();
    const reply: Reply = { status: 200, body: { recordId: 'T-7', stepKey: 'c1.GAP_ANALYSIS.1' } };
    await hook.around(
      route('stage.input.accepted:roadmapTask'),
      { params: { id: 'p-1' }, actor, idempotencyKey: 'k-1', log },
      () => Promise.resolve(reply),
    );
    expect(appended).toHaveLength(1);
    expect(appended[0]).toMatchObject({
      chainId: 'p-1',
      actorId: 'key-1',
      actorRole: 'programme-manager',
      action: 'stage.input.accepted:roadmapTask',
      subject: 'T-7',
      temporalEvent: { stepKey: 'c1.GAP_ANALYSIS.1', updateId: 'k-1' },
    });
    expect(appended[0].beforeDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(appended[0].afterDigest).toBe(appended[0].beforeDigest);
    expect(appended[0].dedupeKey).toMatch(/^api:[0-9a-f]{64}$/);
    expect(Date.parse(appended[0].at)).not.toBeNaN();
  });

  it('appends nothing for a refused or failed request, or a route without an audit declaration', async () => {
    const { appended, hook } = hookWith();
    const request = { params: { id: 'p-1' }, actor, log };
    await hook.around(route('approval.decided'), request, () => Promise.resolve({ status: 409, body: {} }));
    await expect(
      hook.around(route('approval.decided'), request, () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    await hook.around(route(), request, () => Promise.resolve({ status: 200, body: {} }));
    expect(appended).toEqual([]);
  });

  it('records the approver a link names and the programme it belongs to, and a new programme by its id', async () => {
    const { appended, hook } = hookWith();
    const link = {
      params: { token: 'secret-token' },
      actor: { id: 'anonymous', role: 'anonymous' } as const,
      log,
    };
    await hook.around(route('approval.decided'), link, () =>
      Promise.resolve({
        status: 200,
        body: undefined,
        audit: { programmeId: 'p-1', actor: { id: 'ceo@acme.test', role: 'approver' }, subject: 'scope' },
      }),
    );
    await hook.around(route('programme.created'), { params: {}, actor, log }, () =>
      Promise.resolve({ status: 201, body: { id: 'p-1' } }),
    );
    await hook.around(route('apikey.revoked'), { params: { keyId: 'k-9' }, actor, log }, () =>
      Promise.resolve({ status: 204, body: undefined }),
    );
    expect(appended.map((e) => [e.chainId, e.actorId, e.action, e.subject, e.beforeDigest === null])).toEqual(
      [
        ['p-1', 'ceo@acme.test', 'approval.decided', 'scope', true],
        ['p-1', 'key-1', 'programme.created', 'p-1', true],
        [SERVICE_CHAIN, 'key-1', 'apikey.revoked', 'keyId=k-9', true],
      ],
    );
    expect(JSON.stringify(appended)).not.toContain('secret-token');
  });
});

describe('the production route table', () => {
  it('declares an audit action on every route that is not a read', async () => {
    // Constructed, never connected: the feature modules only keep these for later calls.
    const dataSource = createDataSource('sqlite::memory:');
    const client = new Client({ connection: Connection.lazy() });
    const unused = () => Promise.reject(new Error('unused'));
    const routes: Route[] = [
      ...buildRoutes({ workflowIdFor: (id) => id }),
      ...apiFeatures({
        dataSource,
        client,
        gateway: { approvals: unused, decide: unused, resendApproval: unused, reassignApproval: unused },
        taskQueue: 'q',
        logger: pino({ level: 'silent' }),
        evidence: { dir: os.tmpdir(), maxBytes: 1024 },
        scanRoots: [os.tmpdir()],
        approvals: { secret: 'x'.repeat(32) },
      }).routes,
    ];
    // The document must build: the new routes' schemas are all named.
    expect(Object.keys(buildOpenApiDocument(routes).paths)).toContain(
      '/programmes/{id}/audit-trail/verification',
    );
    const writes = routes.filter((r) => r.method !== 'get');
    expect(writes.length).toBeGreaterThanOrEqual(30);
    expect(writes.filter((r) => !r.audit).map((r) => `${r.method.toUpperCase()} ${r.path}`)).toEqual([]);
    expect(routes.filter((r) => r.method === 'get' && r.audit).map((r) => r.path)).toEqual([]);
    const actions = new Set(writes.map((r) => r.audit?.action));
    for (const action of [
      'programme.created',
      'approval.decided',
      'evidence.added',
      'apikey.created',
      'apikey.revoked',
    ])
      expect(actions).toContain(action);
    await client.connection.close().catch(() => undefined);
  });
});
