/**
 * Programme benchmarks, each side by side with its closest baseline on the same server and
 * worker: programme start through the API vs a raw client.workflow.start, a decision round
 * trip through the API vs a raw Update, 1,000 programmes parked on one worker, and the events
 * and replay time of one full three-year cycle.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, type WorkflowHandle } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { createApp } from '../api/app';
import { TemporalProgrammeGateway } from '../api/temporal-gateway';
import { ApiKeyStore } from '../db/api-key-store';
import { ProgrammeRepository } from '../db/repository';
import { inputDefinition, type Submission } from '../domain/inputs';
import { STEPS } from '../domain/process-model';
import { ProgrammeConfig, StageInput, type DecisionBody } from '../domain/schemas';
import {
  AimsCycle,
  AimsOrganisation,
  AimsProgrammeId,
  AimsStage,
  AimsStep,
} from '../domain/search-attributes';
import type { StageView } from '../domain/views';
import {
  recordDecisionUpdate,
  stageViewQuery,
  submitInputUpdate,
  programmeViewQuery,
} from '../domain/messages';
import type { programmeWorkflow } from '../workflows';
import { scopeBody, PEOPLE } from '../test/support/fixtures';
import { http, HttpJourneyPort } from '../test/support/http-port';
import { grantCertificate, passAudit, runToCertification } from '../test/support/journey';
import { runConcurrent, sleep, stats, type LatencyStats, type WorkerProcess } from './harness';
import type { BenchResult } from './types';

const CONFIG = ProgrammeConfig.parse({});

export interface ApiUnderTest {
  baseUrl: string;
  /** An admin key's Authorization header: every request pays for a real key check. */
  auth: Record<string, string>;
  close(): Promise<void>;
}

/** The real Express app on a loopback port, as api/main.ts serves it (minus metrics scraping). */
export async function startApi(
  client: Client,
  taskQueue: string,
  dataSource: DataSource,
): Promise<ApiUnderTest> {
  const keys = new ApiKeyStore(dataSource);
  const { key } = await keys.create({
    name: 'bench',
    role: 'admin',
    createdBy: 'bench',
    recordsForOthers: true,
  });
  const app = createApp({
    gateway: new TemporalProgrammeGateway(client, taskQueue),
    store: new ProgrammeRepository(dataSource),
    authenticator: keys,
    logger: pino({ level: 'silent' }),
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    auth: { authorization: `Bearer ${key}` },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Exactly what TemporalProgrammeGateway.start sends, without the API around it. */
export function rawStart(client: Client, taskQueue: string, organisation: string) {
  const programmeId = randomUUID();
  return client.workflow.start<typeof programmeWorkflow>('programmeWorkflow', {
    taskQueue,
    workflowId: `programme-${programmeId}`,
    args: [{ programmeId, organisation, name: 'Bench programme', config: CONFIG }],
    typedSearchAttributes: [
      { key: AimsProgrammeId, value: programmeId },
      { key: AimsOrganisation, value: organisation },
      { key: AimsStage, value: 'SCOPING' },
      { key: AimsStep, value: 'SCOPING' },
      { key: AimsCycle, value: 1 },
    ],
    staticSummary: `${organisation}: Bench programme`,
  });
}

async function apiStart(api: ApiUnderTest, organisation: string): Promise<string> {
  const res = await http(
    api.baseUrl,
    'POST',
    '/programmes',
    { organisation, name: 'Bench programme' },
    api.auth,
  );
  if (res.status !== 201) throw new Error(`POST /programmes -> ${res.status}: ${JSON.stringify(res.body)}`);
  return (res.body as { id: string }).id;
}

const fmt = (n: number, digits = 1) => Number(n.toFixed(digits));

/** Programme start: API vs raw start at 1, 8 and 32 concurrent clients, alternating which goes first. */
export async function benchStart(
  client: Client,
  taskQueue: string,
  api: ApiUnderTest,
  log: (line: string) => void,
): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const plan: [number, number][] = [
    [1, 40],
    [8, 160],
    [32, 320],
  ];
  for (const [concurrency, total] of plan) {
    // Warm both paths (connections, JIT) before measuring.
    await runConcurrent(concurrency, concurrency, () => apiStart(api, 'Warm-up'));
    await runConcurrent(concurrency, concurrency, () => rawStart(client, taskQueue, 'Warm-up'));
    const halves: { api: LatencyStats[]; raw: LatencyStats[] } = { api: [], raw: [] };
    for (const order of [['api', 'raw'] as const, ['raw', 'api'] as const]) {
      for (const which of order) {
        const s =
          which === 'api'
            ? await runConcurrent(total / 2, concurrency, () => apiStart(api, 'Bench API'))
            : await runConcurrent(total / 2, concurrency, () => rawStart(client, taskQueue, 'Bench raw'));
        halves[which].push(s);
      }
    }
    const merge = (parts: LatencyStats[]): { throughput: number; p50: number; p99: number } => ({
      throughput: parts.reduce((n, p) => n + p.count, 0) / parts.reduce((t, p) => t + p.seconds, 0),
      p50: parts.reduce((n, p) => n + p.p50Ms, 0) / parts.length,
      p99: Math.max(...parts.map((p) => p.p99Ms)),
    });
    const a = merge(halves.api);
    const r = merge(halves.raw);
    log(`  start c=${concurrency}: API ${a.throughput.toFixed(0)}/s vs raw ${r.throughput.toFixed(0)}/s`);
    const ratio = a.throughput / r.throughput;
    results.push(
      {
        name: `Programme start throughput, ${concurrency} client(s) (API vs raw start)`,
        value: fmt(a.throughput),
        unit: 'starts/s',
        baseline: fmt(r.throughput),
        ratio: fmt(ratio, 2),
        goal: '>= 0.8x',
        pass: ratio >= 0.8,
      },
      {
        name: `Programme start p50 latency, ${concurrency} client(s)`,
        value: fmt(a.p50, 2),
        unit: 'ms',
        baseline: fmt(r.p50, 2),
        ratio: fmt(a.p50 / r.p50, 2),
      },
      {
        name: `Programme start p99 latency, ${concurrency} client(s)`,
        value: fmt(a.p99, 2),
        unit: 'ms',
        baseline: fmt(r.p99, 2),
        ratio: fmt(a.p99 / r.p99, 2),
      },
    );
  }
  return results;
}

const sponsor = PEOPLE.sponsor.email;
const changesRequested: DecisionBody = {
  gate: 'scope',
  outcome: 'changes_requested',
  approver: sponsor,
  comment: 'Name the data-science platform in the boundaries',
  // Recorded by the programme office after the sponsor decided in a meeting.
  onBehalfOf: { evidence: 'steering committee minutes' },
};

function decisionVisible(
  view: { pendingApprovals?: StageView['pendingApprovals'] },
  version: number,
): boolean {
  return (view.pendingApprovals ?? []).some(
    (a) => a.gate === 'scope' && a.artefactVersion === version && a.lastOutcome === 'changes_requested',
  );
}

/**
 * Decision round trip: the decision is sent, then the state is read back and must show it.
 * API: POST /decisions + GET /programmes/{id}. Raw: executeUpdate + the stage query. Each
 * iteration first submits a new scope version (untimed) so there is something to decide.
 */
export async function benchDecision(
  client: Client,
  taskQueue: string,
  api: ApiUnderTest,
  store: Pick<ProgrammeRepository, 'stageBody'>,
  log: (line: string) => void,
): Promise<BenchResult[]> {
  const PROGRAMMES = 4;
  const ROUNDS = 10;
  const scope = StageInput.parse({ kind: 'scope', ...scopeBody() });

  const apiPorts: HttpJourneyPort[] = [];
  for (let i = 0; i < PROGRAMMES; i++) {
    const port = new HttpJourneyPort(() => api.baseUrl, await apiStart(api, `Decision API ${i}`), api.auth);
    await port.waitForStep('SCOPING');
    apiPorts.push(port);
  }
  const rawStages: WorkflowHandle[] = [];
  const rawScopes: Submission[] = [];
  for (let i = 0; i < PROGRAMMES; i++) {
    const handle = await rawStart(client, taskQueue, `Decision raw ${i}`);
    // The raw path stores the scope's body once, as the API does before each Update (untimed).
    const programmeId = handle.workflowId.slice('programme-'.length);
    const { kind: _kind, ...body } = scope;
    const ref = await store.stageBody(programmeId, 'scope', body);
    rawScopes.push({ kind: 'scope', ref, facts: inputDefinition('scope').facts(scope) } as Submission);
    let stageId: string | null = null;
    for (let tries = 0; !stageId && tries < 400; tries++) {
      stageId = (await handle.query(programmeViewQuery)).stageWorkflowId;
      if (!stageId) await sleep(25);
    }
    if (!stageId) throw new Error('raw programme never reached its first stage');
    rawStages.push(client.workflow.getHandle(stageId));
  }

  const apiTimes: number[] = [];
  const rawTimes: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (let i = 0; i < PROGRAMMES; i++) {
      // API path.
      await apiPorts[i].submit(scope);
      let t0 = performance.now();
      const decided = await http(
        api.baseUrl,
        'POST',
        `/programmes/${apiPorts[i].programmeId}/decisions`,
        changesRequested,
        api.auth,
      );
      if (decided.status !== 200)
        throw new Error(`decision -> ${decided.status}: ${JSON.stringify(decided.body)}`);
      const detail = await apiPorts[i].detail();
      apiTimes.push(performance.now() - t0);
      if (!decisionVisible(detail as { pendingApprovals?: StageView['pendingApprovals'] }, round))
        throw new Error(`API: decision not visible: ${JSON.stringify(detail)}`);

      // Raw path, same work on the same server and worker.
      await rawStages[i].executeUpdate(submitInputUpdate, { args: [rawScopes[i]] });
      t0 = performance.now();
      await rawStages[i].executeUpdate(recordDecisionUpdate, { args: [changesRequested] });
      const view = await rawStages[i].query(stageViewQuery);
      rawTimes.push(performance.now() - t0);
      if (!decisionVisible(view, round))
        throw new Error(`raw: decision not visible: ${JSON.stringify(view)}`);
    }
  }
  const a = stats(apiTimes, 1);
  const r = stats(rawTimes, 1);
  log(`  decision: API p50 ${a.p50Ms.toFixed(1)} ms vs raw ${r.p50Ms.toFixed(1)} ms`);
  return [
    {
      name: 'Decision round trip p50 (POST decision + GET programme vs raw Update + query)',
      value: fmt(a.p50Ms, 2),
      unit: 'ms',
      baseline: fmt(r.p50Ms, 2),
      ratio: fmt(a.p50Ms / r.p50Ms, 2),
      goal: '<= 1.5x',
      pass: a.p50Ms / r.p50Ms <= 1.5,
    },
    {
      name: 'Decision round trip p99',
      value: fmt(a.p99Ms, 2),
      unit: 'ms',
      baseline: fmt(r.p99Ms, 2),
      ratio: fmt(a.p99Ms / r.p99Ms, 2),
      goal: '<= 1.5x',
      pass: a.p99Ms / r.p99Ms <= 1.5,
    },
  ];
}

/** 1,000 programmes started and parked in scoping (programme + stage workflow each) on one worker. */
export async function benchThousand(
  client: Client,
  taskQueue: string,
  worker: WorkerProcess,
  countParked: () => Promise<number>,
  log: (line: string) => void,
): Promise<BenchResult[]> {
  const N = 1000;
  await worker.settle(1000);
  const before = worker.usage();
  const t0 = performance.now();
  await runConcurrent(N, 32, (i) => rawStart(client, taskQueue, `Load ${i % 50}`));
  let parked = 0;
  for (let tries = 0; parked < N && tries < 1200; tries++) {
    await sleep(500);
    parked = await countParked();
  }
  if (parked < N) throw new Error(`only ${parked} of ${N} programmes reached scoping`);
  await worker.settle(3000);
  const seconds = (performance.now() - t0) / 1000;
  const after = worker.usage();
  const cpu = after.cpuSeconds - before.cpuSeconds;
  log(
    `  1000 programmes parked in ${seconds.toFixed(1)} s; worker RSS ${(after.rssBytes / 2 ** 20).toFixed(0)} MiB`,
  );
  return [
    {
      name: '1,000 active programmes on one worker: worker RSS',
      value: fmt(after.rssBytes / 2 ** 20, 0),
      unit: 'MiB',
      baseline: fmt(before.rssBytes / 2 ** 20, 0),
    },
    {
      name: '1,000 programmes: worker CPU to start and park them',
      value: fmt(cpu, 1),
      unit: 'CPU s',
      goal: `${fmt((cpu * 1000) / N, 1)} CPU ms per programme`,
    },
    {
      name: '1,000 programmes: wall time until all parked in scoping',
      value: fmt(seconds, 1),
      unit: 's',
    },
  ];
}

interface CycleHistory {
  workflowId: string;
  history: History;
}

/** Histories of one programme's first cycle: the parent's first run and every stage child. */
async function cycleHistories(client: Client, programmeId: string): Promise<CycleHistory[]> {
  const workflowId = `programme-${programmeId}`;
  const histories: CycleHistory[] = [];
  for await (const execution of client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
    if (execution.status.name === 'CONTINUED_AS_NEW') {
      histories.push({
        workflowId,
        history: await client.workflow.getHandle(workflowId, execution.runId).fetchHistory(),
      });
    }
  }
  // A clean run visits every step once: children c1.<STEP>.1.
  for (const step of STEPS) {
    const id = `${workflowId}/c1.${step.id}.1`;
    histories.push({ workflowId: id, history: await client.workflow.getHandle(id).fetchHistory() });
  }
  return histories;
}

/** Drives programmes through a full cycle with the journey script over HTTP, then counts and replays. */
export async function benchCycle(
  client: Client,
  api: ApiUnderTest,
  workflowBundle: string,
  log: (line: string) => void,
): Promise<BenchResult[]> {
  const PROGRAMMES = 2;
  const ids = await Promise.all(
    Array.from({ length: PROGRAMMES }, async (_, i) => {
      const port = new HttpJourneyPort(() => api.baseUrl, await apiStart(api, `Cycle ${i}`), api.auth);
      await runToCertification(port);
      await grantCertificate(port, `BENCH-${i}-1`);
      await passAudit(port, 'SURVEILLANCE_1', 'surveillance');
      await passAudit(port, 'SURVEILLANCE_2', 'surveillance');
      await passAudit(port, 'RECERTIFICATION', 'recertification');
      await grantCertificate(port, `BENCH-${i}-2`);
      await port.waitFor((p) => p.cycle === 2 && p.step === 'SURVEILLANCE_1', 'cycle 2');
      return port.programmeId;
    }),
  );
  const perProgramme = await Promise.all(ids.map((id) => cycleHistories(client, id)));
  const events = perProgramme.map((hs) => hs.reduce((n, h) => n + (h.history.events?.length ?? 0), 0));
  const maxEvents = Math.max(...events);
  // Replay cost follows workflow tasks more than events: count the completed ones.
  const tasks = Math.max(
    ...perProgramme.map((hs) =>
      hs.reduce(
        (n, h) => n + (h.history.events ?? []).filter((e) => e.workflowTaskCompletedEventAttributes).length,
        0,
      ),
    ),
  );
  log(`  events per programme per cycle: ${events.join(', ')}`);

  // Each runReplayHistories call creates a replay worker and loads the bundle into a fresh V8
  // context (hundreds of ms). A worker that replays a cycle after a cache miss has done that
  // once at startup, so the figure is the marginal time of one cycle: replaying the cycle 11
  // times in one call minus once, divided by 10. The startup cost is reported beside it.
  const replay = async (
    histories: CycleHistory[],
    copies: number,
  ): Promise<{ wall: number; cpu: number }> => {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const all = Array.from({ length: copies }, () => histories).flat();
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { codePath: workflowBundle } },
      all,
    )) {
      if (result.error) throw new Error(`replay of ${result.workflowId} failed: ${String(result.error)}`);
    }
    const cpu = process.cpuUsage(cpu0);
    return { wall: performance.now() - t0, cpu: (cpu.user + cpu.system) / 1000 };
  };
  await replay(perProgramme[0], 1); // warm-up: file cache, JIT
  const once: number[] = [];
  const perCycle: number[] = [];
  const cpuPerCycle: number[] = [];
  for (let i = 0; i < 3; i++) {
    const histories = perProgramme[i % perProgramme.length];
    const single = await replay(histories, 1);
    const many = await replay(histories, 11);
    once.push(single.wall);
    perCycle.push((many.wall - single.wall) / 10);
    cpuPerCycle.push((many.cpu - single.cpu) / 10);
  }
  const cycle = stats(perCycle, 1).p50Ms;
  const cycleCpu = stats(cpuPerCycle, 1).p50Ms;
  const startup = stats(once, 1).p50Ms - cycle;
  log(
    `  replay of one cycle: ${cycle.toFixed(1)} ms, ${cycleCpu.toFixed(1)} CPU ms (+ ${startup.toFixed(0)} ms startup)`,
  );
  return [
    {
      name: 'Events per programme per cycle (parent run + 9 stage children)',
      value: maxEvents,
      unit: 'events',
      goal: '< 2000',
      pass: maxEvents < 2000,
    },
    {
      name: 'Workflow tasks per programme per cycle',
      value: tasks,
      unit: 'tasks',
    },
    {
      name: 'Replay of one full cycle (10 histories, median of 3)',
      value: fmt(cycle, 1),
      unit: 'ms',
      goal: '< 100 ms',
      pass: cycle < 100,
    },
    {
      name: 'Replay of one full cycle: CPU time (this process, all threads)',
      value: fmt(cycleCpu, 1),
      unit: 'CPU ms',
    },
    {
      name: 'Replay worker startup (bundle into a fresh V8 context), paid once per worker',
      value: fmt(startup, 0),
      unit: 'ms',
    },
  ];
}
