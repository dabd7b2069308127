/**
 * A whole three-year certification cycle on the time-skipping server, into the next cycle:
 * the internal audit programme (coverage, independence), internal NCs with corrective actions
 * (reminder, escalation, an ineffective action reopened), stage 2 repeated under the 183-day
 * rule, a major NC closed in time, the minor-NC plan deadline, a stage-2 minor NC verified at
 * the first surveillance and another raised to major there, a missed surveillance that lapses
 * the certificate and its restoration, recertification with carry-over, and the KPI clock.
 * The persistence activities are real, over an in-memory database (the stages load their facts
 * from it and write their records to it); notifications and KPI snapshots are mocked and
 * recorded. The assertions read queries, the database and the activity calls.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { WorkflowUpdateFailedError, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { currentProgrammeWork } from '../../api/handlers';
import type { KpiActivities } from '../../domain/contracts/kpis';
import type { NoticeMail, NotificationActivities } from '../../domain/contracts/notifications';
import { addDuration } from '../../domain/durations';
import { ProgrammeConfig, StageInput, type AuditFinding } from '../../domain/schemas';
import type { StageView } from '../../domain/views';
import type { StepId } from '../../domain/vocabulary';
import { programmeViewQuery, recordDecisionUpdate, stageViewQuery } from '../../domain/messages';
import type { programmeWorkflow } from '../../workflows';
import {
  auditProgramme,
  completeGapAnalysis,
  completeImplementation,
  completeManagementReview,
  completeScoping,
  grantCertificate,
  type JourneyPort,
} from '../support/journey';
import { PEOPLE } from '../support/fixtures';
import { useTimeSkipping } from '../support/temporal';
import { idleReportActivities, openWorkflowStore } from '../support/workflow-harness';

const temporal = useTimeSkipping();
jest.setTimeout(600_000);

const DAY = 86_400_000;
const ESCALATION = { name: 'Mia Manager', email: 'mia@acme.test' };

/** Records the notices and KPI snapshots; persistence is the real one (openWorkflowStore). */
class Recorder {
  notices: NoticeMail[] = [];
  snapshots: { snapshotId: string; at: string }[] = [];
  activities(): NotificationActivities & KpiActivities {
    return {
      sendApprovalMail: () => Promise.resolve({ sent: 0, skipped: 0 }),
      sendNotice: (n) => {
        this.notices.push(n);
        return Promise.resolve({ sent: n.recipients.length, skipped: 0 });
      },
      sendNotices: (ns) => {
        this.notices.push(...ns);
        return Promise.resolve({ sent: ns.reduce((k, n) => k + n.recipients.length, 0), skipped: 0 });
      },
      takeKpiSnapshot: ({ snapshotId, at }) => {
        this.snapshots.push({ snapshotId, at });
        return Promise.resolve({ status: 'ACTIVE' });
      },
    };
  }
  noticesOf(kind: NoticeMail['kind']): NoticeMail[] {
    return this.notices.filter((n) => n.kind === kind);
  }
}

/** Polls a query until the predicate holds (bounded); state changes asynchronously on the worker. */
async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean, tries = 400): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < tries; i++) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`condition not reached; last state: ${JSON.stringify(last)}`);
}

/**
 * The body as the API stores it: validated, with the schema's defaults filled in. An input the
 * schema refuses goes to the stage as it is, which must refuse it too (these tests check that).
 */
function asTheApiStores(input: StageInput): StageInput {
  const parsed = StageInput.safeParse(input);
  return parsed.success ? parsed.data : input;
}

/** The reason a rejected update gave (the API answers it with 409). */
async function rejection(attempt: Promise<unknown>): Promise<string> {
  const err = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return String((err as WorkflowUpdateFailedError).cause?.message);
}

const internalAudit = (
  planId: string,
  auditor: string,
  findings: AuditFinding[] = [],
  extra: Partial<StageInput & { kind: 'audit' }> = {},
): StageInput => ({
  kind: 'audit',
  audit: 'internal',
  planId,
  auditors: [{ name: auditor, email: `${auditor.toLowerCase().replace(/[^a-z]+/g, '.')}@auditors.test` }],
  independent: true,
  findings,
  ...extra,
});

const cbAudit = (
  kind: 'stage1' | 'stage2' | 'surveillance' | 'recertification',
  findings: AuditFinding[] = [],
  verifications?: (StageInput & { kind: 'audit' })['verifications'],
): StageInput => ({
  kind: 'audit',
  audit: kind,
  auditors: [{ name: 'Ada External', email: 'ada.external@auditors.test' }],
  independent: true,
  findings,
  ...(verifications && { verifications }),
});

const action = (
  owner: string,
  due: string,
  evidenceIds?: string[],
): StageInput & { kind: 'correctiveAction' } => ({
  kind: 'correctiveAction',
  findingId: '',
  action: {
    correction: 'Immediate correction',
    rootCause: 'Root cause found by five whys',
    action: 'Change the procedure and train',
    owner,
    due,
    ...(evidenceIds && { evidenceIds }),
  },
});

test('a three-year certification cycle with its audits, nonconformities and deadlines runs into cycle 2', async () => {
  const rec = new Recorder();
  const store = await openWorkflowStore();
  const taskQueue = `cycle-${randomUUID()}`;
  const worker = await Worker.create({
    connection: temporal.env.nativeConnection,
    taskQueue,
    workflowBundle: temporal.bundle,
    activities: { ...store.activities(), ...rec.activities(), ...idleReportActivities },
  });
  const programmeId = randomUUID();
  const t0 = await temporal.env.currentTimeMs();
  const at = (days: number) => new Date(t0 + days * DAY).toISOString();

  await worker.runUntil(async () => {
    const handle: WorkflowHandleWithFirstExecutionRunId<typeof programmeWorkflow> =
      await temporal.env.client.workflow.start<typeof programmeWorkflow>('programmeWorkflow', {
        taskQueue,
        workflowId: `programme-${programmeId}`,
        args: [
          {
            programmeId,
            organisation: 'Acme Ltd',
            name: 'AIMS cycle',
            config: ProgrammeConfig.parse({ correctiveActionEscalation: ESCALATION }),
          },
        ],
      });
    const latest = () => temporal.env.client.workflow.getHandle(handle.workflowId);
    const view = () => latest().query(programmeViewQuery);
    const stageHandle = async () => {
      const v = await view();
      if (!v.stageWorkflowId) throw new Error(`no stage running (step ${v.step})`);
      return temporal.env.client.workflow.getHandle(v.stageWorkflowId);
    };
    const stage = async (): Promise<StageView> => (await stageHandle()).query(stageViewQuery);
    const port: JourneyPort = {
      submit: async (input) => store.submit(await stageHandle(), programmeId, asTheApiStores(input)),
      decide: async (decision) =>
        (await stageHandle()).executeUpdate(recordDecisionUpdate, { args: [decision] }),
      waitForStep: (step: StepId) => waitFor(view, (v) => v.step === step && v.stageWorkflowId !== null),
    };
    const submit = (input: StageInput) => port.submit(input);
    const submitAction = (findingId: string, owner: string, due: string, evidenceIds?: string[]) =>
      submit({ ...action(owner, due, evidenceIds), findingId });
    const gates = async () => (await stage()).unmetGates;
    // The API computes the programme work from the facts in the database, at workflow time.
    const work = async () => {
      const w = await currentProgrammeWork(store.repository, programmeId, await temporal.env.currentTimeMs());
      if (!w) throw new Error('no facts recorded for the programme');
      return w;
    };
    /** A finding as the database keeps it (with the bodies the facts leave out). */
    const storedFinding = (id: string) => store.repository.getFinding(programmeId, id);
    const overdueAttribute = async () =>
      (await latest().describe()).searchAttributes.AimsOverdue?.[0] as boolean | undefined;

    // ------------------------------------------------ preparation and the internal audit programme
    await completeScoping(port);
    const tasks = await completeGapAnalysis(port);
    await completeImplementation(port, tasks);
    await port.waitForStep('INTERNAL_AUDIT');

    // A plan whose auditor would audit their own area is refused with the overlap.
    const selfAudit = await rejection(
      submit({
        kind: 'auditProgramme',
        audits: [
          {
            id: 'ia-self',
            title: 'Operations',
            scope: ['8.1', '8.4'],
            auditor: PEOPLE.complianceLead,
            auditorResponsibleFor: ['8.4'],
            plannedOn: at(5),
          },
        ],
      }),
    );
    expect(selfAudit).toMatch(
      /planned audit ia-self: lead@acme.test is not independent .* responsible for 8\.4/,
    );

    const year2 = {
      id: 'ia-year2',
      title: 'Year 2: operation and data',
      scope: ['8.1', '8.2', '8.3', '8.4', 'A.7.2', 'A.7.3', 'A.7.4'],
      auditor: { name: 'Otto Auditor', email: 'otto@acme.test' },
      auditorResponsibleFor: ['7.5.3'],
      plannedOn: at(400),
    };
    await submit(auditProgramme([year2], at(2)));
    let programme = (await work()).auditProgramme;
    expect(programme).toMatchObject({ cycle: 1, planned: true, audited: 0, coverage: 0, notPlanned: [] });
    const universe = programme.universe;
    expect(universe).toBeGreaterThan(32);
    expect(programme.audits.map((a) => [a.id, a.status])).toEqual([
      ['ia-clauses', 'planned'],
      ['ia-controls', 'planned'],
      ['ia-year2', 'planned'],
    ]);
    expect((await gates()).find((g) => g.gate === 'auditProgrammeOnTrack')?.reason).toMatch(
      new RegExp(
        `^${universe} of ${universe} requirements not yet internally audited before the certification audit`,
      ),
    );

    // An auditor declaring responsibility for part of the scope is not independent: 409 with the reason.
    const notIndependent = await rejection(
      submit(
        internalAudit('ia-clauses', 'Ina Auditor', [], {
          independence: { statement: 'I run the AI policy process', auditorResponsibleFor: ['5.2'] },
        }),
      ),
    );
    expect(notIndependent).toMatch(/Ina Auditor is not independent of this audit: .*responsible for 5\.2/);

    await temporal.env.sleep('3 days'); // the clause audit is held a day after its planned date
    const ia1 = await submit(
      internalAudit(
        'ia-clauses',
        'Ina Auditor',
        [
          {
            grade: 'minor_nc',
            requirementId: '7.2',
            description: 'Two data scientists lack AI-risk training',
          },
          { grade: 'major_nc', requirementId: '8.4', description: 'No impact assessment before retraining' },
        ],
        {
          independence: {
            statement: 'I have no role in clauses 4-10 processes',
            auditorResponsibleFor: ['A.6.2.4'],
          },
        },
      ),
    );
    const [internalMinor, internalMajor] = ia1.findingIds ?? [];
    programme = (await work()).auditProgramme;
    expect(programme.audited).toBe(32);
    expect(programme.audits[0]).toMatchObject({ id: 'ia-clauses', status: 'held', auditId: ia1.recordId });
    // Planned for day 2, held on day 3: both dates are kept.
    expect(Date.parse(programme.audits[0].lastDay as string)).toBeGreaterThan(Date.parse(at(3)) - 1);
    expect(programme.audits[0].plannedOn).toBe(at(2));

    // Corrective actions: the minor one falls due soon; the major one is first found ineffective.
    await submitAction(internalMinor, PEOPLE.complianceLead.email, at(13));
    await submitAction(internalMajor, PEOPLE.sponsor.email, at(20), ['ev-ia-retrain-1']);
    const ownerCloses = await rejection(
      submit({
        kind: 'verification',
        findingId: internalMajor,
        verification: { verifiedBy: 'Ina Auditor', closureApprovedBy: PEOPLE.sponsor.email },
      }),
    );
    expect(ownerCloses).toMatch(
      /sponsor@acme.test owns the corrective action of F-\d+ and cannot approve its closure/,
    );
    await submit({
      kind: 'verification',
      findingId: internalMajor,
      verification: {
        verifiedBy: 'Ina Auditor',
        effective: false,
        note: 'Trigger not wired into the pipeline',
      },
    });
    expect(store.finding(internalMajor)).toMatchObject({ status: 'open' });
    expect(store.finding(internalMajor)?.track?.previousActions).toHaveLength(1);
    await submitAction(internalMajor, PEOPLE.sponsor.email, at(30), ['ev-ia-retrain-2']);
    await submit({
      kind: 'verification',
      findingId: internalMajor,
      verification: {
        verifiedBy: 'Ina Auditor',
        effective: true,
        evidenceIds: ['ev-ia-retrain-2'],
        closureApprovedBy: PEOPLE.complianceLead.email,
      },
    });
    expect(store.finding(internalMajor)).toMatchObject({
      status: 'verified',
      verification: { effective: true, closureApprovedBy: PEOPLE.complianceLead.email },
    });
    // Everything else holds; only the controls are still to be audited.
    expect((await gates()).map((g) => g.gate)).toEqual(['auditProgrammeOnTrack']);
    await submit(internalAudit('ia-controls', 'Otto Auditor'));
    await completeManagementReview(port);

    // ------------------------------------------------ certification: stage 2 repeated, then passed
    await port.waitForStep('CERTIFICATION');
    await submit({ kind: 'certificationBody', name: 'Example Cert Ltd', accreditationBody: 'UKAS' });
    await port.decide({ gate: 'certification_body', outcome: 'approved', approver: PEOPLE.sponsor.email });
    await submit(
      cbAudit('stage1', [
        { grade: 'observation', requirementId: '6.1.2', description: 'Risk criteria not yet calibrated' },
      ]),
    );
    const stage2a = await submit(
      cbAudit('stage2', [
        { grade: 'major_nc', requirementId: '9.3.2', description: 'Management review inputs incomplete' },
      ]),
    );
    const lateMajor = (stage2a.findingIds ?? [])[0];
    await submitAction(lateMajor, PEOPLE.complianceLead.email, at(120));
    const repeatDeadline = (await stage()).nextDeadline;
    expect(repeatDeadline?.id).toBe('majorNcVerification');
    const stage2aMs = await temporal.env.currentTimeMs();

    // The internal minor NC's action is not done by its deadline: reminder, then escalation.
    await temporal.env.sleep('11 days');
    await waitFor(
      () => Promise.resolve(rec.noticesOf('correctiveActionOverdue')),
      (n) => n.length === 1,
    );
    expect(rec.noticesOf('correctiveActionOverdue')[0]).toMatchObject({
      recipients: [PEOPLE.complianceLead],
      facts: { findingId: internalMinor, due: at(13).slice(0, 10) },
    });
    expect(rec.noticesOf('correctiveActionEscalated')).toEqual([]);
    await temporal.env.sleep('15 days');
    await waitFor(
      () => Promise.resolve(rec.noticesOf('correctiveActionEscalated')),
      (n) => n.length === 1,
    );
    expect(rec.noticesOf('correctiveActionEscalated')[0]).toMatchObject({
      recipients: [ESCALATION, PEOPLE.complianceLead],
      facts: { findingId: internalMinor, escalatedAfter: 'P14D' },
    });
    expect((await work()).nonconformities.find((n) => n.findingId === internalMinor)).toMatchObject({
      actionOverdue: true,
      escalatedTo: ESCALATION.email,
    });
    await submit({
      kind: 'verification',
      findingId: internalMinor,
      verification: {
        verifiedBy: 'Ina Auditor',
        evidenceIds: ['ev-training-log'],
        closureApprovedBy: PEOPLE.sponsor.email,
      },
    });

    // The stage-2 major NC is not verified within 183 days of its last day: stage 2 repeats.
    const repeatAt = Date.parse(repeatDeadline?.dueAt as string);
    expect(Math.round((repeatAt - stage2aMs) / DAY)).toBe(183);
    await temporal.env.sleep(repeatAt - (await temporal.env.currentTimeMs()) - DAY);
    expect((await gates()).map((g) => g.gate)).toContain('noOpenMajorNc');
    await temporal.env.sleep(2 * DAY);
    await waitFor(stage, (s) => s.unmetGates.some((g) => /attempt 2/.test(g.reason)));
    expect(store.finding(lateMajor)).toMatchObject({ status: 'superseded' });

    const stage2b = await submit(
      cbAudit('stage2', [
        { grade: 'major_nc', requirementId: 'A.6.2.4', description: 'Validation reports not approved' },
        { grade: 'minor_nc', requirementId: '7.5.3', description: 'Two procedures lack a review date' },
        { grade: 'minor_nc', requirementId: '9.1', description: 'KPI thresholds undocumented' },
      ]),
    );
    const [timelyMajor, minorVerified, minorEscalated] = stage2b.findingIds ?? [];
    const raisedMs = await temporal.env.currentTimeMs();
    await submitAction(timelyMajor, PEOPLE.complianceLead.email, at(200), ['ev-validation-signoff']);
    await submit({
      kind: 'verification',
      findingId: timelyMajor,
      verification: { verifiedBy: 'Ada External', evidenceIds: ['ev-validation-signoff'] },
    });
    await submitAction(minorVerified, PEOPLE.complianceLead.email, at(560));
    // A minor NC of the certification body is verified at its next audit, not now.
    expect(
      await rejection(
        submit({
          kind: 'verification',
          findingId: minorVerified,
          verification: { verifiedBy: 'Ada External' },
        }),
      ),
    ).toMatch(/verifies it at its next audit \(surveillance or recertification\)/);

    // No plan for the other minor NC within 30 days: overdue, with the body's consequence.
    const pending = (await work()).nonconformities.find((n) => n.findingId === minorEscalated);
    expect(pending?.planOverdue).toBe(false);
    const planLead = Date.parse(pending?.planDueAt as string) - addDuration(raisedMs, 'P30D');
    expect(Math.abs(planLead)).toBeLessThan(60_000);
    expect((await view()).overdue).toBe(false);
    // The plan is the programme's next deadline: earlier than stage 2's repeat (183 days) and
    // than the corrective actions' due dates.
    await waitFor(view, (v) => Date.parse(v.nextDueAt ?? '') === Date.parse(pending?.planDueAt as string));
    await temporal.env.sleep('31 days');
    const overdue = await waitFor(view, (v) => v.overdue);
    expect(overdue.certificate).toBeUndefined();
    expect(await overdueAttribute()).toBe(true);
    const flagged = (await work()).nonconformities.find((n) => n.findingId === minorEscalated);
    expect(flagged?.planOverdue).toBe(true);
    expect(flagged?.consequence).toMatch(/raise it to a major nonconformity or suspend the certificate/);
    expect(rec.noticesOf('minorNcPlanOverdue').map((n) => n.facts.findingId)).toEqual([minorEscalated]);
    await submitAction(minorEscalated, PEOPLE.complianceLead.email, at(300));
    await waitFor(view, (v) => !v.overdue);
    expect(await overdueAttribute()).toBe(false);

    await grantCertificate(port, 'AIMS-0001');

    // ------------------------------------------------ first surveillance
    await port.waitForStep('SURVEILLANCE_1');
    const certified = await view();
    const decisionMs = Date.parse(certified.certificate?.decisionDate as string);
    expect(certified.certificate).toMatchObject({
      number: 'AIMS-0001',
      status: 'ACTIVE',
      cycle: 1,
    });
    // The workflow knows which scope version was certified; the certificate record holds the scope.
    expect(certified.certificate?.scopeVersion).toBe(1);
    const certificateRecord = (await store.repository.listCertificates(programmeId)).find(
      (c) => c.number === 'AIMS-0001',
    );
    expect(certificateRecord).toMatchObject({
      number: 'AIMS-0001',
      status: 'ACTIVE',
      cycle: 1,
      scope: { aiSystemIds: ['support-bot', 'fraud-model'] },
    });
    expect(certificateRecord?.scope?.statement).toMatch(/customer-support assistant/);
    expect(Date.parse(certified.certificate?.expiresOn as string)).toBe(addDuration(decisionMs, 'P3Y'));

    await temporal.env.sleep('330 days');
    expect((await gates()).map((g) => [g.gate, g.reason])).toContainEqual([
      'auditProgrammeOnTrack',
      `planned internal audits not yet held: ia-year2 (planned ${at(400).slice(0, 10)})`,
    ]);
    await submit(internalAudit('ia-year2', 'Otto Auditor'));
    const surveillance = await submit(
      cbAudit(
        'surveillance',
        [],
        [{ findingId: minorVerified, verifiedBy: 'Ada External', evidenceIds: ['ev-review-dates'] }],
      ),
    );
    expect(store.finding(minorVerified)).toMatchObject({
      status: 'verified',
      verification: { audit: 'surveillance', auditId: surveillance.recordId },
    });
    // The evidence is part of the verification's body: the finding's record in the database has it.
    expect(await storedFinding(minorVerified)).toMatchObject({
      status: 'verified',
      verification: {
        audit: 'surveillance',
        auditId: surveillance.recordId,
        evidenceIds: ['ev-review-dates'],
      },
    });
    // The other stage-2 minor NC was not verified at this audit: it is now a major NC of it.
    const escalated = store.finding(minorEscalated);
    expect(escalated?.status).toBe('superseded');
    const newMajor = escalated?.track?.escalatedTo as string;
    expect(newMajor).toMatch(/^F-\d+$/);
    expect(store.finding(newMajor)).toMatchObject({
      grade: 'major_nc',
      audit: 'surveillance',
      requirementId: '9.1',
      status: 'open',
      track: { escalatedFrom: minorEscalated },
    });
    expect((await gates()).map((g) => g.gate)).toEqual(['nonconformitiesHaveActions', 'noOpenMajorNc']);
    await submitAction(newMajor, PEOPLE.complianceLead.email, at(600), ['ev-kpi-thresholds']);
    await submit({
      kind: 'verification',
      findingId: newMajor,
      verification: { verifiedBy: 'Ada External', evidenceIds: ['ev-kpi-thresholds'] },
    });

    // ------------------------------------------------ second surveillance missed: lapse, then restore
    await port.waitForStep('SURVEILLANCE_2');
    const secondDue = addDuration(addDuration(decisionMs, 'P12M'), 'P12M');
    expect(Date.parse((await stage()).nextDeadline?.dueAt as string)).toBe(secondDue);
    await temporal.env.sleep(secondDue - (await temporal.env.currentTimeMs()) + DAY);
    const lapsed = await waitFor(view, (v) => v.certificate?.status === 'LAPSED');
    expect(lapsed.overdue).toBe(true);
    expect(lapsed.certificate?.lapsedAt).toBe(new Date(secondDue).toISOString());
    expect((await stage()).nextDeadline?.id).toBe('restoreWindow');
    await temporal.env.sleep('45 days');
    await submit(cbAudit('surveillance'));
    const restored = await waitFor(view, (v) => v.step === 'RECERTIFICATION' && v.stageWorkflowId !== null);
    expect(restored.certificate?.status).toBe('ACTIVE');
    expect(restored.overdue).toBe(false);

    // ------------------------------------------------ three years of KPI snapshots
    const threeYears = addDuration(t0, 'P3Y');
    await temporal.env.sleep(threeYears - (await temporal.env.currentTimeMs()) + DAY);
    await waitFor(
      () => Promise.resolve(rec.snapshots.length),
      (n) => n === 13,
    );
    const within = rec.snapshots.filter((s) => Date.parse(s.at) < threeYears);
    expect(within).toHaveLength(12);
    // The first at the start, then each three calendar months after the one before (only the
    // activities' own real milliseconds drift in).
    within.forEach((s, k) => {
      const expected = k === 0 ? t0 : addDuration(Date.parse(within[k - 1].at), 'P3M');
      const drift = Date.parse(s.at) - expected;
      expect(drift).toBeGreaterThanOrEqual(0);
      expect(drift).toBeLessThan(60_000);
    });
    expect(Date.parse(within[11].at) - t0).toBeLessThan(addDuration(t0, 'P33M') - t0 + 60_000);
    expect(new Set(within.map((s) => s.snapshotId)).size).toBe(12);

    // ------------------------------------------------ recertification into cycle 2
    const cycle1Findings = (await work()).nonconformities;
    expect(cycle1Findings).toEqual([]);
    const recert = await submit(
      cbAudit('recertification', [
        {
          grade: 'minor_nc',
          requirementId: '10.2',
          description: 'Two corrective actions closed without evidence',
        },
      ]),
    );
    const carried = (recert.findingIds ?? [])[0];
    await submitAction(carried, PEOPLE.complianceLead.email, at(1300));
    expect((await gates()).map((g) => g.gate)).toEqual(['certificateGranted']);
    await grantCertificate(port, 'AIMS-0002');

    const cycle2 = await waitFor(
      view,
      (v) => v.cycle === 2 && v.step === 'SURVEILLANCE_1' && v.stageWorkflowId !== null,
    );
    expect(cycle2.certificate).toMatchObject({
      number: 'AIMS-0002',
      cycle: 2,
      status: 'ACTIVE',
      replaces: 'AIMS-0001',
    });
    expect(Date.parse(cycle2.certificate?.expiresOn as string)).toBe(
      addDuration(addDuration(decisionMs, 'P3Y'), 'P3Y'),
    );
    expect(store.transitions.map((t) => t.to)).toEqual([
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

    // Cycle 2 starts from cycle 1: recurring work to do, closed stays closed, open carries over.
    const w2 = await work();
    expect(w2.cycle).toBe(2);
    expect(w2.cycleStartedAt).toBeDefined();
    expect(w2.cycleWork.map((i) => [i.item, i.status])).toEqual([
      ['internalAuditProgramme', 'todo'],
      ['managementReview', 'todo'],
      ['surveillance1', 'todo'],
      ['surveillance2', 'todo'],
      ['recertification', 'todo'],
    ]);
    expect(w2.auditProgramme).toMatchObject({ cycle: 2, planned: false, audited: 0, coverage: 0 });
    expect(w2.carriedOver).toEqual({
      fromCycle: 1,
      openFindings: [carried],
      closedFindings: 7,
      certificate: 'AIMS-0002',
    });
    expect(w2.nonconformities).toEqual([
      expect.objectContaining({
        findingId: carried,
        status: 'action_planned',
        grade: 'minor_nc',
        audit: 'recertification',
      }),
    ]);
    expect((await gates()).map((g) => [g.gate, g.reason])).toEqual([
      ['auditHeld', 'audit not yet recorded: surveillance'],
      ['auditProgrammeOnTrack', 'no internal audit programme planned for cycle 2'],
    ]);
    for (const closed of [internalMinor, internalMajor, timelyMajor, minorVerified, newMajor]) {
      expect(store.finding(closed)?.status).toBe('verified');
    }
    for (const closed of [lateMajor, minorEscalated])
      expect(store.finding(closed)?.status).toBe('superseded');

    // History stays bounded: each cycle is its own run.
    const run1 = await temporal.env.client.workflow
      .getHandle(handle.workflowId, handle.firstExecutionRunId)
      .fetchHistory();
    const events = run1.events?.length ?? 0;
    expect(events).toBeGreaterThan(50);
    expect(events).toBeLessThan(2000);
    await latest().terminate('test over');
  });
  await store.close();
});
