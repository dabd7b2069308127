/**
 * The HTTP layer against in-memory fakes of the gateway and the store, over a real socket.
 * Temporal and the database are covered by the integration tests.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import pino from 'pino';
import { CONTROLS } from '../../domain/catalogue/iso42001';
import type { ProgrammeRepository } from '../../db/repository';
import type { BodyRef, FactsPage } from '../../domain/contracts/persistence';
import { inputDefinition, type Submission } from '../../domain/inputs';
import type { DecisionBody, StageInput } from '../../domain/schemas';
import type { InputAccepted, StageView, WorkflowProblem } from '../../domain/views';
import { createApp } from '../../api/app';
import { riskTreatmentPlan } from '../support/fixtures';
import { buildOpenApiDocument } from '../../api/openapi';
import {
  ConflictError,
  NotFoundError,
  type LiveProgramme,
  type ProgrammeGateway,
  type StartProgramme,
} from '../../api/programme-gateway';
import { buildRoutes } from '../../api/routes';
import { MemoryApiKeys } from '../support/api-keys';
import { storedProgramme } from '../support/fixtures';
import type {
  ArtefactInStore,
  IdentifiedRow,
  NewProgrammeRow,
  ProgrammeFilter,
  ProgrammeInStore,
  ProgrammeStore,
} from '../../api/store';

// The real repository must keep satisfying the narrow interface the API is written against.
const repositorySatisfiesStore: ProgrammeRepository extends ProgrammeStore ? true : never = true;
void repositorySatisfiesStore;

const PID = 'p-1';
const JSON_HEADERS = { 'content-type': 'application/json' };

const stageView: StageView = {
  programmeId: PID,
  cycle: 1,
  step: 'SCOPING',
  stage: 'SCOPING',
  stepKey: 'c1/SCOPING',
  accepts: ['scope'],
  unmetGates: [{ gate: 'scopeDefined', reason: 'no scope yet' }],
  pendingApprovals: [],
  overdue: false,
};

function makeFakes() {
  const rows = new Map<string, ProgrammeInStore>([[PID, storedProgramme(PID)]]);
  const tasks: IdentifiedRow[] = [{ id: 'T-1' }];
  const artefacts: ArtefactInStore[] = [
    { kind: 'scope', key: '', version: 1 },
    { kind: 'scope', key: '', version: 2 },
    { kind: 'policy', key: 'POL-1', version: 1 },
  ];
  let bodies = 0;
  const store = {
    insertProgramme: jest.fn((row: NewProgrammeRow) => {
      if (rows.has(row.programmeId))
        return Promise.reject(Object.assign(new Error('programme exists'), { name: 'DuplicateError' }));
      rows.set(row.programmeId, { ...row });
      return Promise.resolve();
    }),
    deleteProgramme: jest.fn((id: string) => Promise.resolve(rows.delete(id))),
    getProgramme: jest.fn((id: string) => Promise.resolve(rows.get(id) ?? null)),
    listProgrammes: jest.fn((filter: ProgrammeFilter) =>
      Promise.resolve({
        items: [...rows.values()].slice(filter.offset, filter.offset + filter.limit),
        total: rows.size,
      }),
    ),
    listTransitions: jest.fn((_id: string) => Promise.resolve([{ id: 'tr-1' }])),
    listAssessments: jest.fn((_id: string, _cycle?: number) => Promise.resolve([])),
    listTasks: jest.fn((_id: string) => Promise.resolve(tasks)),
    listArtefacts: jest.fn((_id: string, kind?: string) =>
      Promise.resolve(artefacts.filter((a) => kind === undefined || a.kind === kind)),
    ),
    getArtefact: jest.fn((_id: string, kind: string, key: string, version?: number) =>
      Promise.resolve(
        artefacts.find(
          (a) => a.kind === kind && a.key === key && (version === undefined || a.version === version),
        ) ?? null,
      ),
    ),
    listAudits: jest.fn((_id: string) => Promise.resolve([])),
    listFindings: jest.fn((_id: string) => Promise.resolve([])),
    getTask: jest.fn((_id: string, taskId: string) =>
      Promise.resolve(tasks.find((t) => t.id === taskId) ?? null),
    ),
    getFinding: jest.fn((_id: string, findingId: string) =>
      Promise.resolve(findingId === 'F-1' ? { id: 'F-1' } : null),
    ),
    listDecisions: jest.fn((_id: string) => Promise.resolve([])),
    listCertificates: jest.fn((_id: string) => Promise.resolve([])),
    stageBody: jest.fn((_id: string, _kind: string, _body: object) => {
      bodies += 1;
      return Promise.resolve<BodyRef>({ id: `body-${bodies}`, sha256: `sha-${bodies}` });
    }),
    discardBody: jest.fn((_ref: BodyRef) => Promise.resolve()),
    loadFacts: jest.fn((_id: string, _stepKey?: string, _cursor?: string) =>
      Promise.resolve<FactsPage>({ entries: [] }),
    ),
    ping: jest.fn(() => Promise.resolve()),
  } satisfies ProgrammeStore;

  const live = (id: string): LiveProgramme => ({
    programmeId: id,
    organisation: 'Acme',
    name: 'AIMS 2025',
    status: 'ACTIVE',
    cycle: 1,
    step: 'SCOPING',
    stage: 'SCOPING',
    stepKey: 'c1/SCOPING',
    stageWorkflowId: `stage-${id}`,
    overdue: false,
    history: [],
    currentStage: stageView,
  });
  const gateway = {
    start: jest.fn((p: StartProgramme) => Promise.resolve({ workflowId: `programme-${p.programmeId}` })),
    view: jest.fn((id: string) => Promise.resolve(live(id))),
    submit: jest.fn((_id: string, submission: Submission, _key?: string): Promise<InputAccepted> =>
      Promise.resolve({
        accepted: true,
        stepKey: 'c1/SCOPING',
        recordId: `${submission.kind}-1`,
        view: stageView,
      }),
    ),
    decide: jest.fn((_id: string, d: DecisionBody, _key?: string) =>
      Promise.resolve({ accepted: true as const, gate: d.gate, outcome: d.outcome, view: stageView }),
    ),
    withdraw: jest.fn((_id: string, _reason: string) => Promise.resolve()),
    problem: jest.fn((_id: string): Promise<WorkflowProblem | undefined> => Promise.resolve(undefined)),
    ping: jest.fn(() => Promise.resolve()),
  } satisfies ProgrammeGateway;
  return { store, gateway };
}

type Fakes = ReturnType<typeof makeFakes>;

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  errors?: { pointer: string; detail: string }[];
  checks?: Record<string, string>;
}

let server: Server;
let base: string;
let fakes: Fakes;
const keys = MemoryApiKeys.withRoleKeys();

async function startApp(options: { readyTimeoutMs?: number } = {}): Promise<void> {
  fakes = makeFakes();
  const app = createApp({
    ...fakes,
    authenticator: keys,
    logger: pino({ level: 'silent' }),
    newId: () => 'new-1',
    ...options,
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeEach(() => startApp());
afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = JSON_HEADERS,
): Promise<Answer> {
  const res = await fetch(base + path, {
    method,
    // An admin key passes every role check, so these tests see the routes' own behaviour.
    headers: { ...keys.header('admin'), ...(body === undefined ? {} : headers) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
}

function problemOf(answer: Answer, status: number): ProblemBody {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = answer.body as ProblemBody;
  expect(problem).toEqual(
    expect.objectContaining({ status, type: expect.stringMatching(/^tag:aimsflow/) as unknown }),
  );
  expect(typeof problem.title).toBe('string');
  expect(typeof problem.detail).toBe('string');
  expect(typeof problem.instance).toBe('string');
  return problem;
}

const pointers = (problem: ProblemBody): string[] => (problem.errors ?? []).map((e) => e.pointer);

/**
 * The stage input the API took, as it now travels: its body (the input without its kind) is
 * stored first, the gateway gets the kind, the input's facts and the reference to the body,
 * and the body is discarded once the stage has answered.
 */
async function expectSubmitted(input: StageInput, idempotencyKey: string | undefined): Promise<void> {
  const { kind, ...body } = input;
  expect(fakes.store.stageBody).toHaveBeenCalledTimes(1);
  expect(fakes.store.stageBody).toHaveBeenCalledWith(PID, kind, body);
  const ref = await (fakes.store.stageBody.mock.results[0]?.value as Promise<BodyRef>);
  expect(fakes.gateway.submit).toHaveBeenCalledTimes(1);
  expect(fakes.gateway.submit).toHaveBeenCalledWith(
    PID,
    { kind, ref, facts: inputDefinition(kind).facts(input) },
    idempotencyKey,
  );
  expect(fakes.store.discardBody).toHaveBeenCalledWith(ref);
  expect(fakes.store.stageBody.mock.invocationCallOrder[0]).toBeLessThan(
    fakes.gateway.submit.mock.invocationCallOrder[0] ?? 0,
  );
}

function expectNothingWritten(): void {
  for (const fn of [
    fakes.store.insertProgramme,
    fakes.store.deleteProgramme,
    fakes.store.getProgramme,
    fakes.store.stageBody,
  ])
    expect(fn).not.toHaveBeenCalled();
  for (const fn of [fakes.gateway.start, fakes.gateway.submit, fakes.gateway.decide, fakes.gateway.withdraw])
    expect(fn).not.toHaveBeenCalled();
}

const person = (name: string) => ({ name, email: `${name.toLowerCase()}@example.com` });
const scopeBody = {
  statement: 'The AIMS covers the customer support chatbot.',
  aiSystems: [{ id: 'chatbot', name: 'Support chatbot', type: 'feature', inScope: true }],
  aiRoles: ['provider'],
  boundaries: 'EU operations',
  locations: ['Berlin'],
  sponsor: person('Sam'),
  complianceLead: person('Cleo'),
  topManagement: person('Tom'),
};
const soaBody = {
  entries: CONTROLS.map((c) => ({
    controlId: c.id,
    applicable: true,
    justification: 'Needed',
    implementationStatus: 'implemented',
  })),
};

describe('validation', () => {
  it('400 with a pointer for a missing field', async () => {
    const problem = problemOf(await call('POST', '/programmes', { organisation: 'Acme' }), 400);
    expect(pointers(problem)).toEqual(['/body/name']);
    expectNothingWritten();
  });

  it('400 with a pointer for a wrong enum value deep in an array', async () => {
    const body = { items: [{ requirementId: '4.1', status: 'mostly', assessor: 'a@example.com' }] };
    const problem = problemOf(await call('POST', `/programmes/${PID}/assessments`, body), 400);
    expect(pointers(problem)).toEqual(['/body/items/0/status']);
    expectNothingWritten();
  });

  it('400 for unknown fields, one pointer per field, nested too', async () => {
    const problem = problemOf(
      await call('POST', '/programmes', {
        organisation: 'A',
        name: 'B',
        colour: 'red',
        config: { speed: 1 },
      }),
      400,
    );
    expect(pointers(problem).sort()).toEqual(['/body/colour', '/body/config/speed']);
    expect(problem.errors?.[0]?.detail).toBe('unknown field');
    expectNothingWritten();
  });

  it('400 when a mandatory clause is declared not applicable', async () => {
    const body = {
      items: [
        { requirementId: '4.1', status: 'not_applicable', justification: 'n/a', assessor: 'a@example.com' },
      ],
    };
    const problem = problemOf(await call('POST', `/programmes/${PID}/assessments`, body), 400);
    expect(problem.errors).toEqual([
      { pointer: '/body/items/0/status', detail: expect.stringMatching(/mandatory/) as unknown },
    ]);
    expectNothingWritten();
  });

  it('400 for malformed JSON, not 500', async () => {
    const problem = problemOf(await call('PUT', `/programmes/${PID}/scope`, '{"statement": '), 400);
    expect(problem.type).toMatch(/malformed-json$/);
    expect(pointers(problem)).toEqual(['/body']);
    expectNothingWritten();
  });

  it('400, not 500, for a body that does not match its Content-Encoding, whichever encoding it claims', async () => {
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const json = problemOf(
        await call('PUT', `/programmes/${PID}/scope`, '{"statement": "x"}', {
          ...JSON_HEADERS,
          'content-encoding': encoding,
        }),
        400,
      );
      expect(json.type).toMatch(/invalid-request$/);
      expect(pointers(json)).toEqual(['/headers/content-encoding']);
    }
    expectNothingWritten();
  });

  it('400 for control characters: none in a one-line field, only tab and line breaks in free text', async () => {
    const names = problemOf(
      await call('POST', '/programmes', { organisation: 'Acme\r\nBcc: x@evil.test', name: 'AIMS\u0000' }),
      400,
    );
    expect(pointers(names).sort()).toEqual(['/body/name', '/body/organisation']);
    expect(names.errors?.[0]?.detail).toMatch(/control characters/);
    const located = problemOf(
      await call('PUT', `/programmes/${PID}/scope`, { ...scopeBody, locations: ['Berlin\tHQ'] }),
      400,
    );
    expect(pointers(located)).toEqual(['/body/locations/0']);
    const escaped = problemOf(
      await call('PUT', `/programmes/${PID}/scope`, { ...scopeBody, statement: 'All of it\u001b[31m' }),
      400,
    );
    expect(pointers(escaped)).toEqual(['/body/statement']);
    expectNothingWritten();
  });

  it('free text keeps its line breaks and tabs', async () => {
    const res = await call('PUT', `/programmes/${PID}/scope`, {
      ...scopeBody,
      statement: 'Line one\r\n\tLine two',
    });
    expect(res.status).toBeLessThan(300);
  });

  it("risk ids in the organisation's own style: R-1 and RISK_07 are fine, spaces and slashes are not", async () => {
    const plan = (id: string) => ({ risks: [{ ...riskTreatmentPlan.risks[0], id }] });
    for (const id of ['R-1', 'RISK_07', 'ai.bias.3', 'r-bias'])
      expect((await call('PUT', `/programmes/${PID}/risk-treatment-plan`, plan(id))).status).toBeLessThan(
        300,
      );
    for (const id of ['R 1', 'R/1', '-R1']) {
      const problem = problemOf(await call('PUT', `/programmes/${PID}/risk-treatment-plan`, plan(id)), 400);
      expect(pointers(problem)).toEqual(['/body/risks/0/id']);
    }
  });

  it('auditors are people, as in the audit programme: a bare name is a 400 pointing at it', async () => {
    const problem = problemOf(
      await call('POST', `/programmes/${PID}/audits`, { audit: 'internal', auditors: ['Ann'] }),
      400,
    );
    expect(pointers(problem)).toEqual(['/body/auditors/0']);
    expectNothingWritten();
  });

  it('400 for a JSON scalar or an empty body', async () => {
    problemOf(await call('POST', '/programmes', '"text"'), 400);
    // express.json reads an empty JSON body as {}: the missing fields are what the client needs to know.
    const empty = problemOf(await call('POST', '/programmes', ''), 400);
    expect(pointers(empty)).toEqual(['/body/organisation', '/body/name']);
    expectNothingWritten();
  });

  it('400 naming the missing Annex A controls of an SoA', async () => {
    const kept = soaBody.entries.filter((e) => e.controlId !== 'A.2.2' && e.controlId !== 'A.10.4');
    const own = ['ORG-1', 'ORG-2'].map((controlId) => ({ ...soaBody.entries[0], controlId }));
    const problem = problemOf(
      await call('PUT', `/programmes/${PID}/soa`, { entries: [...kept, ...own] }),
      400,
    );
    expect(problem.errors).toEqual([
      { pointer: '/body/entries', detail: expect.stringMatching(/missing: A\.2\.2, A\.10\.4$/) as unknown },
    ]);
    const short = problemOf(await call('PUT', `/programmes/${PID}/soa`, { entries: kept }), 400);
    expect(short.errors?.map((e) => e.detail).join(' | ')).toMatch(/>=38.*missing: A\.2\.2, A\.10\.4/);
    expectNothingWritten();
  });

  it('400 for bad query and path parameters', async () => {
    const query = problemOf(await call('GET', '/programmes?limit=500&colour=red'), 400);
    expect(pointers(query).sort()).toEqual(['/query/colour', '/query/limit']);
    const params = problemOf(await call('GET', '/programmes/bad%20id'), 400);
    expect(pointers(params)).toEqual(['/params/id']);
    problemOf(await call('GET', '/programmes/%zz'), 400);
    expectNothingWritten();
  });

  it('400 for an unusable Idempotency-Key', async () => {
    const problem = problemOf(
      await call('PUT', `/programmes/${PID}/scope`, scopeBody, {
        ...JSON_HEADERS,
        'idempotency-key': 'has space',
      }),
      400,
    );
    expect(pointers(problem)).toEqual(['/headers/idempotency-key']);
    expectNothingWritten();
  });

  it('415 for a body that is not JSON', async () => {
    const problem = problemOf(
      await call('POST', '/programmes', 'organisation=Acme', {
        'content-type': 'application/x-www-form-urlencoded',
      }),
      415,
    );
    expect(problem.type).toMatch(/unsupported-media-type$/);
    expectNothingWritten();
  });

  it('413 for a body over 1 MB', async () => {
    const problem = problemOf(
      await call('POST', '/programmes', { organisation: 'x'.repeat(1_100_000), name: 'n' }),
      413,
    );
    expect(problem.type).toMatch(/content-too-large$/);
    expectNothingWritten();
  });
});

describe('routing errors', () => {
  it('404 for an unknown programme, before the gateway is asked', async () => {
    problemOf(await call('GET', '/programmes/nope'), 404);
    problemOf(await call('GET', '/programmes/nope/tasks'), 404);
    const submit = problemOf(await call('PUT', '/programmes/nope/scope', scopeBody), 404);
    expect(submit.detail).toMatch(/nope/);
    expect(fakes.store.stageBody).not.toHaveBeenCalled();
    expect(fakes.gateway.submit).not.toHaveBeenCalled();
    expect(fakes.gateway.view).not.toHaveBeenCalled();
  });

  it('404 problem for an unknown route', async () => {
    const problem = problemOf(await call('GET', '/nowhere'), 404);
    expect(problem.instance).toBe('/nowhere');
  });

  it('405 with Allow for a known path and a wrong method', async () => {
    const answer = await call('DELETE', '/programmes');
    problemOf(answer, 405);
    expect(answer.headers.get('allow')?.split(', ').sort()).toEqual(['GET', 'HEAD', 'OPTIONS', 'POST']);
    const scope = await call('GET', `/programmes/${PID}/scope`);
    problemOf(scope, 405);
    expect(scope.headers.get('allow')).toBe('PUT, OPTIONS');
    const options = await call('OPTIONS', `/programmes/${PID}/tasks/T-1`);
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('GET, PATCH, HEAD, OPTIONS');
  });

  it('409 carries the ConflictError message', async () => {
    fakes.gateway.submit.mockRejectedValueOnce(new ConflictError('stage SCOPING does not accept finding'));
    const body = {
      audit: 'internal',
      grade: 'minor_nc',
      requirementId: '7.5.3',
      description: 'Records missing',
    };
    const problem = problemOf(await call('POST', `/programmes/${PID}/findings`, body), 409);
    expect(problem.detail).toBe('stage SCOPING does not accept finding');
    // A rejection is final: the body stored for the stage goes.
    expect(fakes.store.discardBody).toHaveBeenCalledWith(await fakes.store.stageBody.mock.results[0]?.value);
  });

  it('404 when the gateway no longer knows the workflow', async () => {
    fakes.gateway.withdraw.mockRejectedValueOnce(new NotFoundError('no workflow'));
    problemOf(await call('POST', `/programmes/${PID}/withdrawal`, { reason: 'Budget cut' }), 404);
  });

  it('503 with Retry-After when Temporal fails', async () => {
    fakes.gateway.submit.mockRejectedValueOnce(new Error('14 UNAVAILABLE: connection refused'));
    const answer = await call('PUT', `/programmes/${PID}/scope`, scopeBody);
    const problem = problemOf(answer, 503);
    expect(problem.detail).not.toMatch(/UNAVAILABLE/);
    expect(answer.headers.get('retry-after')).toBe('5');
    // The stage may still take the input after an error that is not a rejection: its body stays.
    expect(fakes.store.discardBody).not.toHaveBeenCalled();
  });

  it('500 problem, without internals, for a defect', async () => {
    fakes.store.listTasks.mockResolvedValueOnce(undefined as unknown as IdentifiedRow[]);
    const problem = problemOf(await call('GET', `/programmes/${PID}/tasks/T-1`), 500);
    expect(problem.detail).not.toMatch(/undefined|find/);
  });
});

describe('programmes', () => {
  it('creates: row first, then workflow, 201 with Location and defaults applied', async () => {
    const answer = await call('POST', '/programmes', {
      organisation: 'Acme',
      name: 'AIMS',
      config: { minorNcPlanDue: 'P14D' },
    });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('location')).toBe('/programmes/new-1');
    const config = {
      majorNcVerificationWindow: 'P183D',
      minorNcPlanDue: 'P14D',
      firstSurveillanceWithin: 'P12M',
      surveillanceInterval: 'P12M',
      certificateValidity: 'P3Y',
      restoreWindow: 'P6M',
      kpiInterval: 'P3M',
    };
    // Exactly the declared fields: nothing the description does not name.
    expect(answer.body).toEqual({
      id: 'new-1',
      workflowId: 'programme-new-1',
      organisation: 'Acme',
      name: 'AIMS',
      config,
      createdAt: expect.any(String) as unknown,
    });
    expect(fakes.store.insertProgramme).toHaveBeenCalledWith(
      expect.objectContaining({
        programmeId: 'new-1',
        workflowId: 'programme-new-1',
        config,
        createdAt: expect.any(String) as unknown,
      }),
    );
    expect(fakes.gateway.start).toHaveBeenCalledWith({
      programmeId: 'new-1',
      organisation: 'Acme',
      name: 'AIMS',
      config,
    });
    expect(fakes.store.insertProgramme.mock.invocationCallOrder[0]).toBeLessThan(
      fakes.gateway.start.mock.invocationCallOrder[0] ?? 0,
    );
  });

  it('rolls the row back and answers 503 when the workflow does not start', async () => {
    fakes.gateway.start.mockRejectedValueOnce(new Error('deadline exceeded'));
    problemOf(await call('POST', '/programmes', { organisation: 'Acme', name: 'AIMS' }), 503);
    expect(fakes.store.deleteProgramme).toHaveBeenCalledWith('new-1');
    expect(await fakes.store.getProgramme('new-1')).toBeNull();
  });

  it('409 when the id is taken', async () => {
    await call('POST', '/programmes', { organisation: 'Acme', name: 'AIMS' });
    problemOf(await call('POST', '/programmes', { organisation: 'Acme', name: 'AIMS' }), 409);
    expect(fakes.gateway.start).toHaveBeenCalledTimes(1);
  });

  it('lists with default paging and filters', async () => {
    const answer = await call('GET', '/programmes?stage=SCOPING&status=ACTIVE');
    expect(answer.status).toBe(200);
    expect(fakes.store.listProgrammes).toHaveBeenCalledWith({
      stage: 'SCOPING',
      status: 'ACTIVE',
      limit: 50,
      offset: 0,
    });
    expect(answer.body).toEqual({
      items: [expect.objectContaining({ id: PID, stage: 'SCOPING' })],
      total: 1,
      limit: 50,
      offset: 0,
    });
  });

  it('merges the stored row with the live stage state', async () => {
    const answer = await call('GET', `/programmes/${PID}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(
      expect.objectContaining({
        id: PID,
        live: true,
        stage: 'SCOPING',
        stepKey: 'c1/SCOPING',
        unmetGates: stageView.unmetGates,
        pendingApprovals: [],
        accepts: ['scope'],
        nextDeadline: null,
        certificate: null,
      }),
    );
  });

  it('answers from the store when the workflow cannot be queried', async () => {
    fakes.gateway.view.mockRejectedValueOnce(new Error('connection refused'));
    const answer = await call('GET', `/programmes/${PID}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(
      expect.objectContaining({ id: PID, live: false, stage: 'SCOPING', accepts: [] }),
    );
  });

  it('reads sub-collections and single records', async () => {
    expect((await call('GET', `/programmes/${PID}/history`)).body).toEqual({ items: [{ id: 'tr-1' }] });
    expect((await call('GET', `/programmes/${PID}/tasks/T-1`)).body).toEqual({ id: 'T-1' });
    problemOf(await call('GET', `/programmes/${PID}/tasks/T-9`), 404);
    await call('GET', `/programmes/${PID}/assessments?cycle=2`);
    expect(fakes.store.listAssessments).toHaveBeenCalledWith(PID, 2);
  });

  it('shows the latest artefact versions, or one selected by key and version', async () => {
    expect((await call('GET', `/programmes/${PID}/artefacts`)).body).toEqual({
      items: [
        { kind: 'scope', key: '', version: 2 },
        { kind: 'policy', key: 'POL-1', version: 1 },
      ],
    });
    expect((await call('GET', `/programmes/${PID}/artefacts/scope?version=1`)).body).toEqual({
      kind: 'scope',
      key: '',
      version: 1,
    });
    expect(fakes.store.getArtefact).toHaveBeenCalledWith(PID, 'scope', '', 1);
    problemOf(await call('GET', `/programmes/${PID}/artefacts/scope?version=7`), 404);
  });
});

describe('stage inputs', () => {
  const P = `/programmes/${PID}`;
  const cases: {
    name: string;
    method: string;
    path: string;
    body: unknown;
    input: StageInput;
    status?: number;
    location?: string;
  }[] = [
    {
      name: 'scope',
      method: 'PUT',
      path: `${P}/scope`,
      body: scopeBody,
      input: {
        kind: 'scope',
        ...scopeBody,
        aiSystems: [{ id: 'chatbot', name: 'Support chatbot', type: 'feature', inScope: true }],
        aiRoles: ['provider'],
        internalIssues: [],
        externalIssues: [],
        interestedParties: [],
        integratesWith: [],
        committee: [],
      },
    },
    {
      name: 'assessments',
      method: 'POST',
      path: `${P}/assessments`,
      body: { items: [{ requirementId: 'A.2.2', status: 'compliant', assessor: 'a@example.com' }] },
      input: {
        kind: 'assessments',
        items: [{ requirementId: 'A.2.2', status: 'compliant', assessor: 'a@example.com', evidence: [] }],
      },
    },
    {
      name: 'roadmap task',
      method: 'POST',
      path: `${P}/tasks`,
      body: {
        requirementId: '6.1.2',
        title: 'Risk method',
        owner: 'o@example.com',
        deadline: '2025-06-30T00:00:00Z',
      },
      input: {
        kind: 'roadmapTask',
        requirementId: '6.1.2',
        title: 'Risk method',
        owner: 'o@example.com',
        deadline: '2025-06-30T00:00:00Z',
      },
      status: 201,
      location: `${P}/tasks/roadmapTask-1`,
    },
    {
      name: 'task update',
      method: 'PATCH',
      path: `${P}/tasks/T-1`,
      body: { status: 'risk_accepted', acceptedBy: 'ceo@example.com' },
      input: {
        kind: 'taskUpdate',
        taskId: 'T-1',
        update: { status: 'risk_accepted', acceptedBy: 'ceo@example.com' },
      },
    },
    {
      name: 'policy',
      method: 'POST',
      path: `${P}/policies`,
      body: { policyType: 'ai_policy', title: 'AI policy', documentRef: 'dms://pol/1' },
      input: { kind: 'policy', policyType: 'ai_policy', title: 'AI policy', documentRef: 'dms://pol/1' },
      status: 201,
      location: `${P}/artefacts/policy?key=policy-1`,
    },
    {
      name: 'impact assessment',
      method: 'POST',
      path: `${P}/impact-assessments`,
      body: {
        aiSystemId: 'chatbot',
        intendedUse: 'Support',
        foreseeableMisuse: 'Advice',
        affectedParties: ['Customers'],
        likelihood: 2,
        severity: 3,
      },
      input: {
        kind: 'impactAssessment',
        aiSystemId: 'chatbot',
        intendedUse: 'Support',
        foreseeableMisuse: 'Advice',
        affectedParties: ['Customers'],
        harms: [],
        benefits: [],
        likelihood: 2,
        severity: 3,
        measures: [],
      },
      status: 201,
      location: `${P}/artefacts/impactAssessment?key=impactAssessment-1`,
    },
    {
      name: 'soa',
      method: 'PUT',
      path: `${P}/soa`,
      body: soaBody,
      input: { kind: 'soa', entries: soaBody.entries } as StageInput,
    },
    {
      name: 'audit',
      method: 'POST',
      path: `${P}/audits`,
      body: { audit: 'internal', auditors: [{ name: 'Ann', email: 'ann@auditors.test' }] },
      input: {
        kind: 'audit',
        audit: 'internal',
        auditors: [{ name: 'Ann', email: 'ann@auditors.test' }],
        independent: true,
        findings: [],
      },
      status: 201,
      location: `${P}/audits/audit-1`,
    },
    {
      name: 'corrective action',
      method: 'POST',
      path: `${P}/findings/F-1/corrective-action`,
      body: {
        correction: 'Fix',
        rootCause: 'Cause',
        action: 'Act',
        owner: 'o@example.com',
        due: '2025-07-01T00:00:00Z',
      },
      input: {
        kind: 'correctiveAction',
        findingId: 'F-1',
        action: {
          correction: 'Fix',
          rootCause: 'Cause',
          action: 'Act',
          owner: 'o@example.com',
          due: '2025-07-01T00:00:00Z',
        },
      },
    },
    {
      name: 'verification',
      method: 'POST',
      path: `${P}/findings/F-1/verification`,
      body: { verifiedBy: 'Ann' },
      input: { kind: 'verification', findingId: 'F-1', verification: { verifiedBy: 'Ann' } },
    },
    {
      name: 'certification decision',
      method: 'POST',
      path: `${P}/certification-decision`,
      body: { outcome: 'granted', certificateNumber: 'C-42' },
      input: { kind: 'certificationDecision', decision: { outcome: 'granted', certificateNumber: 'C-42' } },
    },
  ];

  it.each(cases)(
    '$name becomes exactly the expected StageInput',
    async ({ method, path, body, input, status, location }) => {
      const answer = await call(method, path, body);
      expect(answer.status).toBe(status ?? 200);
      expect(answer.headers.get('location')).toBe(location ?? null);
      await expectSubmitted(input, undefined);
      expect(answer.body).toEqual(expect.objectContaining({ accepted: true, stepKey: 'c1/SCOPING' }));
    },
  );

  it('passes the Idempotency-Key to the gateway', async () => {
    await call(
      'PUT',
      `${P}/certification-body`,
      { name: 'CB', accreditationBody: 'DAkkS' },
      { ...JSON_HEADERS, 'idempotency-key': 'k-1' },
    );
    await expectSubmitted({ kind: 'certificationBody', name: 'CB', accreditationBody: 'DAkkS' }, 'k-1');
  });

  it('records approval decisions through gateway.decide, naming the key that recorded them', async () => {
    const decision = {
      gate: 'scope',
      outcome: 'approved',
      approver: 'sam@example.com',
      onBehalfOf: { evidence: 'minutes 12' },
    };
    const answer = await call('POST', `${P}/decisions`, decision);
    expect(answer.status).toBe(200);
    expect(fakes.gateway.decide).toHaveBeenCalledWith(
      PID,
      { ...decision, recordedBy: expect.any(String) as unknown },
      undefined,
    );
  });

  it("403, and the workflow is not asked, for a decision in someone else's name without onBehalfOf", async () => {
    const decision = { gate: 'scope', outcome: 'approved', approver: 'sam@example.com' };
    const problem = problemOf(await call('POST', `${P}/decisions`, decision), 403);
    expect(problem.detail).toMatch(/only its holder's own decision \(it names no holder\)/);
    expect(pointers(problem)).toEqual(['/body/approver']);
    expect(fakes.gateway.decide).not.toHaveBeenCalled();
  });

  it('404, not 409, for a task, finding or gate that does not exist; the workflow is not asked', async () => {
    const task = problemOf(await call('PATCH', `${P}/tasks/T-99`, { status: 'done' }), 404);
    expect(task.detail).toMatch(/No roadmap task T-99/);
    const finding = problemOf(
      await call('POST', `${P}/findings/F-9/verification`, {
        verifiedBy: 'Ann Auditor',
        effective: true,
      }),
      404,
    );
    expect(finding.detail).toMatch(/No finding F-9/);
    const gate = problemOf(
      await call('POST', `${P}/decisions`, {
        gate: 'no_such_gate',
        outcome: 'approved',
        approver: 'a@b.test',
      }),
      404,
    );
    expect(pointers(gate)).toEqual(['/body/gate']);
    expect(fakes.gateway.submit).not.toHaveBeenCalled();
    expect(fakes.gateway.decide).not.toHaveBeenCalled();
  });

  it('accepts a withdrawal with 202', async () => {
    const answer = await call('POST', `${P}/withdrawal`, { reason: 'Budget cut' });
    expect(answer.status).toBe(202);
    expect(answer.headers.get('location')).toBe(P);
    // The URL is where to follow progress, in a field that says so (not "status").
    expect(answer.body).toEqual({ accepted: true, location: P });
    expect(fakes.gateway.withdraw).toHaveBeenCalledWith(PID, 'Budget cut');
  });
});

describe('operations', () => {
  it('healthz is 200 even when dependencies are down', async () => {
    fakes.store.ping.mockRejectedValue(new Error('down'));
    expect((await call('GET', '/healthz')).status).toBe(200);
  });

  it('readyz is 200 when both dependencies answer', async () => {
    const answer = await call('GET', '/readyz');
    expect(answer).toEqual(
      expect.objectContaining({ status: 200, body: { temporal: 'ok', database: 'ok' } }),
    );
  });

  it('readyz is 503 naming the database when its ping fails', async () => {
    fakes.store.ping.mockRejectedValueOnce(new Error('ECONNREFUSED'));
    const problem = problemOf(await call('GET', '/readyz'), 503);
    expect(problem.checks).toEqual({ temporal: 'ok', database: 'unavailable' });
    expect(problem.detail).toMatch(/database/);
  });

  it('readyz is 503 naming Temporal when its ping hangs', async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await startApp({ readyTimeoutMs: 50 });
    fakes.gateway.ping.mockReturnValueOnce(new Promise<void>(() => undefined));
    const problem = problemOf(await call('GET', '/readyz'), 503);
    expect(problem.checks).toEqual({ temporal: 'unavailable', database: 'ok' });
  });
});

describe('logging', () => {
  it('logs each request with its id, never its body or headers', async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    fakes = makeFakes();
    server = createApp({ ...fakes, authenticator: keys, logger }).listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const answer = await call(
      'PUT',
      `/programmes/${PID}/scope`,
      { ...scopeBody, statement: 'SECRET-MARKER' },
      {
        ...JSON_HEADERS,
        'x-request-id': 'req-42',
      },
    );
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-request-id')).toBe('req-42');
    const log = lines.join('');
    expect(log).toContain('req-42');
    expect(log).not.toMatch(/SECRET-MARKER|sam@example\.com/);
    expect(log).not.toContain(keys.key('admin'));
  });
});

describe('OpenAPI document', () => {
  type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

  function resolvePointer(document: Json, ref: string): Json | undefined {
    let node: Json | undefined = document;
    for (const raw of ref.replace(/^#\//, '').split('/')) {
      const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      node = node !== null && typeof node === 'object' && !Array.isArray(node) ? node[key] : undefined;
    }
    return node;
  }

  function refsIn(node: Json, found: string[] = []): string[] {
    if (Array.isArray(node)) node.forEach((n) => refsIn(n, found));
    else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string') found.push(value);
        else refsIn(value, found);
      }
    }
    return found;
  }

  async function fetchDocument(): Promise<Record<string, Json>> {
    const answer = await call('GET', '/openapi.json');
    expect(answer.status).toBe(200);
    return answer.body as Record<string, Json>;
  }

  it('is OpenAPI 3.1 and lists every route of the table with its method', async () => {
    const doc = await fetchDocument();
    expect(doc.openapi).toBe('3.1.0');
    const paths = doc.paths as Record<
      string,
      Record<string, { operationId: string; responses: Record<string, unknown> }>
    >;
    const routes = buildRoutes({ workflowIdFor: (id) => id });
    expect(routes.length).toBeGreaterThanOrEqual(35);
    for (const route of routes) {
      const op = paths[route.path]?.[route.method];
      expect(op?.operationId).toBe(route.operationId);
      expect(Object.keys(op?.responses ?? {})).toContain(String(route.success.status));
    }
    const operations = Object.values(paths).flatMap((item) => Object.keys(item));
    expect(operations).toHaveLength(routes.length);
  });

  it('resolves every $ref within the document', async () => {
    const doc = await fetchDocument();
    const refs = [...new Set(refsIn(doc))];
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) {
      expect(ref.startsWith('#/')).toBe(true);
      expect([ref, resolvePointer(doc, ref)]).not.toEqual([ref, undefined]);
    }
  });

  it('documents request bodies from domain schemas and errors as problem+json', () => {
    const doc = buildOpenApiDocument(buildRoutes({ workflowIdFor: (id) => id }));
    const scope = doc.paths['/programmes/{id}/scope']?.put;
    expect(scope?.requestBody).toEqual({
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ScopeBody' } } },
    });
    expect(scope?.['x-stage-input']).toBe('scope');
    expect(Object.keys(scope?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '404', '409', '413', '415', '500', '503']),
    );
    expect(doc.components.responses.BadRequest).toEqual(
      expect.objectContaining({
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      }),
    );
    expect(doc.components.schemas.ScopeBody).toEqual(
      expect.objectContaining({ type: 'object', additionalProperties: false }),
    );
    expect(doc.components.schemas.ScopeBody?.$schema).toBeUndefined();
  });
});
