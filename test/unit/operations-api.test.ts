/**
 * The operations routes over a real socket, against in-memory fakes of the gateway and the
 * store: /metrics (request metrics by route template, domain gauges), /process.bpmn, and a
 * programme's diagram in SVG and HTML.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createApp } from '../../api/app';
import { createApiMetrics, type OpsSource } from '../../api/metrics';
import { MemoryApiKeys } from '../support/api-keys';
import { NotFoundError, type LiveProgramme, type ProgrammeGateway } from '../../api/programme-gateway';
import type { ProgrammeInStore, ProgrammeStore } from '../../api/store';
import type { OpsSnapshot } from '../../db/ops-stats';

const PID = '5b0c2f7e-2f4e-4f6a-9a53-0c1d2e3f4a5b';
const keys = MemoryApiKeys.withRoleKeys();
/** An admin key: it may call every route these tests exercise. */
const AUTH = { headers: keys.header('admin') };

const row: ProgrammeInStore = {
  programmeId: PID,
  organisation: 'Acme <Ltd>',
  name: 'AIMS',
  workflowId: `programme-${PID}`,
  status: 'ACTIVE',
  cycle: 1,
  step: 'GAP_ANALYSIS',
  stage: 'GAP_ANALYSIS',
  overdue: false,
};

const live: LiveProgramme = {
  programmeId: PID,
  organisation: row.organisation,
  name: row.name,
  status: 'ACTIVE',
  cycle: 1,
  step: 'IMPLEMENTATION',
  stage: 'IMPLEMENTATION',
  stepKey: 'c1.IMPLEMENTATION.1',
  stageWorkflowId: `programme-${PID}/c1.IMPLEMENTATION.1`,
  overdue: false,
  history: [],
  currentStage: {
    programmeId: PID,
    cycle: 1,
    step: 'IMPLEMENTATION',
    stage: 'IMPLEMENTATION',
    stepKey: 'c1.IMPLEMENTATION.1',
    accepts: ['policy'],
    unmetGates: [{ gate: 'approval:soa', reason: 'Statement of Applicability v1: awaiting the decision' }],
    pendingApprovals: [{ gate: 'soa', artefact: 'soa', artefactVersion: 1, approverRole: 'topManagement' }],
    overdue: false,
  },
};

function fakeStore(): ProgrammeStore {
  const none = () => Promise.resolve([]);
  return {
    insertProgramme: () => Promise.resolve(),
    deleteProgramme: () => Promise.resolve(),
    getProgramme: (id) => Promise.resolve(id === PID ? row : null),
    listProgrammes: () => Promise.resolve({ items: [], total: 0 }),
    listTransitions: none,
    listAssessments: none,
    listTasks: none,
    listArtefacts: none,
    getArtefact: () => Promise.resolve(null),
    listAudits: none,
    listFindings: none,
    getTask: () => Promise.resolve(null),
    getFinding: () => Promise.resolve(null),
    listDecisions: none,
    listCertificates: none,
    stageBody: () => Promise.reject(new Error('not used here')),
    discardBody: () => Promise.resolve(),
    loadFacts: () => Promise.resolve({ entries: [] }),
    ping: () => Promise.resolve(),
  };
}

function fakeGateway(view: () => Promise<LiveProgramme>): ProgrammeGateway {
  const unused = () => Promise.reject(new Error('not used here'));
  return {
    start: unused,
    view,
    submit: unused,
    decide: unused,
    withdraw: unused,
    problem: () => Promise.resolve(undefined),
    ping: () => Promise.resolve(),
  };
}

const snapshot: OpsSnapshot = {
  programmes: [
    { stage: 'GAP_ANALYSIS', status: 'ACTIVE', count: 3 },
    { stage: 'WITHDRAWN', status: 'WITHDRAWN', count: 1 },
  ],
  overdueProgrammes: 2,
  openNonconformities: [{ grade: 'major_nc', status: 'open', count: 4 }],
  pendingApprovals: 5,
  overdueApprovals: 1,
};

let server: Server;
let base: string;
let view: () => Promise<LiveProgramme>;
let ops: OpsSource & { calls: number };

beforeAll(async () => {
  ops = {
    calls: 0,
    snapshot() {
      this.calls++;
      return Promise.resolve(snapshot);
    },
  };
  view = () => Promise.resolve(live);
  const app = createApp({
    gateway: fakeGateway(() => view()),
    store: fakeStore(),
    authenticator: keys,
    logger: pino({ level: 'silent' }),
    metrics: createApiMetrics({ ops, processMetrics: false, opsCacheMs: 0 }),
  });
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('GET /metrics', () => {
  test('counts requests under their route template, never the raw id', async () => {
    await fetch(`${base}/programmes/${PID}`, AUTH);
    await fetch(`${base}/programmes/${PID}`, AUTH);
    await fetch(`${base}/no/such/path`, AUTH);
    const res = await fetch(`${base}/metrics`, AUTH);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain(
      'aimsflow_http_requests_total{method="GET",route="/programmes/:id",status="200"} 2',
    );
    expect(text).toContain('aimsflow_http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(text).toMatch(
      /aimsflow_http_request_duration_seconds_count\{method="GET",route="\/programmes\/:id",status_class="2xx"\} 2/,
    );
    expect(text).not.toContain(PID);
  });

  test('serves the domain gauges from one snapshot per scrape', async () => {
    const before = ops.calls;
    const text = await (await fetch(`${base}/metrics`, AUTH)).text();
    expect(ops.calls - before).toBe(1);
    expect(text).toContain('aimsflow_programmes{stage="GAP_ANALYSIS",status="ACTIVE"} 3');
    expect(text).toContain('aimsflow_programmes{stage="WITHDRAWN",status="WITHDRAWN"} 1');
    expect(text).toContain('aimsflow_programmes_overdue 2');
    expect(text).toContain('aimsflow_nonconformities_open{grade="major_nc",status="open"} 4');
    expect(text).toContain('aimsflow_approvals_pending 5');
    expect(text).toContain('aimsflow_approvals_overdue 1');
    expect(text).toContain('aimsflow_ops_up 1');
  });

  test('a failing database read shows as ops_up 0, NaN gauges and a counted error', async () => {
    const failing = createApiMetrics({
      processMetrics: false,
      ops: { snapshot: () => Promise.reject(new Error('database down')) },
    });
    const text = await failing.render();
    expect(text).toContain('aimsflow_ops_scrape_errors_total 1');
    expect(text).toContain('aimsflow_ops_up 0');
    expect(text).toContain('aimsflow_approvals_pending Nan');
    expect(text).not.toMatch(/^aimsflow_programmes\{/m);
  });
});

describe('access log', () => {
  test('lines about a programme carry its programme and workflow ids as JSON fields', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const app = createApp({
      gateway: fakeGateway(() => view()),
      store: fakeStore(),
      authenticator: keys,
      logger,
      metrics: createApiMetrics({ processMetrics: false }),
    });
    const logged: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const url = `http://127.0.0.1:${(logged.address() as AddressInfo).port}`;
      await (await fetch(`${url}/programmes/${PID}`, AUTH)).text();
      await (await fetch(`${url}/healthz`, AUTH)).text();
    } finally {
      logged.closeAllConnections();
      await new Promise<void>((resolve) => logged.close(() => resolve()));
    }
    const programmeLine = lines.find(
      (l) => (l.req as { url?: string } | undefined)?.url === `/programmes/${PID}`,
    );
    expect(programmeLine).toMatchObject({
      programmeId: PID,
      workflowId: `programme-${PID}`,
      res: { statusCode: 200 },
    });
    const healthLine = lines.find((l) => (l.req as { url?: string } | undefined)?.url === '/healthz');
    expect(healthLine).toBeDefined();
    expect(healthLine).not.toHaveProperty('programmeId');
  });
});

describe('GET /process.bpmn', () => {
  test('answers BPMN XML', async () => {
    const res = await fetch(`${base}/process.bpmn`, AUTH);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/xml/);
    const text = await res.text();
    expect(text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>/);
    expect(text).toContain('<bpmn:userTask id="Task_SCOPING"');
  });
});

describe('GET /programmes/{id}/diagram', () => {
  test('the SVG marks the live current step, the steps before it, and the awaited approval', async () => {
    const res = await fetch(`${base}/programmes/${PID}/diagram.svg`, AUTH);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    const svg = await res.text();
    expect(svg).toMatch(/data-element-id="Task_IMPLEMENTATION" data-state="current"/);
    expect(svg).toMatch(/data-element-id="Task_SCOPING" data-state="completed"/);
    expect(svg).toMatch(/data-element-id="Task_INTERNAL_AUDIT" data-state="pending"/);
    expect(svg).toMatch(/data-element-id="Gateway_IMPLEMENTATION" data-state="waiting"/);
    expect(svg).toContain('soa: v1 awaits the topManagement');
    // The organisation name is escaped, never markup.
    expect(svg).toContain('Acme &lt;Ltd&gt;');
    expect(svg).not.toContain('Acme <Ltd>');
  });

  test('the HTML page lists the unmet gates in words', async () => {
    const res = await fetch(`${base}/programmes/${PID}/diagram.html`, AUTH);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<li>approval:soa: Statement of Applicability v1: awaiting the decision</li>');
    expect(html).toContain('<svg');
  });

  test('without a live workflow it draws the stored step and says so', async () => {
    view = () => Promise.reject(new NotFoundError('gone'));
    try {
      const svg = await (await fetch(`${base}/programmes/${PID}/diagram.svg`, AUTH)).text();
      expect(svg).toMatch(/data-element-id="Task_GAP_ANALYSIS" data-state="current"/);
      expect(svg).toContain('stored state; Temporal unavailable');
    } finally {
      view = () => Promise.resolve(live);
    }
  });

  test('an unknown programme is a 404 problem', async () => {
    const res = await fetch(`${base}/programmes/00000000-0000-4000-8000-000000000000/diagram.svg`, AUTH);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });
});
