/**
 * Approval requests on the time-skipping server: reminders at the configured interval,
 * escalation up the ladder, expiry marking the gate overdue, reassignment and new versions
 * superseding old links, k-of-n quorum with segregation of duties, and the notice mails.
 * Mail activities are mocked (as only workflow tests may) and record what would be sent; the
 * persistence activities are the real ones over an in-memory SQLite database.
 */
import { randomUUID } from 'node:crypto';
import { idleKpiActivities } from '../support/kpi-activities';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { ApprovalMail, NoticeMail, NotificationActivities } from '../../domain/contracts/notifications';
import type { ApprovalRequestView, DecisionInput } from '../../domain/approvals';
import { ProgrammeConfig, StageInput } from '../../domain/schemas';
import { AimsOverdue } from '../../domain/search-attributes';
import type { ProgrammeView, StageView } from '../../domain/views';
import type { StepId } from '../../domain/vocabulary';
import {
  approvalRequestsQuery,
  programmeViewQuery,
  reassignApprovalUpdate,
  recordDecisionUpdate,
  stageViewQuery,
} from '../../domain/messages';
import type { programmeWorkflow, stageWorkflow } from '../../workflows';
import { GAPS, PEOPLE, assessmentItems, scopeBody } from '../support/fixtures';
import {
  completeImplementation,
  completeInternalAudit,
  completeManagementReview,
  completeScoping,
  grantCertificate,
  holdCertificationAudits,
  type JourneyPort,
} from '../support/journey';
import { createTimeSkippingEnv } from '../support/temporal';
import {
  idleReportActivities,
  openWorkflowStore,
  sendAgainWhileResting,
  type WorkflowStore,
} from '../support/workflow-harness';

const DAY = 86_400_000;

class Recorder {
  mails: ApprovalMail[] = [];
  notices: NoticeMail[] = [];
  activities(): NotificationActivities {
    return {
      sendApprovalMail: (mail) => {
        this.mails.push(mail);
        return Promise.resolve({ sent: mail.recipients.length, skipped: 0 });
      },
      sendNotice: (notice) => {
        this.notices.push(notice);
        return Promise.resolve({ sent: notice.recipients.length, skipped: 0 });
      },
      sendNotices: (notices) => {
        this.notices.push(...notices);
        return Promise.resolve({ sent: notices.reduce((n, x) => n + x.recipients.length, 0), skipped: 0 });
      },
    };
  }
}

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: new DefaultLogger('WARN'),
  });
});

// Time is global to a time-skipping server: one server per test.
beforeEach(async () => {
  env = await createTimeSkippingEnv();
});

afterEach(async () => {
  await env?.teardown();
});

interface Harness {
  rec: Recorder;
  store: WorkflowStore;
  port: JourneyPort;
  programmeId: string;
  workflowId: string;
  view: () => Promise<ProgrammeView>;
  stage: () => Promise<WorkflowHandle<typeof stageWorkflow>>;
  stageView: () => Promise<StageView>;
  requests: () => Promise<ApprovalRequestView[]>;
}

async function withProgramme(
  config: Partial<ProgrammeConfig>,
  fn: (h: Harness) => Promise<void>,
): Promise<void> {
  const taskQueue = `approvals-${randomUUID()}`;
  const rec = new Recorder();
  const store = await openWorkflowStore();
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: { ...store.activities(), ...rec.activities(), ...idleKpiActivities, ...idleReportActivities },
  });
  const programmeId = randomUUID();
  const workflowId = `programme-${programmeId}`;
  try {
    await worker.runUntil(async () => {
      await env.client.workflow.start<typeof programmeWorkflow>('programmeWorkflow', {
        taskQueue,
        workflowId,
        args: [
          { programmeId, organisation: 'Acme Ltd', name: 'AIMS', config: ProgrammeConfig.parse(config) },
        ],
      });
      const view = () => env.client.workflow.getHandle(workflowId).query(programmeViewQuery);
      const stage = async () => {
        const v = await view();
        if (!v.stageWorkflowId) throw new Error(`no stage running (step ${v.step})`);
        return env.client.workflow.getHandle<typeof stageWorkflow>(v.stageWorkflowId);
      };
      // The stage's view once it has loaded its facts (until then it shows a 'starting' gate).
      const stageView = () =>
        waitFor(
          async () => (await stage()).query(stageViewQuery),
          (s) => !s.unmetGates.some((g) => g.gate === 'starting'),
        );
      const port: JourneyPort = {
        // As the API does: the input is validated (defaults filled in) before its body is stored.
        submit: async (input: StageInput) =>
          store.submit(await stage(), programmeId, StageInput.parse(input)),
        // A stage turns Updates away while it loads its facts; the API sends them again.
        decide: async (decision: DecisionInput) =>
          sendAgainWhileResting(async () =>
            (await stage()).executeUpdate(recordDecisionUpdate, { args: [decision] }),
          ),
        waitForStep: async (step: StepId) => {
          await waitFor(view, (v) => v.step === step && v.stageWorkflowId !== null);
          return stageView();
        },
      };
      await fn({
        rec,
        store,
        port,
        programmeId,
        workflowId,
        view,
        stage,
        stageView,
        requests: async () => (await stage()).query(approvalRequestsQuery),
      });
    });
  } finally {
    await store.close();
  }
}

/** Polls until the predicate holds (bounded): the worker applies changes asynchronously. */
async function waitFor<T>(read: () => Promise<T> | T, ok: (v: T) => boolean, tries = 400): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < tries; i++) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`condition not reached; last: ${JSON.stringify(last)}`);
}

async function rejection(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  const detail = (cause as ApplicationFailure).details?.[0] as { code?: string } | undefined;
  return { code: detail?.code, message: (cause as ApplicationFailure).message };
}

const mailsOf = (rec: Recorder, kind: ApprovalMail['kind']) => rec.mails.filter((m) => m.kind === kind);
const offsetDays = (m: { sentAt: string }, from: string) => (Date.parse(m.sentAt) - Date.parse(from)) / DAY;

test('reminders go out at the configured interval, then the request escalates up the ladder, then the gate is overdue', async () => {
  await withProgramme(
    { approvalReminderInterval: 'P1D', approvalMaxReminders: 2, approvalExpiry: 'P5D' },
    async (h) => {
      await h.port.waitForStep('SCOPING');
      await h.port.submit({ kind: 'scope', ...scopeBody() } as StageInput);
      const [request] = await waitFor(h.requests, (r) => r.length === 1);
      expect(request).toMatchObject({
        requestId: expect.stringMatching(/\/scope\/v1\/r1$/) as unknown,
        approvers: [{ email: PEOPLE.sponsor.email, role: 'sponsor' }],
        artefactSha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
      });
      await waitFor(
        () => h.rec.mails,
        (m) => m.length === 1,
      );
      expect(h.rec.mails[0]).toMatchObject({
        kind: 'request',
        recipients: [{ email: PEOPLE.sponsor.email }],
      });

      await env.sleep('1 day');
      await waitFor(
        () => mailsOf(h.rec, 'reminder'),
        (m) => m.length === 1,
      );
      await env.sleep('1 day');
      const reminders = await waitFor(
        () => mailsOf(h.rec, 'reminder'),
        (m) => m.length === 2,
      );
      expect(reminders.map((m) => m.reminder)).toEqual([1, 2]);
      expect(reminders.map((m) => Math.round(offsetDays(m, request.issuedAt) * 24))).toEqual([24, 48]);
      expect(reminders.every((m) => m.recipients.map((r) => r.email).join() === PEOPLE.sponsor.email)).toBe(
        true,
      );
      expect(mailsOf(h.rec, 'escalation')).toEqual([]);

      await env.sleep('1 day');
      // Scope is the sponsor's; the next rung of complianceLead > sponsor > topManagement is the CEO.
      const [escalation] = await waitFor(
        () => mailsOf(h.rec, 'escalation'),
        (m) => m.length === 1,
      );
      expect(escalation.recipients).toEqual([expect.objectContaining({ email: PEOPLE.topManagement.email })]);
      expect(Math.round(offsetDays(escalation, request.issuedAt) * 24)).toBe(72);
      expect((await h.stageView()).overdue).toBe(false);

      await env.sleep('2 days');
      const overdue = await waitFor(h.view, (v) => v.overdue);
      expect(overdue.step).toBe('SCOPING');
      const stage = await h.stageView();
      expect(stage.overdue).toBe(true);
      expect(stage.pendingApprovals[0].request).toMatchObject({
        overdue: true,
        remindersSent: 2,
        escalatedTo: PEOPLE.topManagement.email,
        waitingFor: [PEOPLE.sponsor.email, PEOPLE.topManagement.email],
      });
      const attributes = (await env.client.workflow.getHandle(h.workflowId).describe()).typedSearchAttributes;
      expect(attributes.get(AimsOverdue)).toBe(true);
      const notice = h.rec.notices.find((n) => n.kind === 'approvalOverdue');
      expect(notice?.recipients.map((r) => r.email).sort()).toEqual(
        [PEOPLE.sponsor.email, PEOPLE.topManagement.email, PEOPLE.complianceLead.email].sort(),
      );

      // An overdue gate stays decidable, here by the person it escalated to.
      await h.port.decide({ gate: 'scope', outcome: 'approved', approver: PEOPLE.topManagement.email });
      const moved = await waitFor(h.view, (v) => v.step === 'GAP_ANALYSIS' && !v.overdue);
      expect(moved.overdue).toBe(false);
      expect(
        (await env.client.workflow.getHandle(h.workflowId).describe()).typedSearchAttributes.get(AimsOverdue),
      ).toBe(false);
    },
  );
});

test('reassignment and a new version supersede the old links and restart the clock', async () => {
  await withProgramme(
    { approvalReminderInterval: 'P1D', approvalMaxReminders: 1, approvalExpiry: 'P10D' },
    async (h) => {
      await h.port.waitForStep('SCOPING');
      await h.port.submit({ kind: 'scope', ...scopeBody() } as StageInput);
      const [v1] = await waitFor(h.requests, (r) => r.length === 1);
      const viaLink = (r: ApprovalRequestView, approver: string, sha = r.artefactSha256): DecisionInput => ({
        gate: 'scope',
        outcome: 'approved',
        approver,
        evidence: { channel: 'email', requestId: r.requestId, artefactSha256: sha },
      });

      // A revised scope replaces the request: links for version 1 no longer decide anything.
      await h.port.submit({
        kind: 'scope',
        ...scopeBody(),
        statement: 'Revised: all EU AI systems',
      } as StageInput);
      const [v2] = await waitFor(h.requests, (r) => r[0]?.artefactVersion === 2);
      expect(v2.requestId).toMatch(/\/scope\/v2\/r1$/);
      expect(v2.artefactSha256).not.toBe(v1.artefactSha256);
      expect((await rejection(h.port.decide(viaLink(v1, PEOPLE.sponsor.email)))).code).toBe('superseded');
      expect(
        (await rejection(h.port.decide(viaLink(v2, PEOPLE.sponsor.email, v1.artefactSha256)))).code,
      ).toBe('superseded');
      expect((await rejection(h.port.decide(viaLink(v2, PEOPLE.topManagement.email)))).code).toBe(
        'wrong-approver',
      );

      await env.sleep('12 hours');
      const delegate = { name: 'Dee Delegate', email: 'delegate@acme.test' };
      const stage = await h.stage();
      const r2 = await stage.executeUpdate(reassignApprovalUpdate, {
        args: [{ gate: 'scope', approver: delegate, reason: 'Sponsor on leave' }],
      });
      expect(r2).toMatchObject({ requestId: v2.requestId.replace(/r1$/, 'r2'), round: 2, remindersSent: 0 });
      const reassigned = await waitFor(
        () => mailsOf(h.rec, 'reassigned'),
        (m) => m.length === 1,
      );
      expect(reassigned[0]).toMatchObject({
        requestId: r2.requestId,
        recipients: [{ email: delegate.email }],
      });
      expect((await rejection(h.port.decide(viaLink(v2, PEOPLE.sponsor.email)))).code).toBe('superseded');
      expect((await rejection(h.port.decide(viaLink(v2, delegate.email)))).code).toBe('superseded');

      // The old request's reminder (due 1 day after it) never comes; the new one's does, 1 day after reassignment.
      await env.sleep('1 day');
      const reminders = await waitFor(
        () => mailsOf(h.rec, 'reminder'),
        (m) => m.length === 1,
      );
      expect(reminders[0]).toMatchObject({
        requestId: r2.requestId,
        recipients: [{ email: delegate.email }],
      });
      expect(Math.round(offsetDays(reminders[0], r2.issuedAt) * 24)).toBe(24);
      expect(h.rec.mails.filter((m) => m.requestId === v1.requestId).map((m) => m.kind)).toEqual(['request']);

      await h.port.decide(viaLink(r2, delegate.email));
      await h.port.waitForStep('GAP_ANALYSIS');
      const decision = h.store
        .changes()
        .flatMap((c) => c.approvals ?? [])
        .find((a) => a.gate === 'scope');
      expect(decision).toMatchObject({
        approver: delegate.email,
        requestId: r2.requestId,
        artefactSha256: v2.artefactSha256,
        artefactVersion: 2,
        channel: 'email',
      });
      expect(mailsOf(h.rec, 'reminder')).toHaveLength(1);
    },
  );
});

test('when segregation of duties reroutes a request, the programme view names who now decides', async () => {
  await withProgramme({}, async (h) => {
    await h.port.waitForStep('SCOPING');
    // The sponsor approves the scope, but submitted it: the request goes up the ladder.
    await h.port.submit({ kind: 'scope', ...scopeBody(), submittedBy: PEOPLE.sponsor.email } as StageInput);
    const [request] = await waitFor(h.requests, (r) => r.length === 1);
    const [decider] = request.approvers;
    expect(decider.email).not.toBe(PEOPLE.sponsor.email);
    const view = await h.stageView();
    const reason = view.unmetGates.find((g) => g.gate === 'approval:scope')?.reason;
    expect(reason).toContain(`awaiting a decision by ${decider.name} (${decider.email})`);
    expect(reason).toMatch(/may not approve it/);
    expect(reason).not.toMatch(/sponsor's decision|topManagement|complianceLead/);
    expect(view.pendingApprovals[0].approverEmail).toBe(decider.email);
  });
});

test('a gate can need k of n named approvers, and whoever submitted the artefact may not approve it', async () => {
  const bea = { name: 'Bea Board', email: 'bea@acme.test' };
  const cal = { name: 'Cal Counsel', email: 'cal@acme.test' };
  await withProgramme(
    { approvalGates: { scope: { approvers: [PEOPLE.complianceLead, bea, cal], quorum: 2 } } },
    async (h) => {
      await h.port.waitForStep('SCOPING');
      await h.port.submit({
        kind: 'scope',
        ...scopeBody(),
        submittedBy: PEOPLE.complianceLead.email,
      } as StageInput);
      const [request] = await waitFor(h.requests, (r) => r.length === 1);
      expect(request.approvers.map((a) => a.email)).toEqual([bea.email, cal.email]);
      expect(request.quorum).toBe(2);
      await waitFor(
        () => h.rec.mails,
        (m) => m.length === 1,
      );
      expect(h.rec.mails[0].recipients.map((r) => r.email)).toEqual([bea.email, cal.email]);

      const own = await rejection(
        h.port.decide({ gate: 'scope', outcome: 'approved', approver: PEOPLE.complianceLead.email }),
      );
      expect(own.code).toBe('segregation-of-duties');
      const stage = await h.stage();
      const toSubmitter = await rejection(
        stage.executeUpdate(reassignApprovalUpdate, {
          args: [{ gate: 'scope', approver: PEOPLE.complianceLead, replaces: cal.email }],
        }),
      );
      expect(toSubmitter.code).toBe('segregation-of-duties');

      await h.port.decide({ gate: 'scope', outcome: 'approved', approver: bea.email });
      const half = await h.stageView();
      expect(half.step).toBe('SCOPING');
      expect(half.pendingApprovals[0].request).toMatchObject({
        approvals: 1,
        quorum: 2,
        waitingFor: [cal.email],
      });
      expect(
        (await rejection(h.port.decide({ gate: 'scope', outcome: 'approved', approver: bea.email }))).code,
      ).toBe('decided');

      await h.port.decide({ gate: 'scope', outcome: 'approved', approver: cal.email });
      await h.port.waitForStep('GAP_ANALYSIS');
      const votes = h.store
        .changes()
        .flatMap((c) => c.approvals ?? [])
        .filter((a) => a.gate === 'scope');
      expect(votes.map((v) => [v.approver, v.quorum])).toEqual([
        [bea.email, '1 of 2'],
        [cal.email, '2 of 2'],
      ]);
    },
  );
});

test('notices: step entered, task assigned and overdue, audit coming up 30 days ahead, certificate expiring', async () => {
  await withProgramme({ certificateExpiryNotice: 'P1000D' }, async (h) => {
    await completeScoping(h.port);
    await h.port.waitForStep('GAP_ANALYSIS');
    await h.port.submit({ kind: 'assessments', items: assessmentItems() } as StageInput);
    const soon = new Date((await env.currentTimeMs()) + DAY).toISOString();
    const taskIds: string[] = [];
    for (const requirementId of Object.keys(GAPS)) {
      const res = await h.port.submit({
        kind: 'roadmapTask',
        requirementId,
        title: `Close the gap on ${requirementId}`,
        owner: PEOPLE.complianceLead.email,
        deadline: taskIds.length === 0 ? soon : '2027-06-30T00:00:00Z',
      });
      taskIds.push(res.recordId as string);
    }
    await env.sleep('2 days');
    const overdue = await waitFor(
      () => h.rec.notices.filter((n) => n.kind === 'taskOverdue'),
      (n) => n.length === 1,
    );
    expect(overdue[0]).toMatchObject({
      noticeId: `task-overdue/${taskIds[0]}`,
      facts: { taskId: taskIds[0] },
    });
    expect(Date.parse(overdue[0].sentAt) - Date.parse(soon)).toBeLessThan(60_000);

    await h.port.decide({ gate: 'roadmap', outcome: 'approved', approver: PEOPLE.sponsor.email });
    await completeImplementation(h.port, taskIds);
    await completeInternalAudit(h.port);
    await completeManagementReview(h.port);
    await holdCertificationAudits(h.port);
    await grantCertificate(h.port, 'AIMS-0900');
    await h.port.waitForStep('SURVEILLANCE_1');
    const due = (await h.stageView()).nextDeadline;
    expect(due?.id).toBe('surveillanceDue');

    await env.sleep('340 days');
    const upcoming = await waitFor(
      () => h.rec.notices.filter((n) => n.kind === 'auditUpcoming'),
      (n) => n.length === 1,
    );
    expect(Math.round((Date.parse(due?.dueAt as string) - Date.parse(upcoming[0].sentAt)) / DAY)).toBe(30);
    expect(upcoming[0].facts).toMatchObject({ audit: 'surveillance audit' });
    const expiring = h.rec.notices.filter((n) => n.kind === 'certificateExpiring');
    expect(expiring).toHaveLength(1);
    expect(expiring[0].facts.certificateNumber).toBe('AIMS-0900');

    const kinds = h.rec.notices.map((n) => n.kind);
    expect(kinds.filter((k) => k === 'taskAssigned')).toHaveLength(Object.keys(GAPS).length);
    // Every step after scoping (where the people are first known) told the leads it started.
    expect(h.rec.notices.filter((n) => n.kind === 'stageEntered').map((n) => n.facts.stage)).toEqual([
      'GAP_ANALYSIS',
      'IMPLEMENTATION',
      'INTERNAL_AUDIT',
      'MANAGEMENT_REVIEW',
      'CERTIFICATION',
      'SURVEILLANCE',
    ]);
    // Every approval gate of the journey sent its request to the right person.
    expect(mailsOf(h.rec, 'request').map((m) => [m.gate, m.recipients.map((r) => r.email).join()])).toEqual([
      ['scope', PEOPLE.sponsor.email],
      ['roadmap', PEOPLE.sponsor.email],
      ['ai_policy', PEOPLE.topManagement.email],
      ['risk_treatment_plan', PEOPLE.sponsor.email],
      ['soa', PEOPLE.topManagement.email],
      ['management_review', PEOPLE.topManagement.email],
      ['certification_body', PEOPLE.sponsor.email],
    ]);
  });
});

test('a burst of roadmap edits makes one approval request, sent once the edits have settled', async () => {
  await withProgramme({ approvalSettle: 'PT10M' }, async (h) => {
    await completeScoping(h.port);
    await h.port.waitForStep('GAP_ANALYSIS');
    await h.port.submit({ kind: 'assessments', items: assessmentItems() } as StageInput);
    for (const requirementId of Object.keys(GAPS)) {
      await h.port.submit({
        kind: 'roadmapTask',
        requirementId,
        title: `Close the gap on ${requirementId}`,
        owner: PEOPLE.complianceLead.email,
        deadline: '2027-06-30T00:00:00Z',
      });
    }
    const lastEdit = await env.currentTimeMs();
    // The assessments and every task made a new roadmap version; none has been sent for approval.
    const [pending] = (await h.stageView()).pendingApprovals.filter((p) => p.gate === 'roadmap');
    expect(pending.artefactVersion).toBe(1 + Object.keys(GAPS).length);
    expect(pending.request).toBeUndefined();
    // Due ten minutes after the last edit (give or take the time the test took to read the view).
    const dueIn = Date.parse(pending.requestDueAt as string) - lastEdit;
    expect(dueIn).toBeGreaterThan(9 * 60_000);
    expect(dueIn).toBeLessThanOrEqual(10 * 60_000);
    expect(await h.requests()).toEqual([]);
    expect(mailsOf(h.rec, 'request').map((m) => m.gate)).toEqual(['scope']);

    await env.sleep('11 minutes');
    const sent = await waitFor(
      () => mailsOf(h.rec, 'request').filter((m) => m.gate === 'roadmap'),
      (m) => m.length >= 1,
    );
    expect(sent).toHaveLength(1);
    // The approver gets version 1: the first version sent to them, whatever edits numbered it.
    expect(sent[0]).toMatchObject({
      artefactVersion: pending.artefactVersion,
      approvalVersion: 1,
      recipients: [{ email: PEOPLE.sponsor.email }],
    });
    expect(Date.parse(sent[0].sentAt)).toBeGreaterThanOrEqual(Date.parse(pending.requestDueAt as string));
    const roadmap = (await h.requests()).filter((r) => r.gate === 'roadmap');
    expect(roadmap).toEqual([
      expect.objectContaining({ artefactVersion: pending.artefactVersion, status: 'open' }),
    ]);
    expect((await h.stageView()).pendingApprovals.find((p) => p.gate === 'roadmap')?.request).toMatchObject({
      requestId: roadmap[0].requestId,
    });

    // Nothing more goes out for the same version, however long it waits.
    await env.sleep('1 hour');
    expect(mailsOf(h.rec, 'request').filter((m) => m.gate === 'roadmap')).toHaveLength(1);
  });
});

test('a roadmap decided before it settled sends nothing, and the next version settles and is sent', async () => {
  await withProgramme({ approvalSettle: 'PT10M' }, async (h) => {
    await completeScoping(h.port);
    await h.port.waitForStep('GAP_ANALYSIS');
    await h.port.submit({ kind: 'assessments', items: assessmentItems() } as StageInput);
    const gaps = Object.keys(GAPS);
    const task = (requirementId: string) =>
      ({
        kind: 'roadmapTask',
        requirementId,
        title: `Close the gap on ${requirementId}`,
        owner: PEOPLE.complianceLead.email,
        deadline: '2027-06-30T00:00:00Z',
      }) as StageInput;
    for (const requirementId of gaps) await h.port.submit(task(requirementId));
    // The programme manager asks for changes at once, before the version settled.
    await h.port.decide({
      gate: 'roadmap',
      outcome: 'changes_requested',
      approver: PEOPLE.sponsor.email,
      comment: 'Split the first gap into two tasks',
    });
    // Past the settle time the stage still answers (it waits, it does not spin) and sent nothing.
    await env.sleep('11 minutes');
    expect(mailsOf(h.rec, 'request').filter((m) => m.gate === 'roadmap')).toEqual([]);
    const [decided] = (await h.stageView()).pendingApprovals.filter((p) => p.gate === 'roadmap');
    expect(decided.requestDueAt).toBeUndefined();

    await h.port.submit(task(gaps[0]));
    const [next] = (await h.stageView()).pendingApprovals.filter((p) => p.gate === 'roadmap');
    expect(next.artefactVersion).toBe(decided.artefactVersion + 1);
    await env.sleep('11 minutes');
    const sent = await waitFor(
      () => mailsOf(h.rec, 'request').filter((m) => m.gate === 'roadmap'),
      (m) => m.length >= 1,
    );
    expect(sent.map((m) => m.artefactVersion)).toEqual([next.artefactVersion]);
  });
});
