/**
 * Workflow tests on the time-skipping test server: years of certification cycle in seconds.
 * The persistence activities are the real ones over an in-memory SQLite database (stages load
 * their facts from it), recorded so that the tests observe what was persisted.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { WorkflowUpdateFailedError, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { createDroppingNotificationActivities } from '../../activities/notifications';
import { idleKpiActivities } from '../support/kpi-activities';
import { ProgrammeConfig, StageInput, type DecisionBody } from '../../domain/schemas';
import type { ProgrammeView } from '../../domain/views';
import type { StepId } from '../../domain/vocabulary';
import { programmeViewQuery, recordDecisionUpdate, stageViewQuery } from '../../domain/messages';
import type { programmeWorkflow } from '../../workflows';
import {
  audit,
  completeScoping,
  grantCertificate,
  holdCertificationAudits,
  passAudit,
  runToCertification,
  type JourneyPort,
} from '../support/journey';
import { PEOPLE } from '../support/fixtures';
import { useTimeSkipping } from '../support/temporal';
import {
  idleReportActivities,
  openWorkflowStore,
  sendAgainWhileResting,
  type WorkflowStore,
} from '../support/workflow-harness';

const temporal = useTimeSkipping();

interface Harness {
  handle: WorkflowHandleWithFirstExecutionRunId<typeof programmeWorkflow>;
  port: JourneyPort;
  view: () => Promise<ProgrammeView>;
  store: WorkflowStore;
}

async function withProgramme(
  fn: (h: Harness) => Promise<void>,
  config: Partial<ProgrammeConfig> = {},
): Promise<void> {
  const taskQueue = `wf-test-${randomUUID()}`;
  const store = await openWorkflowStore();
  const worker = await Worker.create({
    connection: temporal.env.nativeConnection,
    taskQueue,
    workflowBundle: temporal.bundle,
    // Approval and notice mail is exercised in approvals.test.ts; here it goes nowhere.
    activities: {
      ...store.activities(),
      ...createDroppingNotificationActivities(),
      ...idleKpiActivities,
      ...idleReportActivities,
    },
  });
  const programmeId = randomUUID();
  try {
    await worker.runUntil(async () => {
      const handle = await temporal.env.client.workflow.start<typeof programmeWorkflow>('programmeWorkflow', {
        taskQueue,
        workflowId: `programme-${programmeId}`,
        args: [
          { programmeId, organisation: 'Acme Ltd', name: 'AIMS 2027', config: ProgrammeConfig.parse(config) },
        ],
      });
      // Follow continue-as-new: always address the latest run.
      const latest = () => temporal.env.client.workflow.getHandle(handle.workflowId);
      const view = () => latest().query(programmeViewQuery);
      const stage = async () => {
        const v = await view();
        if (!v.stageWorkflowId) throw new Error(`no stage running (step ${v.step})`);
        return temporal.env.client.workflow.getHandle(v.stageWorkflowId);
      };
      const port: JourneyPort = {
        // As the API does: the input is validated (defaults filled in) before its body is stored.
        submit: async (input: StageInput) =>
          store.submit(await stage(), programmeId, StageInput.parse(input)),
        // A stage turns Updates away while it loads its facts; the API sends them again.
        decide: async (decision: DecisionBody) =>
          sendAgainWhileResting(async () =>
            (await stage()).executeUpdate(recordDecisionUpdate, { args: [decision] }),
          ),
        waitForStep: async (step: StepId) => {
          const v = await waitFor(view, (x) => x.step === step && x.stageWorkflowId !== null);
          await loadedStage(v.stageWorkflowId as string);
          return v;
        },
      };
      await fn({ handle, port, view, store });
    });
  } finally {
    await store.close();
  }
}

/** Polls a query until the predicate holds (bounded); the state changes asynchronously on the worker. */
async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean, tries = 400): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < tries; i++) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`condition not reached; last state: ${JSON.stringify(last)}`);
}

/** The stage's view once it has loaded its facts (until then it shows a 'starting' gate). */
const loadedStage = (stageWorkflowId: string) =>
  waitFor(
    () => temporal.env.client.workflow.getHandle(stageWorkflowId).query(stageViewQuery),
    (s) => !s.unmetGates.some((g) => g.gate === 'starting'),
  );

const stageOf = async (h: Harness) => loadedStage((await h.view()).stageWorkflowId as string);

test('a programme runs from scoping through certification, two surveillance audits and recertification into cycle 2', async () => {
  await withProgramme(async (h) => {
    await runToCertification(h.port);
    await grantCertificate(h.port, 'AIMS-0001');
    await passAudit(h.port, 'SURVEILLANCE_1', 'surveillance');
    await passAudit(h.port, 'SURVEILLANCE_2', 'surveillance');
    const before = await h.view();
    expect(before.certificate?.number).toBe('AIMS-0001');
    const firstExpiry = before.certificate?.expiresOn as string;

    await passAudit(h.port, 'RECERTIFICATION', 'recertification');
    await grantCertificate(h.port, 'AIMS-0002');

    const cycle2 = await waitFor(
      h.view,
      (v) => v.cycle === 2 && v.step === 'SURVEILLANCE_1' && v.stageWorkflowId !== null,
    );
    expect(cycle2.certificate).toMatchObject({ number: 'AIMS-0002', status: 'ACTIVE', cycle: 2 });
    // Recertification continues from the old expiry: exactly three more years.
    expect(new Date(cycle2.certificate?.expiresOn as string).getUTCFullYear()).toBe(
      new Date(firstExpiry).getUTCFullYear() + 3,
    );
    const description = await temporal.env.client.workflow.getHandle(h.handle.workflowId).describe();
    expect(description.runId).not.toBe(h.handle.firstExecutionRunId);

    const steps = h.store.transitions.map((t) => t.to);
    expect(steps).toEqual([
      'SCOPING',
      'GAP_ANALYSIS',
      'IMPLEMENTATION',
      'INTERNAL_AUDIT',
      'MANAGEMENT_REVIEW',
      'CERTIFICATION',
      'SURVEILLANCE_1',
      'SURVEILLANCE_2',
      'RECERTIFICATION',
      'CYCLE_END',
      'SURVEILLANCE_1',
    ]);
    expect(h.store.programmes).toBe(1);
    const findings = h.store
      .changes()
      .flatMap((c) => c.findings ?? [])
      .map((x) => x.fact);
    expect(findings.some((f) => f.grade === 'minor_nc' && f.status === 'action_planned')).toBe(true);
  });
});

test('an input the current step does not take is rejected with its reason and leaves no history', async () => {
  await withProgramme(async (h) => {
    await h.port.waitForStep('SCOPING');
    const view = await h.view();
    const child = temporal.env.client.workflow.getHandle(view.stageWorkflowId as string);
    const err = await h.port
      .submit({ kind: 'finding', audit: 'stage2', grade: 'major_nc', requirementId: '8.4', description: 'x' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String((err as WorkflowUpdateFailedError).cause?.message)).toMatch(
      /SCOPING .* does not accept finding/,
    );
    const updateEvents = ((await child.fetchHistory()).events ?? []).filter(
      (e) =>
        e.workflowExecutionUpdateAcceptedEventAttributes || e.workflowExecutionUpdateCompletedEventAttributes,
    );
    expect(updateEvents).toEqual([]);

    const wrongApprover = await h.port
      .decide({ gate: 'scope', outcome: 'approved', approver: PEOPLE.topManagement.email })
      .catch((e: unknown) => e);
    expect(String((wrongApprover as WorkflowUpdateFailedError).cause?.message)).toMatch(/nothing is ready/);
  });
});

test('a rejected scope loops back until a revised version is approved', async () => {
  await withProgramme(async (h) => {
    await h.port.waitForStep('SCOPING');
    const { scopeBody } = await import('../support/fixtures');
    await h.port.submit({ kind: 'scope', ...scopeBody() } as StageInput);
    await h.port.decide({
      gate: 'scope',
      outcome: 'rejected',
      approver: PEOPLE.sponsor.email,
      comment: 'Include HR screening',
    });
    let stage = await stageOf(h);
    expect(stage.unmetGates.map((g) => g.reason).join()).toMatch(
      /rejected by sponsor@acme.test \(Include HR screening\)/,
    );
    const again = await h.port
      .decide({ gate: 'scope', outcome: 'approved', approver: PEOPLE.sponsor.email })
      .catch((e: unknown) => e);
    expect(String((again as WorkflowUpdateFailedError).cause?.message)).toMatch(/already rejected/);

    await h.port.submit({ kind: 'scope', ...scopeBody() } as StageInput);
    stage = await stageOf(h);
    expect(stage.pendingApprovals).toEqual([expect.objectContaining({ gate: 'scope', artefactVersion: 2 })]);
    await h.port.decide({ gate: 'scope', outcome: 'approved', approver: PEOPLE.sponsor.email });
    await h.port.waitForStep('GAP_ANALYSIS');
  });
});

test('a major NC at stage 2 blocks the certificate until its correction is verified', async () => {
  await withProgramme(async (h) => {
    await runToCertification(h.port);
    const major = await h.port.submit({
      kind: 'finding',
      audit: 'stage2',
      grade: 'major_nc',
      requirementId: '8.4',
      description: 'No impact assessment for fraud-model retraining',
    });
    const blocked = await h.port
      .submit({ kind: 'certificationDecision', decision: { outcome: 'granted', certificateNumber: 'X' } })
      .catch((e: unknown) => e);
    expect(String((blocked as WorkflowUpdateFailedError).cause?.message)).toMatch(
      /cannot be granted.*without a corrective action/,
    );

    const id = major.recordId as string;
    await h.port.submit({
      kind: 'correctiveAction',
      findingId: id,
      action: {
        correction: 'Assess',
        rootCause: 'No trigger',
        action: 'Add retraining trigger',
        owner: PEOPLE.complianceLead.email,
        due: '2027-09-01T00:00:00Z',
      },
    });
    expect((await stageOf(h)).unmetGates.map((g) => g.gate)).toEqual(['noOpenMajorNc', 'certificateGranted']);
    await h.port.submit({
      kind: 'verification',
      findingId: id,
      verification: { verifiedBy: 'Ada External' },
    });
    await grantCertificate(h.port, 'AIMS-0100');
    await h.port.waitForStep('SURVEILLANCE_1');
  });
});

test('a major NC not verified within 183 days of the last day of stage 2 forces stage 2 to be repeated', async () => {
  await withProgramme(async (h) => {
    await runToCertification(h.port);
    await h.port.submit({
      kind: 'finding',
      audit: 'stage2',
      grade: 'major_nc',
      requirementId: '9.2.2',
      description: 'Audit programme not implemented',
    });
    const stage = await stageOf(h);
    expect(stage.nextDeadline?.id).toBe('majorNcVerification');
    const daysAllowed =
      (Date.parse(stage.nextDeadline?.dueAt as string) - (await temporal.env.currentTimeMs())) / 86_400_000;
    expect(Math.round(daysAllowed)).toBe(183);

    await temporal.env.sleep('182 days');
    expect((await stageOf(h)).unmetGates.map((g) => g.gate)).toContain('noOpenMajorNc');
    await temporal.env.sleep('2 days');
    const after = await waitFor(
      () => stageOf(h),
      (s) => s.unmetGates.some((g) => /attempt 2/.test(g.reason)),
    );
    expect(after.unmetGates.map((g) => g.gate)).toEqual(['auditHeld', 'certificateGranted']);
    const superseded = h.store
      .changes()
      .flatMap((c) => c.findings ?? [])
      .map((x) => x.fact)
      .filter((f) => f.status === 'superseded');
    expect(superseded.map((f) => f.requirementId)).toEqual(['9.2.2']);

    await h.port.submit(audit('stage2'));
    await grantCertificate(h.port, 'AIMS-0200');
    await h.port.waitForStep('SURVEILLANCE_1');
  });
});

test('a missed surveillance audit lapses the certificate, which a late audit restores within six months', async () => {
  await withProgramme(async (h) => {
    await runToCertification(h.port);
    await grantCertificate(h.port, 'AIMS-0300');
    await h.port.waitForStep('SURVEILLANCE_1');
    expect((await stageOf(h)).nextDeadline?.id).toBe('surveillanceDue');
    await temporal.env.sleep('366 days');
    const lapsed = await waitFor(h.view, (v) => v.overdue);
    expect(lapsed.certificate?.status).toBe('LAPSED');
    expect((await stageOf(h)).nextDeadline?.id).toBe('restoreWindow');

    await passAudit(h.port, 'SURVEILLANCE_1', 'surveillance');
    const restored = await waitFor(h.view, (v) => v.step === 'SURVEILLANCE_2' && !v.overdue);
    expect(restored.certificate?.status).toBe('ACTIVE');
  });
});

test('a certificate not restored within six months of lapsing is withdrawn and the journey returns to certification', async () => {
  await withProgramme(async (h) => {
    await runToCertification(h.port);
    await grantCertificate(h.port, 'AIMS-0400');
    await h.port.waitForStep('SURVEILLANCE_1');
    await temporal.env.sleep('366 days');
    await waitFor(h.view, (v) => v.overdue);
    await temporal.env.sleep('190 days');
    const back = await waitFor(h.view, (v) => v.step === 'CERTIFICATION' && v.stageWorkflowId !== null);
    expect(back.certificate?.status).toBe('WITHDRAWN');
    expect(back.history.at(-1)?.reason).toMatch(/withdrawn: not restored within P6M/);
    // Stage 1 is not repeated: a new stage 2 is all that is required.
    const stage = await stageOf(h);
    expect(stage.unmetGates.map((g) => g.gate)).toEqual([
      'auditHeld',
      'certificateGranted',
      'approval:certification_body',
    ]);
  });
});

test('withdrawal stops the programme and is recorded', async () => {
  await withProgramme(async (h) => {
    await completeScoping(h.port);
    await h.port.waitForStep('GAP_ANALYSIS');
    await h.handle.signal('withdraw', { reason: 'Board cancelled the programme' });
    const result = await h.handle.result();
    expect(result.status).toBe('WITHDRAWN');
    expect(h.store.transitions.at(-1)).toMatchObject({
      to: 'WITHDRAWN',
      reason: 'Board cancelled the programme',
    });
    expect(h.store.statuses.at(-1)).toMatchObject({ status: 'WITHDRAWN', stage: 'WITHDRAWN' });
  });
});

test('stage 1 areas of concern cannot be graded as nonconformities, and stage 2 needs stage 1 first', async () => {
  await withProgramme(async (h) => {
    await runToCertification(h.port);
    const err = await h.port
      .submit({ kind: 'finding', audit: 'stage1', grade: 'major_nc', requirementId: '5.2', description: 'x' })
      .catch((e: unknown) => e);
    expect(String((err as WorkflowUpdateFailedError).cause?.message)).toMatch(
      /stage 1 records areas of concern/,
    );
    const dup = await holdCertificationAudits(h.port).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(WorkflowUpdateFailedError);
  });
});
