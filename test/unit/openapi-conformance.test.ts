/**
 * Answers of the in-process API judged by its own OpenAPI document (test/support/
 * openapi-conformance.ts): one test per way the two were found to disagree, on the whole route
 * table with fakes where an answer needs data. The schemathesis run over the real stack
 * (test/integration/api-contract.test.ts) looks for new ones.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { z } from 'zod';
import { createApp, type AppOptions } from '../../api/app';
import { buildOpenApiDocument, type OpenApiDocument } from '../../api/openapi';
import type { ApprovalGateway, ProgrammeGateway } from '../../api/programme-gateway';
import { approvalRoutes } from '../../api/routes/approvals';
import { evidenceRoutes } from '../../api/routes/evidence';
import { reportRoutes } from '../../api/routes/reports';
import type { Route } from '../../api/route';
import { buildRoutes } from '../../api/routes';
import type { ProgrammeStore } from '../../api/store';
import type { AnalysisGateway } from '../../api/analysis-gateway';
import type { EvidenceRecord } from '../../db/evidence-repository';
import { fromFindingRow } from '../../db/mappers';
import type { FindingRow } from '../../db/entities';
import type { ApprovalRequestView } from '../../domain/approvals';
import type { ReportVersionSummary } from '../../domain/report-kinds';
import { schemaParts } from '../../domain/schema-parts';
import type { EvidenceService } from '../../services/evidence/service';
import { servedMediaType } from '../../services/evidence/media-types';
import { MemoryApiKeys } from '../support/api-keys';
import { answerOf, conformance, type Answer, type Conformance } from '../support/openapi-conformance';
import { impactAssessment, storedProgramme } from '../support/fixtures';
import { APPROVAL_SECRET, featureRoutes, unavailable } from '../support/secured-app';

const PID = 'p-1';
const keys = MemoryApiKeys.withRoleKeys();
/** A store that knows programme p-1 and nothing else, and answers its pings. */
const store = () =>
  unavailable<ProgrammeStore>({
    getProgramme: (id: string) => Promise.resolve(id === PID ? storedProgramme(PID) : null),
    getArtefact: () => Promise.resolve(null),
    ping: () => Promise.resolve(),
  });

interface Running {
  doc: OpenApiDocument;
  check: Conformance;
  call(
    method: string,
    path: string,
    init?: { body?: string; headers?: Record<string, string> },
  ): Promise<Answer>;
}

let server: Server | undefined;
afterEach(async () => {
  const s = server;
  server = undefined;
  if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
});

/** The whole route table (feature modules included, as in production) with these parts. */
async function serve(parts: { routes?: Route[]; gateway?: ProgrammeGateway } = {}): Promise<Running> {
  const options: AppOptions = {
    gateway: parts.gateway ?? unavailable<ProgrammeGateway>({ ping: () => Promise.resolve() }),
    store: store(),
    authenticator: keys,
    logger: pino({ level: 'silent' }),
    extraRoutes: parts.routes ?? featureRoutes(keys),
  };
  const app = createApp(options);
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server?.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call: Running['call'] = async (method, path, init = {}) =>
    answerOf(
      await fetch(base + path, { method, body: init.body, headers: { ...keys.header(), ...init.headers } }),
    );
  const doc = (await call('GET', '/openapi.json')).body as OpenApiDocument;
  return { doc, check: conformance(doc), call };
}

/** Feature routes with some replaced by ones built on fakes. */
function withRoutes(...replacements: Route[][]): Route[] {
  const replaced = new Set(replacements.flat().map((r) => `${r.method} ${r.path}`));
  return [
    ...featureRoutes(keys).filter((r) => !replaced.has(`${r.method} ${r.path}`)),
    ...replacements.flat(),
  ];
}

describe('/readyz', () => {
  it('is documented with its own answer, not with a programme’s readiness', async () => {
    const api = await serve();
    const answer = await api.call('GET', '/readyz');
    expect(answer.status).toBe(200);
    expect(api.check.mismatches('GET', '/readyz', answer)).toEqual([]);
  });

  it('cannot happen again: two different schemas under one component name are refused', () => {
    const first = z.object({ a: z.string() });
    const second = z.object({ b: z.string() });
    const route = (path: string, schema: z.ZodType): Route => ({
      ...buildRoutes({ workflowIdFor: (id) => id }).find((r) => r.path === '/healthz')!,
      path,
      operationId: path,
      components: { Twin: schema },
      success: { status: 200, description: 'ok', schema },
    });
    expect(() => buildOpenApiDocument([route('/one', first), route('/two', second)])).toThrow(
      'two different schemas are both named Twin',
    );
  });
});

describe('a finding’s verification', () => {
  it('carries no finding id, also when read from a row written with one', () => {
    const verification = { verifiedBy: 'Ada', verifiedAt: '2027-01-04T09:00:00.000Z', auditId: 'A-3' };
    const row: FindingRow = {
      programmeId: PID,
      id: 'F-1',
      audit: 'stage2',
      auditId: 'A-2',
      stepKey: 'c1.CERTIFICATION.1',
      grade: 'minor_nc',
      requirementId: '8.4',
      description: 'Impact assessments not repeated',
      status: 'verified',
      raisedAt: '2026-01-04T09:00:00.000Z',
      correctiveAction: null,
      verification: { ...verification, findingId: 'F-1' } as FindingRow['verification'],
      track: {
        previousActions: [
          {
            correction: 'c',
            rootCause: 'r',
            action: 'a',
            owner: 'o@example.com',
            due: '2026-06-01T00:00:00.000Z',
            recordedAt: '2026-02-01T00:00:00.000Z',
            verification: { ...verification, effective: false, findingId: 'F-1' } as typeof verification,
          },
        ],
      },
    };
    const finding = fromFindingRow(row);
    expect(finding.verification).toEqual(verification);
    expect(finding.track?.previousActions?.[0].verification).toEqual({ ...verification, effective: false });
    const doc = buildOpenApiDocument(buildRoutes({ workflowIdFor: (id) => id }));
    expect(conformance(doc).accepts('Finding', finding)).toBe(true);
    expect(conformance(doc).accepts('Finding', { ...finding, verification: row.verification })).toBe(false);
  });
});

describe('creates that may create nothing', () => {
  const version = (created: boolean): ReportVersionSummary => ({
    programmeId: PID,
    kind: 'soa',
    key: '',
    version: 3,
    sha256: 'a'.repeat(64),
    sourceSha256: 'b'.repeat(64),
    generatedAt: '2025-01-01T00:00:00.000Z',
    created,
    files: [{ format: 'pdf', contentType: 'application/pdf', sha256: 'c'.repeat(64), bytes: 10 }],
  });
  const reports = (created: boolean) =>
    reportRoutes({
      gateway: unavailable<AnalysisGateway>({ generateReport: () => Promise.resolve(version(created)) }),
      reports: unavailable(),
      programmes: { listAssessments: () => Promise.resolve([]), listTasks: () => Promise.resolve([]) },
    });

  it.each([
    [true, 201],
    [false, 200],
  ])(
    'a report generated with created=%s answers %i, as documented, with Location',
    async (created, status) => {
      const api = await serve({ routes: withRoutes(reports(created)) });
      const answer = await api.call('POST', `/programmes/${PID}/reports/soa`);
      expect(answer.status).toBe(status);
      expect(answer.headers.get('location')).toBe(`/programmes/${PID}/reports/soa?format=pdf&version=3`);
      expect(api.check.mismatches('POST', '/programmes/{id}/reports/{kind}', answer)).toEqual([]);
    },
  );

  it('planning the roadmap with every gap planned opens nothing: a documented 200', async () => {
    const api = await serve({ routes: withRoutes(reports(true)) });
    const answer = await api.call('POST', `/programmes/${PID}/roadmap/tasks`, {
      body: JSON.stringify({ owner: 'lead@example.com' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(answer).toMatchObject({ status: 200, body: { items: [] } });
    expect(api.check.mismatches('POST', '/programmes/{id}/roadmap/tasks', answer)).toEqual([]);
    const created = api.doc.paths['/programmes/{id}/roadmap/tasks']?.post?.responses;
    expect(Object.keys(created ?? {})).toEqual(expect.arrayContaining(['200', '201']));
  });
});

describe('evidence downloads', () => {
  const record: EvidenceRecord = {
    programmeId: PID,
    id: 'ev-00000000-0000-4000-8000-000000000001',
    key: 'logging',
    version: 1,
    title: 'Logging policy',
    source: 'file',
    url: null,
    fileName: 'logging.txt',
    mediaType: 'Text/Plain; charset=latin1',
    size: 27,
    sha256: 'd'.repeat(64),
    owner: 'lead@example.com',
    requirementIds: ['A.6.2.8'],
    aiSystemIds: [],
    reviewOn: null,
    expiresOn: null,
    createdAt: '2025-01-01T00:00:00.000Z',
  };
  const service = unavailable<EvidenceService>({
    maxBytes: 1024,
    get: () => Promise.resolve(record),
    content: () => Promise.resolve(Buffer.from('Logs are kept for 90 days.\n')),
  });

  it('come as the media type the file was accepted as, which is documented', async () => {
    const api = await serve({ routes: withRoutes(evidenceRoutes(service)) });
    const answer = await api.call('GET', `/programmes/${PID}/evidence/${record.id}/content`);
    expect(answer).toMatchObject({ status: 200, body: 'Logs are kept for 90 days.\n' });
    expect(answer.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(api.check.mismatches('GET', '/programmes/{id}/evidence/{evidenceId}/content', answer)).toEqual([]);
  });

  it('name an accepted type in its plain form, anything else as octet-stream', () => {
    expect(servedMediaType('Text/Plain; charset=latin1')).toBe('text/plain');
    expect(servedMediaType('application/x-msdownload')).toBe('application/octet-stream');
    expect(servedMediaType(null)).toBe('application/octet-stream');
  });
});

describe('approval links', () => {
  it.each(['GET', 'POST'])(
    '%s of a link that is not genuine: an HTML page, documented as such',
    async (method) => {
      const api = await serve();
      const answer = await api.call(method, '/approvals/not-a-token', {
        ...(method === 'POST'
          ? { body: 'outcome=approved', headers: { 'content-type': 'application/x-www-form-urlencoded' } }
          : {}),
      });
      expect(answer.status).toBe(400);
      expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
      expect(api.check.mismatches(method, '/approvals/{token}', answer)).toEqual([]);
    },
  );

  it('every refusal page status is documented as text/html', async () => {
    const { doc } = await serve();
    for (const method of ['get', 'post'] as const) {
      const responses = doc.paths['/approvals/{token}']?.[method]?.responses as Record<
        string,
        { content?: Record<string, unknown> }
      >;
      for (const status of ['400', '403', '404', '409', '410', '503'])
        expect([method, status, Object.keys(responses[status]?.content ?? {})]).toEqual([
          method,
          status,
          expect.arrayContaining(['text/html']),
        ]);
    }
  });

  it('a form with more fields than the parser takes is refused, as the document says', async () => {
    const api = await serve();
    const fields = Array.from({ length: 11 }, (_, i) => `f${i}=x`).join('&');
    const answer = await api.call('POST', '/approvals/not-a-token', {
      body: fields,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(answer.status).toBe(400);
    expect(
      api.check.accepts('ApprovalLinkForm', Object.fromEntries(fields.split('&').map((f) => f.split('=')))),
    ).toBe(false);
  });

  it('the manager’s list of requests carries the summary it documents', async () => {
    const request: ApprovalRequestView = {
      requestId: 'c1.SCOPING.1/scope/v1/r1',
      stepKey: 'c1.SCOPING.1',
      stepTitle: 'Scoping',
      gate: 'scope',
      title: 'AIMS scope',
      artefact: 'scope',
      artefactVersion: 1,
      approvalVersion: 1,
      round: 1,
      artefactSha256: 'e'.repeat(64),
      approvers: [{ name: 'Sam', email: 'sam@example.com', role: 'sponsor' }],
      quorum: 1,
      votes: [],
      issuedAt: '2025-01-01T00:00:00.000Z',
      remindersSent: 0,
      resends: 0,
      escalated: false,
      overdue: false,
      status: 'open',
      approvals: 0,
      waitingFor: ['sam@example.com'],
      dueAt: '2025-01-15T00:00:00.000Z',
      linkValidity: 'P14D',
    };
    const routes = approvalRoutes({
      gateway: unavailable<ApprovalGateway>({ approvals: () => Promise.resolve([request]) }),
      links: unavailable(),
      secret: APPROVAL_SECRET,
    });
    const api = await serve({ routes: withRoutes(routes) });
    const answer = await api.call('GET', `/programmes/${PID}/approvals`);
    expect(answer).toMatchObject({
      status: 200,
      body: { items: [{ requestId: request.requestId, summary: [] }] },
    });
    expect(api.check.mismatches('GET', '/programmes/{id}/approvals', answer)).toEqual([]);
  });
});

describe('e-mail addresses', () => {
  const { Email } = schemaParts(z);
  const local = (n: number) => 'a'.repeat(n);

  it('one shared schema refuses a local part over 64 and an address over 254 characters', () => {
    expect(Email.safeParse(`${local(64)}@example.com`).success).toBe(true);
    expect(Email.safeParse(`${local(65)}@example.com`).success).toBe(false);
    // Four labels of 60 characters and .com: 247 characters of domain.
    const domain = `${Array.from({ length: 4 }, () => 'd'.repeat(60)).join('.')}.com`;
    expect(`${local(6)}@${domain}`).toHaveLength(254);
    expect(Email.safeParse(`${local(6)}@${domain}`).success).toBe(true);
    expect(Email.safeParse(`${local(7)}@${domain}`).success).toBe(false);
  });

  it('every address the document describes is that one (at most 254 characters)', () => {
    const doc = buildOpenApiDocument(withRoutes());
    const emails: unknown[] = [];
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(visit);
      else if (node && typeof node === 'object') {
        const schema = node as Record<string, unknown>;
        if (schema.format === 'email') emails.push(schema.maxLength);
        Object.values(schema).forEach(visit);
      }
    };
    visit(doc.components.schemas);
    expect(emails.length).toBeGreaterThan(20);
    expect(new Set(emails)).toEqual(new Set([254]));
  });

  it('a programme whose escalation contact has a local part over 64 characters is refused', async () => {
    const api = await serve();
    const answer = await api.call('POST', '/programmes', {
      body: JSON.stringify({
        organisation: 'Acme',
        name: 'AIMS',
        config: { correctiveActionEscalation: { name: 'Esc', email: `${local(65)}@example.com` } },
      }),
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      errors: [{ pointer: '/body/config/correctiveActionEscalation/email' }],
    });
  });
});

describe('405 for a method a literal path does not take', () => {
  it.each(['links', 'files'])(
    'GET /programmes/{id}/evidence/%s is a 405 naming POST, not a bad evidence id',
    async (literal) => {
      const api = await serve();
      const answer = await api.call('GET', `/programmes/${PID}/evidence/${literal}`);
      expect(answer.status).toBe(405);
      expect(answer.headers.get('allow')).toBe('POST, OPTIONS');
    },
  );

  it('an evidence id still reaches its route', async () => {
    const api = await serve();
    const answer = await api.call(
      'GET',
      `/programmes/${PID}/evidence/ev-00000000-0000-4000-8000-000000000001`,
    );
    // Past validation to the evidence service, a fake that is down.
    expect(answer.status).toBeGreaterThanOrEqual(500);
  });
});

describe('rules the document states as the API enforces them', () => {
  const doc = buildOpenApiDocument(withRoutes());
  const { accepts } = conformance(doc);
  const parts = schemaParts(z);

  it('a text of white space only is no text for either', () => {
    for (const blank of ['   ', '\u00a0', '\ufeff', '\t\n'])
      expect([blank, accepts('WithdrawalBody', { reason: blank })]).toEqual([blank, false]);
    expect(accepts('WithdrawalBody', { reason: ' Budget cut ' })).toBe(true);
    expect(parts.Text().safeParse('   ').success).toBe(false);
  });

  it.each([
    ['FindingBody', { audit: 'internal', grade: 'minor_nc', requirementId: '6.1.2', description: 'd' }, true],
    ['FindingBody', { audit: 'internal', grade: 'minor_nc', requirementId: 'X.9', description: 'd' }, false],
    ['TaskUpdateBody', { status: 'done' }, true],
    ['TaskUpdateBody', { status: 'risk_accepted' }, false],
    ['TaskUpdateBody', { status: 'risk_accepted', acceptedBy: 'ceo@example.com' }, true],
    ['CertificationDecisionBody', { outcome: 'granted' }, false],
    ['CertificationDecisionBody', { outcome: 'refused' }, true],
    ['DecisionBody', { gate: 'scope', outcome: 'rejected', approver: 'a@example.com' }, false],
    ['DecisionBody', { gate: 'scope', outcome: 'approved', approver: 'a@example.com' }, true],
    ['ScanBody', { path: 'relative/dir' }, false],
    ['ScanBody', { path: '/srv/code' }, true],
  ])('%s %j: valid = %s', (name, value, valid) => {
    expect(accepts(name, value)).toBe(valid);
  });

  it('an impact assessment approval names who and when, or neither', () => {
    const ia = impactAssessment('chatbot');
    expect(accepts('ImpactAssessmentBody', ia)).toBe(true);
    expect(accepts('ImpactAssessmentBody', { ...ia, approvedBy: 'ceo@example.com' })).toBe(false);
    expect(
      accepts('ImpactAssessmentBody', {
        ...ia,
        approvedBy: 'ceo@example.com',
        approvedOn: '2025-01-01T00:00:00Z',
      }),
    ).toBe(true);
  });

  it('a gap assessment: 27001 reuse only for shared clauses, not applicable only for controls, with a reason', () => {
    const item = { requirementId: 'A.2.2', status: 'compliant', assessor: 'a@example.com' };
    expect(accepts('AssessmentItem', item)).toBe(true);
    expect(accepts('AssessmentItem', { ...item, reuseFrom27001: true })).toBe(false);
    expect(accepts('AssessmentItem', { ...item, requirementId: '7.5.1', reuseFrom27001: true })).toBe(true);
    expect(accepts('AssessmentItem', { ...item, status: 'not_applicable' })).toBe(false);
    expect(
      accepts('AssessmentItem', { ...item, status: 'not_applicable', justification: 'No AI in HR' }),
    ).toBe(true);
    expect(
      accepts('AssessmentItem', {
        ...item,
        requirementId: '6.1.2',
        status: 'not_applicable',
        justification: 'j',
      }),
    ).toBe(false);
  });
});
