/**
 * The audit trail on real parts (Temporal dev server, worker, API, SQLite and MariaDB): a
 * programme driven through the API leaves a verifiable chain with who did what; then rows are
 * edited, deleted, reordered and rewritten directly in the database, and verification names the
 * first broken link each time (the rewrite only through the anchors in the workflow history).
 */
import { AuditTrail } from '../../services/audit-trail/service';
import { createAuditTrail } from '../../services/audit-trail';
import { main as verifyCli } from '../../scripts/audit-verify';
import { AuditRepository } from '../../db/audit-repository';
import { auditEventHash, type AuditAnchor, type AuditEvent } from '../../domain/audit-chain';
import type { Role } from '../../domain/roles';
import { auditAnchorsQuery } from '../../domain/messages';
import { testDatabases } from '../support/databases';
import { assessmentItems, PEOPLE } from '../support/fixtures';
import { http, HttpJourneyPort } from '../support/http-port';
import { completeScoping } from '../support/journey';
import { startStack, type Stack } from '../support/stack';
import { useLocalTemporal } from '../support/temporal';
import type { StageInput } from '../../domain/schemas';

const temporal = useLocalTemporal();

type Row = Record<string, unknown>;

describe.each(testDatabases())('on $name', (db) => {
  let stack: Stack;
  let id: string;
  let workflowId: string;
  let databaseUrl: string;
  let original: Row[];
  let anchors: AuditAnchor[];
  const keyIds = new Map<Role, string>();
  const base = () => stack.baseUrl();
  const get = (path: string) => http(base(), 'GET', path, undefined, stack.authHeader('auditor'));
  const verification = async () => {
    const res = await get(`/programmes/${id}/audit-trail/verification`);
    expect(res.status).toBe(200);
    return res.body as {
      ok: boolean;
      checked: number;
      anchorsChecked: number;
      firstBroken?: { seq: number; reason: string };
      anchors: { available: boolean };
    };
  };
  const sql = (query: string, params: unknown[] = []) => stack.dataSource().query<Row[]>(query, params);
  const events = () => new AuditRepository(stack.dataSource()).list(id);

  /** Puts the chain back exactly as it was recorded, row by row. */
  async function restore(): Promise<void> {
    await sql('DELETE FROM `audit_events` WHERE `chain_id` = ?', [id]);
    for (const row of original) {
      const columns = Object.keys(row);
      await sql(
        `INSERT INTO \`audit_events\` (${columns.map((c) => `\`${c}\``).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
        columns.map((c) => row[c]),
      );
    }
    expect(await verification()).toMatchObject({ ok: true });
  }

  beforeAll(async () => {
    databaseUrl = await db.freshDatabase('audit');
    stack = await startStack({ address: temporal.env.address, databaseUrl, workflowBundle: temporal.bundle });
    for (const key of await stack.apiKeys().list()) keyIds.set(key.role, key.id);
    const pm = stack.authHeader('programme-manager');
    const created = await http(
      base(),
      'POST',
      '/programmes',
      { organisation: 'Audit Ltd', name: 'AIMS' },
      pm,
    );
    expect(created.status).toBe(201);
    ({ id, workflowId } = created.body as { id: string; workflowId: string });
    const manager = new HttpJourneyPort(base, id, pm);
    await completeScoping(manager);
    const contributor = new HttpJourneyPort(base, id, stack.authHeader('contributor'));
    await contributor.waitForStep('GAP_ANALYSIS');
    await contributor.submit({ kind: 'assessments', items: assessmentItems() } as StageInput);
    const evidence = await http(
      base(),
      'POST',
      `/programmes/${id}/evidence/links`,
      {
        title: 'Logging runbook',
        owner: PEOPLE.complianceLead.email,
        requirementIds: ['A.6.2.8'],
        url: 'https://wiki.acme.test/logging',
      },
      stack.authHeader('contributor'),
    );
    expect(evidence.status).toBe(201);
    expect(
      (await http(base(), 'POST', `/programmes/${id}/kpis`, undefined, stack.authHeader('contributor')))
        .status,
    ).toBe(201);
    // The workflow anchors the head each time it records a step: one for scoping, one for gap analysis.
    const handle = stack.client().workflow.getHandle(workflowId);
    for (let i = 0; i < 200; i++) {
      anchors = await handle.query(auditAnchorsQuery);
      if (anchors.length >= 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(anchors).toHaveLength(2);
    original = await sql('SELECT * FROM `audit_events` WHERE `chain_id` = ? ORDER BY `seq`', [id]);
  });

  afterAll(async () => {
    await stack?.stop();
    await db.cleanup();
  });

  test('every change is in the chain with who made it, and the chain verifies with its anchors', async () => {
    const chain = await events();
    const byAction = (action: string) => {
      const found = chain.filter((e) => e.action === action);
      expect(found).toHaveLength(1);
      return found[0];
    };
    expect(chain.map((e) => e.seq)).toEqual(chain.map((_e, i) => i + 1));
    expect(byAction('programme.created')).toMatchObject({
      actorId: keyIds.get('programme-manager'),
      actorRole: 'programme-manager',
      subject: id,
      beforeDigest: null,
    });
    const scoping = byAction('step.entered:SCOPING');
    expect(scoping).toMatchObject({
      actorId: 'system',
      actorRole: 'system',
      dedupeKey: `transition:${workflowId}/c1/1`,
    });
    expect(scoping.temporalEvent?.workflowId).toBe(workflowId);
    expect(scoping.temporalEvent?.activityId).toMatch(/^\d+$/);
    expect(Date.parse(scoping.temporalEvent?.workflowTime ?? '')).not.toBeNaN();
    const scope = byAction('stage.input.accepted:scope');
    expect(scope).toMatchObject({
      actorRole: 'programme-manager',
      temporalEvent: { stepKey: 'c1.SCOPING.1' },
    });
    expect(scope.afterDigest).not.toBe(scope.beforeDigest);
    // Recorded by the programme manager's key from the minutes of the sponsor's decision.
    const decided = byAction('approval.recorded-on-behalf');
    expect(decided).toMatchObject({ actorId: keyIds.get('programme-manager'), subject: 'scope' });
    expect(byAction('step.entered:GAP_ANALYSIS')).toMatchObject({ actorRole: 'system' });
    for (const action of ['stage.input.accepted:assessments', 'evidence.added', 'kpi.snapshot.taken'])
      expect(byAction(action)).toMatchObject({
        actorId: keyIds.get('contributor'),
        actorRole: 'contributor',
      });
    // Causal order: each request was answered (and its event appended) before the next was sent.
    const seqOf = (action: string) => byAction(action).seq;
    expect(seqOf('step.entered:SCOPING')).toBeLessThan(seqOf('stage.input.accepted:scope'));
    expect(seqOf('stage.input.accepted:scope')).toBeLessThan(seqOf('approval.recorded-on-behalf'));
    expect(seqOf('stage.input.accepted:assessments')).toBeLessThan(seqOf('evidence.added'));

    // The anchors name events of this chain by their hashes.
    for (const anchor of anchors) expect(chain[anchor.seq - 1].hash).toBe(anchor.hash);
    expect(await verification()).toEqual({
      chainId: id,
      ok: true,
      checked: chain.length,
      anchorsChecked: 2,
      head: { seq: chain.length, hash: chain[chain.length - 1].hash },
      anchors: { available: true },
    });
  });

  test('the export is JSON Lines an auditor can re-hash line by line', async () => {
    const res = await fetch(`${base()}/programmes/${id}/audit-trail`, {
      headers: stack.authHeader('auditor'),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = (await res.text()).trimEnd().split('\n');
    const parsed = lines.map((l) => JSON.parse(l) as AuditEvent);
    expect(parsed).toEqual(await events());
    let previous = '0'.repeat(64);
    for (const event of parsed) {
      const { hash, ...rest } = event;
      expect(auditEventHash(rest)).toBe(hash);
      expect(event.prevHash).toBe(previous);
      previous = hash;
    }
    expect((await http(base(), 'GET', `/programmes/${id}/audit-trail`)).status).toBe(401);
  });

  test('an edited field is a hash mismatch at its row', async () => {
    await sql('UPDATE `audit_events` SET `actor_id` = ? WHERE `chain_id` = ? AND `seq` = 3', ['mallory', id]);
    expect(await verification()).toMatchObject({
      ok: false,
      firstBroken: { seq: 3, reason: 'hash-mismatch' },
    });
    await restore();
  });

  test('a deleted row is a gap at its sequence number', async () => {
    await sql('DELETE FROM `audit_events` WHERE `chain_id` = ? AND `seq` = 4', [id]);
    expect(await verification()).toMatchObject({
      ok: false,
      checked: 3,
      firstBroken: { seq: 4, reason: 'gap' },
    });
    await restore();
  });

  test('two rows that swapped sequence numbers break the link at the earlier one', async () => {
    const swap = 'UPDATE `audit_events` SET `seq` = ? WHERE `chain_id` = ? AND `seq` = ?';
    await sql(swap, [1000, id, 2]);
    await sql(swap, [2, id, 5]);
    await sql(swap, [5, id, 1000]);
    expect(await verification()).toMatchObject({ ok: false, firstBroken: { seq: 2, reason: 'prev-link' } });
    await restore();
  });

  test('a tail rewritten with recomputed hashes passes the chain check but not the workflow anchor', async () => {
    const [first, second] = anchors;
    // From the event before the second anchor to the end, every row forged and re-linked.
    const from = second.seq - 1;
    expect(from).toBeGreaterThan(first.seq);
    const chain = await events();
    let previous = chain[from - 2].hash;
    for (const event of chain.slice(from - 1)) {
      const forged = { ...event, actorId: 'mallory', prevHash: previous };
      const { hash: _old, ...unhashed } = forged;
      const hash = auditEventHash(unhashed);
      await sql(
        'UPDATE `audit_events` SET `actor_id` = ?, `prev_hash` = ?, `hash` = ? WHERE `chain_id` = ? AND `seq` = ?',
        ['mallory', previous, hash, id, event.seq],
      );
      previous = hash;
    }
    // Without the workflow, the forgery is a perfectly consistent chain.
    const databaseOnly = await createAuditTrail(stack.dataSource()).verify(id);
    expect(databaseOnly).toMatchObject({ ok: true, anchors: { available: false } });
    expect(await verification()).toMatchObject({
      ok: false,
      checked: chain.length,
      anchorsChecked: 2,
      firstBroken: { seq: second.seq, reason: 'anchor-mismatch' },
    });
    await restore();
  });

  test('the command verifies one chain or all, exits 1 on a broken one, and exports JSON Lines', async () => {
    const out: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    const env = { ...process.env };
    Object.assign(process.env, { DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporal.env.address });
    try {
      expect(await verifyCli([id])).toBe(0);
      expect(JSON.parse(out.join(''))).toMatchObject({ chainId: id, ok: true, anchorsChecked: 2 });
      out.length = 0;
      expect(await verifyCli(['--jsonl', id])).toBe(0);
      expect(out.join('').trimEnd().split('\n')).toHaveLength(original.length);
      await sql('DELETE FROM `audit_events` WHERE `chain_id` = ? AND `seq` = 2', [id]);
      out.length = 0;
      expect(await verifyCli(['--all'])).toBe(1);
      const reports = out
        .join('')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { chainId: string; ok: boolean });
      expect(reports.find((r) => r.chainId === id)).toMatchObject({
        ok: false,
        firstBroken: { seq: 2, reason: 'gap' },
      });
      expect(await verifyCli([])).toBe(2);
    } finally {
      process.env = env;
      write.mockRestore();
    }
    await restore();
  });

  test('concurrent appenders never fork a chain, and a retried append is stored once', async () => {
    const trail = new AuditTrail(new AuditRepository(stack.dataSource()));
    const draft = (n: number, dedupeKey: string | null = null) => ({
      chainId: `concurrency-${id}`,
      at: new Date().toISOString(),
      actorId: `writer-${n}`,
      actorRole: 'system',
      action: 'test.appended',
      subject: null,
      beforeDigest: null,
      afterDigest: null,
      temporalEvent: null,
      dedupeKey,
    });
    const written = await Promise.all(Array.from({ length: 12 }, (_v, n) => trail.append(draft(n))));
    expect(written.map((e) => e.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 12 }, (_v, i) => i + 1),
    );
    const once = await Promise.all([
      trail.append(draft(99, `retry-${id}`)),
      trail.append(draft(99, `retry-${id}`)),
    ]);
    expect(once[0]).toEqual(once[1]);
    expect(await trail.verify(`concurrency-${id}`)).toMatchObject({ ok: true, checked: 13 });
  });
});
