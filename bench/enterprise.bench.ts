/**
 * One programme grown to a large enterprise's size, driven over HTTP through a whole
 * certification cycle and into the next, at several fractions of the profile: what it leaves
 * in Temporal (the largest payload in any history, events and bytes per cycle, the longest run)
 * and how much mail it sends. Every text field is filled to near its limit (75-95%, with
 * multi-byte characters), within the API's 1 MB request limit.
 *
 * Run alone: `node dist/bench/enterprise.bench.js [fraction…]` (default 0.01 0.1 1).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { CLAUSES, CONTROLS, REQUIREMENTS } from '../domain/catalogue/iso42001';
import type { DecisionBody, StageInput } from '../domain/schemas';
import type { StepId } from '../domain/vocabulary';
import { startDevServer } from '../infra/temporal-server';
import { testDatabases } from '../test/support/databases';
import { http, HttpJourneyPort, type ProgrammeDetail } from '../test/support/http-port';
import { startStack, type Stack } from '../test/support/stack';
import { programmeHistoryStats, type HistoryStats } from './history-stats';
import type { BenchResult } from './types';

/** The enterprise profile: 100% of each count. */
export const PROFILE = {
  aiSystems: 500,
  roadmapTasks: 1000,
  risks: 600,
  impactAssessments: 500,
  policies: 40,
  findings: 300,
} as const;

type Profile = { [K in keyof typeof PROFILE]: number };

export function profileAt(fraction: number): Profile {
  const n = (x: number) => Math.max(1, Math.round(x * fraction));
  return {
    aiSystems: n(PROFILE.aiSystems),
    roadmapTasks: n(PROFILE.roadmapTasks),
    risks: n(PROFILE.risks),
    // One per AI system in scope: the gate wants every system in scope assessed.
    impactAssessments: n(PROFILE.impactAssessments),
    policies: n(PROFILE.policies),
    findings: n(PROFILE.findings),
  };
}

const SEED = 'Évaluation d’impact — système d’IA à haut risque; données personnelles, équité et sûreté. ';

/** Text of `length` characters (UTF-16 units, as the schemas count), multi-byte characters included. */
export function text(length: number, tag = ''): string {
  const head = tag ? `${tag}: ` : '';
  let s = head;
  while (s.length < length) s += SEED;
  s = s.slice(0, length);
  // Trimmed by the schema: end on a letter so the length holds.
  return s.replace(/\s$/, 'x');
}

/** 90% of a limit. */
const near = (limit: number) => Math.floor(limit * 0.9);

const PEOPLE = {
  sponsor: { name: text(near(200), 'Sponsor'), email: 'sponsor@acme.test' },
  complianceLead: { name: text(near(200), 'Lead'), email: 'lead@acme.test' },
  topManagement: { name: text(near(200), 'CEO'), email: 'ceo@acme.test' },
};

const systemId = (i: number) => `ai-system-${String(i).padStart(5, '0')}-${'x'.repeat(40)}`;
const riskId = (i: number) => `risk-${String(i).padStart(5, '0')}-${'r'.repeat(40)}`;
const FUTURE = '2027-09-30T00:00:00Z';
/** The API refuses bodies over 1 MB; lists of long texts are sized to stay under this. */
const BODY_BUDGET = 900 * 1024;

function scope(p: Profile) {
  const perSystem = Math.min(near(2000), Math.floor(BODY_BUDGET / p.aiSystems) - 400);
  return {
    statement: text(near(10000), 'Scope'),
    aiSystems: Array.from({ length: p.aiSystems }, (_, i) => ({
      id: systemId(i),
      name: text(near(200), `System ${i}`),
      type: (['model', 'feature', 'internal_use'] as const)[i % 3],
      inScope: true,
      description: text(perSystem, `System ${i}`),
    })),
    aiRoles: ['provider', 'customer'],
    boundaries: text(near(2000), 'Boundaries'),
    locations: Array.from({ length: 5 }, (_, i) => text(near(200), `Site ${i}`)),
    internalIssues: Array.from({ length: 5 }, (_, i) => text(near(2000), `Internal ${i}`)),
    externalIssues: Array.from({ length: 5 }, (_, i) => text(near(2000), `External ${i}`)),
    interestedParties: [{ name: text(near(200), 'Customers'), requirements: [text(near(2000), 'Needs')] }],
    integratesWith: ['ISO27001'],
    sponsor: PEOPLE.sponsor,
    complianceLead: PEOPLE.complianceLead,
    topManagement: PEOPLE.topManagement,
    committee: [PEOPLE.complianceLead],
  };
}

/** Requirements not yet met: every other one, as many as there are tasks to cover them. */
const gapsOf = (p: Profile) =>
  REQUIREMENTS.filter((_, i) => i % 2 === 0)
    .slice(0, p.roadmapTasks)
    .map((r) => r.id);

/** Every requirement assessed; the gaps partially met, so the roadmap's tasks spread over them. */
function assessments(p: Profile) {
  const gaps = new Set(gapsOf(p));
  return {
    items: REQUIREMENTS.map((r) => ({
      requirementId: r.id,
      status: gaps.has(r.id) ? ('partially_compliant' as const) : ('compliant' as const),
      assessor: PEOPLE.complianceLead.email,
      justification: text(near(2000), r.id),
      evidence: Array.from({ length: 3 }, (_, k) => text(near(500), `Evidence ${k}`)),
    })),
  };
}

function riskTreatmentPlan(p: Profile) {
  return {
    risks: Array.from({ length: p.risks }, (_, i) => ({
      id: riskId(i),
      title: text(near(300), `Risk ${i}`),
      aiSystemIds: [systemId(i % p.aiSystems)],
      likelihood: 3,
      severity: 4,
      treatment: 'mitigate' as const,
      controls: CONTROLS.slice(0, 5).map((c) => c.id),
      residualLikelihood: 2,
      residualSeverity: 2,
      owner: PEOPLE.complianceLead.email,
    })),
  };
}

function impactAssessment(i: number) {
  const many = (n: number, limit: number, tag: string) =>
    Array.from({ length: n }, (_, k) => text(near(limit), `${tag} ${k}`));
  return {
    aiSystemId: systemId(i),
    intendedUse: text(near(2000), 'Use'),
    foreseeableMisuse: text(near(2000), 'Misuse'),
    affectedParties: many(5, 300, 'Party'),
    harms: many(5, 2000, 'Harm'),
    benefits: many(3, 2000, 'Benefit'),
    likelihood: 2,
    severity: 3,
    measures: many(5, 2000, 'Measure'),
    dataDescription: text(near(5000), 'Data'),
    deploymentContext: text(near(5000), 'Context'),
  };
}

function soa(p: Profile) {
  return {
    entries: CONTROLS.map((c) => ({
      controlId: c.id,
      applicable: true,
      justification: text(near(2000), c.id),
      implementationStatus: 'implemented' as const,
      linkedRiskIds: Array.from({ length: Math.min(p.risks, 20) }, (_, i) => riskId(i)),
      linkedAiSystemIds: Array.from({ length: Math.min(p.aiSystems, 20) }, (_, i) => systemId(i)),
    })),
  };
}

const GRADES = ['conformity', 'observation', 'ofi', 'minor_nc', 'conformity'] as const;

function findings(n: number, scopeIds: readonly string[], tag: string) {
  return Array.from({ length: n }, (_, i) => ({
    grade: GRADES[i % GRADES.length],
    requirementId: scopeIds[i % scopeIds.length],
    description: text(near(5000), `${tag} finding ${i}`),
  }));
}

/** Findings of each audit in the cycle: most from the internal audit, the rest from the body's. */
function findingPlan(total: number) {
  const share = (x: number) => Math.max(1, Math.round(total * x));
  return {
    internal: share(200 / 300),
    stage1: share(20 / 300),
    stage2: share(40 / 300),
    surveillance1: share(20 / 300),
    surveillance2: share(10 / 300),
    recertification: share(10 / 300),
  };
}

/** The internal audit programme of a cycle: the clauses, and the Annex A controls. */
function auditProgramme(plannedOn: string): StageInput {
  return {
    kind: 'auditProgramme',
    audits: [
      {
        id: 'ia-clauses',
        title: text(near(300), 'Clauses'),
        scope: CLAUSES.map((c) => c.id),
        auditor: { name: text(near(200), 'Ina'), email: 'ina@acme.test' },
        auditorResponsibleFor: [],
        plannedOn,
      },
      {
        id: 'ia-controls',
        title: text(near(300), 'Controls'),
        scope: CONTROLS.map((c) => c.id),
        auditor: { name: text(near(200), 'Otto'), email: 'otto@acme.test' },
        auditorResponsibleFor: [],
        plannedOn,
      },
    ],
  };
}

const correctiveAction = (owner: string) => ({
  correction: text(near(2000), 'Correction'),
  rootCause: text(near(2000), 'Root cause'),
  action: text(near(2000), 'Action'),
  owner,
  due: FUTURE,
});

const verification = () => ({
  verifiedBy: text(near(200), 'Verifier'),
  note: text(near(2000), 'Verified'),
  closureApprovedBy: PEOPLE.sponsor.email,
});

/** Drives the programme, counting its requests; a refused one stops the run with its problem. */
class Driver {
  requests = 0;
  constructor(
    private readonly stack: Stack,
    readonly port: HttpJourneyPort,
  ) {}

  async call(method: string, route: string, body?: unknown): Promise<Record<string, unknown>> {
    this.requests++;
    const res = await http(
      this.stack.baseUrl(),
      method,
      `/programmes/${this.port.programmeId}/${route}`,
      body,
      this.stack.authHeader(),
    );
    if (res.status >= 300) {
      throw new Error(`${method} ${route} -> ${res.status}: ${JSON.stringify(res.body).slice(0, 2000)}`);
    }
    return res.body as Record<string, unknown>;
  }

  submit(input: StageInput) {
    this.requests++;
    return this.port.submit(input);
  }

  /** As an approver would: once the request has gone out by mail, decide. */
  async approve(gate: string, approver: string): Promise<void> {
    await this.port.waitFor(
      (d) =>
        (d.pendingApprovals as { gate: string; request?: unknown }[]).some(
          (a) => a.gate === gate && a.request,
        ),
      `approval request for ${gate}`,
      4000,
    );
    const decision: DecisionBody = { gate, outcome: 'approved', approver };
    await this.call('POST', 'decisions', decision);
  }

  waitForStep(step: StepId, cycle?: number): Promise<ProgrammeDetail> {
    return this.port.waitFor(
      (d) => d.step === step && d.accepts.length > 0 && (cycle === undefined || d.cycle === cycle),
      `step ${step}`,
      4000,
    );
  }

  async audit(
    audit: 'internal' | 'stage1' | 'stage2' | 'surveillance' | 'recertification',
    list: ReturnType<typeof findings>,
    planId?: string,
    /** The body's minor nonconformities it verifies at this audit (else they become major). */
    verifies: readonly string[] = [],
  ): Promise<string[]> {
    const res = await this.submit({
      kind: 'audit',
      audit,
      ...(planId && { planId }),
      auditors: [{ name: text(near(200), 'Auditor'), email: 'auditor@auditors.test' }],
      independent: true,
      findings: list,
      ...(verifies.length > 0 && {
        verifications: verifies.map((findingId) => ({ findingId, ...verification() })),
      }),
    });
    return res.findingIds ?? [];
  }

  /** Plans corrective actions for the nonconformities among `ids` (they follow `list`). */
  async actOn(ids: readonly string[], list: ReturnType<typeof findings>): Promise<string[]> {
    const ncs = ids.filter((_, i) => list[i].grade === 'minor_nc');
    for (const findingId of ncs) {
      await this.submit({
        kind: 'correctiveAction',
        findingId,
        action: correctiveAction(PEOPLE.complianceLead.email),
      });
    }
    return ncs;
  }

  async verify(ids: readonly string[]): Promise<void> {
    for (const findingId of ids) {
      await this.submit({
        kind: 'verification',
        findingId,
        verification: verification(),
      });
    }
  }
}

interface CycleFigures {
  fraction: number;
  profile: Profile;
  stats: HistoryStats;
  /** Mail sent, by cycle (the outbox's messages when each cycle ended). */
  /** Mail sent over the whole run, by kind, and what a person would expect. */
  mail: { total: number; expected: number; byKind: Record<string, number> };
  requests: number;
  seconds: number;
}

/** Mail in the outbox: how many messages, and how many of each kind (its X-Aimsflow-Kind header). */
function outbox(dir: string): { total: number; byKind: Record<string, number> } {
  const byKind: Record<string, number> = {};
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.eml'));
  for (const f of files) {
    const head = fs.readFileSync(path.join(dir, f), 'utf8').split(/\r?\n\r?\n/)[0];
    const subject = /^Subject: (.*)$/im.exec(head)?.[1] ?? '';
    const kind = /^X-Aimsflow-(?:Kind|Notice): (.*)$/im.exec(head)?.[1] ?? subject.replace(/[0-9]+/g, '#');
    byKind[kind] = (byKind[kind] ?? 0) + 1;
  }
  return { total: files.length, byKind };
}

async function oneProgramme(stack: Stack, fraction: number, log: (s: string) => void): Promise<CycleFigures> {
  const p = profileAt(fraction);
  const t0 = performance.now();
  const created = await http(
    stack.baseUrl(),
    'POST',
    '/programmes',
    { organisation: 'Acme Group', name: `Enterprise ${fraction * 100}%`, config: { approvalSettle: 'PT1S' } },
    stack.authHeader(),
  );
  if (created.status !== 201) throw new Error(`POST /programmes -> ${created.status}`);
  const id = (created.body as { id: string }).id;
  const d = new Driver(stack, new HttpJourneyPort(() => stack.baseUrl(), id, stack.authHeader()));
  const step = (s: string) => log(`  ${fraction * 100}%: ${s} (${d.requests} requests so far)`);

  // Scoping.
  await d.waitForStep('SCOPING');
  await d.submit({ kind: 'scope', ...scope(p) } as StageInput);
  await d.approve('scope', PEOPLE.sponsor.email);

  // Gap analysis: every requirement assessed, the roadmap's tasks spread over the gaps.
  step('gap analysis');
  await d.waitForStep('GAP_ANALYSIS');
  await d.submit({ kind: 'assessments', ...assessments(p) });
  const gapIds = gapsOf(p);
  const taskIds: string[] = [];
  for (let i = 0; i < p.roadmapTasks; i++) {
    const res = await d.submit({
      kind: 'roadmapTask',
      requirementId: gapIds[i % gapIds.length],
      title: text(near(300), `Task ${i}`),
      owner: i % 2 === 0 ? PEOPLE.complianceLead.email : PEOPLE.sponsor.email,
      deadline: FUTURE,
    });
    taskIds.push(res.recordId as string);
  }
  await d.approve('roadmap', PEOPLE.sponsor.email);

  // Implementation.
  step('implementation');
  await d.waitForStep('IMPLEMENTATION');
  for (let i = 0; i < p.policies; i++) {
    await d.submit({
      kind: 'policy',
      policyType: i === 0 ? 'ai_policy' : 'other',
      title: text(near(300), `Policy ${i}`),
      documentRef: text(near(2000), `dms://policies/${i}`),
    });
  }
  await d.approve('ai_policy', PEOPLE.topManagement.email);
  await d.submit({ kind: 'riskTreatmentPlan', ...riskTreatmentPlan(p) });
  await d.approve('risk_treatment_plan', PEOPLE.sponsor.email);
  for (let i = 0; i < Math.min(p.impactAssessments, p.aiSystems); i++) {
    await d.submit({ kind: 'impactAssessment', ...impactAssessment(i) });
  }
  await d.submit({ kind: 'soa', ...soa(p) });
  await d.approve('soa', PEOPLE.topManagement.email);
  for (const taskId of taskIds) {
    await d.submit({
      kind: 'taskUpdate',
      taskId,
      update: { status: 'done', note: text(near(2000), 'Done') },
    });
  }

  // Internal audit: the programme's two planned audits hold most of the cycle's findings.
  step('internal audit');
  const plan = findingPlan(p.findings);
  await d.waitForStep('INTERNAL_AUDIT');
  await d.submit(auditProgramme('2027-01-15T00:00:00Z'));
  const half = Math.ceil(plan.internal / 2);
  const internalA = findings(
    half,
    CLAUSES.map((c) => c.id),
    'IA clauses',
  );
  const internalB = findings(
    plan.internal - half,
    CONTROLS.map((c) => c.id),
    'IA controls',
  );
  const internalNcs = [
    ...(await d.actOn(await d.audit('internal', internalA, 'ia-clauses'), internalA)),
    ...(await d.actOn(await d.audit('internal', internalB, 'ia-controls'), internalB)),
  ];

  // Management review: the internal audit's actions are verified, the minutes signed off.
  step('management review');
  await d.waitForStep('MANAGEMENT_REVIEW');
  await d.verify(internalNcs);
  await d.submit({
    kind: 'managementReview',
    heldOn: '2027-02-01T10:00:00Z',
    attendees: [PEOPLE.topManagement, PEOPLE.complianceLead],
    decisions: Array.from({ length: 20 }, (_, i) => ({
      topic: text(near(300), `Topic ${i}`),
      decision: text(near(2000), `Decision ${i}`),
      owner: PEOPLE.sponsor.email,
      resources: text(near(2000), 'Resources'),
    })),
  });
  await d.approve('management_review', PEOPLE.topManagement.email);

  // Certification.
  step('certification');
  const everything = REQUIREMENTS.map((r) => r.id);
  const rotate = (ids: string[], by: number) => [...ids.slice(by), ...ids.slice(0, by)];
  const rcScope = rotate(everything, 10);
  await d.waitForStep('CERTIFICATION');
  await d.submit({
    kind: 'certificationBody',
    name: text(near(200), 'Cert body'),
    accreditationBody: text(near(100), 'UKAS'),
  });
  await d.approve('certification_body', PEOPLE.sponsor.email);
  const s1 = findings(plan.stage1, everything, 'Stage 1').map((f) => ({
    ...f,
    grade: f.grade === 'minor_nc' ? ('observation' as const) : f.grade,
  }));
  await d.audit('stage1', s1);
  const s2 = findings(plan.stage2, everything, 'Stage 2');
  const stage2Ncs = await d.actOn(await d.audit('stage2', s2), s2);
  await d.submit({
    kind: 'certificationDecision',
    decision: { outcome: 'granted', certificateNumber: `ENT-${fraction}-1` },
  });

  // Surveillance 1 and 2: the body verifies its earlier nonconformities and raises a few more.
  let open = stage2Ncs;
  for (const [stepId, count] of [
    ['SURVEILLANCE_1', plan.surveillance1],
    ['SURVEILLANCE_2', plan.surveillance2],
  ] as const) {
    step(stepId.toLowerCase());
    await d.waitForStep(stepId);
    // Each audit looks at other requirements than the last: a new nonconformity on the same
    // requirement as an unverified one would escalate it instead.
    const list = findings(count, rotate(everything, stepId === 'SURVEILLANCE_1' ? 40 : 60), stepId);
    const ids = await d.audit('surveillance', list, undefined, open);
    open = await d.actOn(ids, list);
  }

  step('recertification');
  await d.waitForStep('RECERTIFICATION');
  const rc = findings(plan.recertification, rcScope, 'Recertification');
  const rcIds = await d.audit('recertification', rc, undefined, open);
  open = await d.actOn(rcIds, rc);
  await d.submit({
    kind: 'certificationDecision',
    decision: { outcome: 'granted', certificateNumber: `ENT-${fraction}-2` },
  });

  // Into the next cycle: its first surveillance step starts.
  await d.waitForStep('SURVEILLANCE_1', 2);
  step('cycle 2');
  await d.submit(auditProgramme('2028-01-15T00:00:00Z'));
  await d.audit('surveillance', [], undefined, open);
  await d.port.waitFor((x) => x.step === 'SURVEILLANCE_2' && x.cycle === 2, 'cycle 2 surveillance 2', 4000);
  const seconds = (performance.now() - t0) / 1000;

  // What the people of this programme should have received: one request per approval (seven
  // gates, each decided at its first request, so no reminders), one notice per task to its
  // owner, and one per step entered to the sponsor and the compliance lead: ten steps, the
  // eight after scoping in cycle 1 and the first two of cycle 2 (scoping starts before the
  // scope names anyone). Nothing fell overdue.
  const expected = 7 + p.roadmapTasks + 2 * 10;
  // The last notices go out just after the step changes: wait (bounded) for them to arrive.
  let mail = outbox(stack.outboxDir);
  for (let i = 0; i < 600 && mail.total < expected; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    mail = outbox(stack.outboxDir);
  }

  const stats = await programmeHistoryStats(stack.client(), id);
  return {
    fraction,
    profile: p,
    stats,
    mail: { total: mail.total, expected, byKind: mail.byKind },
    requests: d.requests,
    seconds,
  };
}

const KB = 1024;
const round = (n: number, digits = 1) => Number(n.toFixed(digits));

function rows(f: CycleFigures): BenchResult[] {
  const pct = `${round(f.fraction * 100, 0)}%`;
  const c1 = f.stats.byCycle.get(1);
  const c2 = f.stats.byCycle.get(2);
  return [
    {
      name: `Enterprise ${pct}: largest payload in any history (${f.stats.largestPayload.eventType})`,
      value: round(f.stats.largestPayload.bytes / KB),
      unit: 'KiB',
      goal: '<= 64 KiB',
      pass: f.stats.largestPayload.bytes <= 64 * KB,
    },
    {
      name: `Enterprise ${pct}: most events in one run (${f.stats.maxEventsInRun.workflowId.replace(/^programme-[^/]+/, 'programme')})`,
      value: f.stats.maxEventsInRun.events,
      unit: 'events',
      goal: '<= 10,240',
      pass: f.stats.maxEventsInRun.events <= 10240,
    },
    {
      name: `Enterprise ${pct}: cycle 1 history (${c1?.runs ?? 0} runs)`,
      value: c1?.events ?? 0,
      unit: 'events',
    },
    { name: `Enterprise ${pct}: cycle 1 history bytes`, value: round((c1?.bytes ?? 0) / KB, 0), unit: 'KiB' },
    {
      name: `Enterprise ${pct}: cycle 2 history so far (${c2?.runs ?? 0} runs, first surveillance)`,
      value: c2?.events ?? 0,
      unit: 'events',
    },
    {
      name: `Enterprise ${pct}: emails sent through cycle 1 into cycle 2 (${Object.entries(f.mail.byKind)
        .sort()
        .map(([kind, n]) => `${n} ${kind}`)
        .join(', ')})`,
      value: f.mail.total,
      unit: 'emails',
      baseline: f.mail.expected,
      goal: '= expected (baseline)',
      pass: f.mail.total === f.mail.expected,
    },
    { name: `Enterprise ${pct}: API requests to run it`, value: f.requests, unit: 'requests' },
    { name: `Enterprise ${pct}: wall time`, value: round(f.seconds, 0), unit: 's' },
  ];
}

export async function run(
  fractions: readonly number[] = [0.01, 0.1, 1],
  log: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<BenchResult[]> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aimsflow-enterprise-'));
  const server = await startDevServer({ headless: true, logLevel: 'error' });
  const db = testDatabases()[0];
  const results: BenchResult[] = [];
  try {
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('../workflows'),
      logger: new DefaultLogger('WARN'),
    });
    for (const fraction of fractions) {
      // A stack per size, so each outbox holds one programme's mail.
      const stack = await startStack({
        address: server.address,
        databaseUrl: await db.freshDatabase(`ent${Math.round(fraction * 1000)}`),
        workflowBundle: { code },
      });
      try {
        log(`enterprise profile at ${fraction * 100}%: ${JSON.stringify(profileAt(fraction))}`);
        const figures = await oneProgramme(stack, fraction, log);
        log(`  mail by kind: ${JSON.stringify(figures.mail.byKind)}`);
        results.push(...rows(figures));
      } finally {
        await stack.stop();
      }
    }
  } finally {
    await db.cleanup();
    await server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return results;
}

if (require.main === module) {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const fractions = process.argv.slice(2).map(Number);
  run(fractions.length > 0 ? fractions : undefined).then(
    (results) => {
      for (const r of results) process.stdout.write(`${r.name}: ${r.value} ${r.unit}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
