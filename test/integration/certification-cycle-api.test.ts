/**
 * Acceptance: through the API, a programme goes from internal audit to a certificate and through
 * its first surveillance audit, with findings, corrective actions, evidence, KPIs, the internal
 * audit report, the management review minutes and the audit pack all real and downloadable. Real
 * parts: a Temporal dev server, the real worker and API, SQLite (and MariaDB with TEST_MYSQL_URL).
 */
import { createHash } from 'node:crypto';
import yauzl from 'yauzl';
import { CLAUSES, CONTROLS } from '../../domain/catalogue/iso42001';
import type { AuditPackManifest } from '../../services/evidence/audit-pack';
import { testDatabases } from '../support/databases';
import { NOT_APPLICABLE_CONTROL, PEOPLE } from '../support/fixtures';
import { http, HttpJourneyPort, type HttpResult } from '../support/http-port';
import { completeGapAnalysis, completeImplementation, completeScoping } from '../support/journey';
import { pdfText } from '../support/pdf-text';
import { startStack, type Stack } from '../support/stack';
import { useLocalTemporal } from '../support/temporal';

const temporal = useLocalTemporal();

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const CLAUSE_IDS = CLAUSES.map((c) => c.id);
const CONTROL_IDS = CONTROLS.map((c) => c.id).filter((id) => id !== NOT_APPLICABLE_CONTROL);
const AUDITOR = { name: 'Ina Auditor', email: 'ina.auditor@acme.test' };
const CA_OWNER = PEOPLE.complianceLead.email;

function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, archive) => {
      if (err || !archive) return reject(err ?? new Error('no archive'));
      const files = new Map<string, Buffer>();
      archive.on('entry', (entry: yauzl.Entry) => {
        archive.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            archive.readEntry();
          });
        });
      });
      archive.on('end', () => resolve(files));
      archive.readEntry();
    });
  });
}

interface ReportVersion {
  kind: string;
  key: string;
  version: number;
  sha256: string;
  files: { format: string; sha256: string; href: string }[];
}

interface Finding {
  id: string;
  grade: string;
  status: string;
  requirementId: string;
  verification?: { auditId?: string; verifiedBy: string };
}

describe.each(testDatabases())('on $name', (db) => {
  let stack: Stack;
  let port: HttpJourneyPort;
  let pid: string;
  const started = Date.now();
  const findingIds: Record<'minor' | 'major' | 'observation' | 'stage2Minor', string> = {
    minor: '',
    major: '',
    observation: '',
    stage2Minor: '',
  };
  const evidenceIds: Record<'minor' | 'major', string> = { minor: '', major: '' };

  // The programme manager drives the programme; downloads are made as an auditor (a reader).
  const auth = () => stack.authHeader('programme-manager');
  const reader = () => stack.authHeader('auditor');
  const api = (method: string, p: string, body?: unknown): Promise<HttpResult> =>
    http(stack.baseUrl(), method, `/programmes/${pid}${p}`, body, auth());
  const ok = async (method: string, p: string, body?: unknown): Promise<Record<string, unknown>> => {
    const res = await api(method, p, body);
    if (res.status >= 300) throw new Error(`${method} ${p} -> ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as Record<string, unknown>;
  };
  const items = async <T>(p: string): Promise<T[]> => ((await ok('GET', p)) as { items: T[] }).items;

  /** Downloads a report file; every digest header must name the SHA-256 of the bytes received. */
  async function download(href: string): Promise<Buffer> {
    const res = await fetch(`${stack.baseUrl()}${href}`, { headers: reader() });
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get('etag')).toBe(`"${sha256(body)}"`);
    expect(res.headers.get('digest')).toBe(`sha-256=${createHash('sha256').update(body).digest('base64')}`);
    return body;
  }

  async function generate(
    kind: string,
  ): Promise<{ pdf: Buffer; json: Record<string, unknown>; version: ReportVersion }> {
    const res = await api('POST', `/reports/${kind}`);
    expect([200, 201]).toContain(res.status);
    const version = res.body as ReportVersion;
    expect(version.files.map((f) => f.format)).toEqual(['pdf', 'json']);
    const pdf = await download(version.files[0].href);
    const jsonBytes = await download(version.files[1].href);
    expect(sha256(jsonBytes)).toBe(version.sha256);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    return { pdf, json: JSON.parse(jsonBytes.toString('utf8')) as Record<string, unknown>, version };
  }

  async function uploadEvidence(key: string, title: string, requirementIds: string[], text: string) {
    const form = new FormData();
    form.append('metadata', JSON.stringify({ key, title, owner: CA_OWNER, requirementIds }));
    form.append('file', new Blob([Buffer.from(text)], { type: 'text/plain' }), `${key}.txt`);
    const res = await fetch(`${stack.baseUrl()}/programmes/${pid}/evidence/files`, {
      method: 'POST',
      body: form,
      headers: auth(),
    });
    const body = (await res.json()) as { id: string; sha256: string };
    expect(res.status).toBe(201);
    expect(body.sha256).toBe(sha256(Buffer.from(text)));
    return body.id;
  }

  beforeAll(async () => {
    stack = await startStack({
      address: temporal.env.address,
      databaseUrl: await db.freshDatabase('cycle'),
      workflowBundle: temporal.bundle,
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await db.cleanup();
    process.stdout.write(
      `certification cycle on ${db.name}: ${Math.round((Date.now() - started) / 1000)} s\n`,
    );
  });

  test('a programme reaches the internal audit with a complete AI inventory for two of its three systems', async () => {
    const res = await http(
      stack.baseUrl(),
      'POST',
      '/programmes',
      { organisation: 'Acme Ltd', name: 'AIMS certification' },
      auth(),
    );
    expect(res.status).toBe(201);
    pid = (res.body as { id: string }).id;
    port = new HttpJourneyPort(() => stack.baseUrl(), pid, auth());
    await completeScoping(port);
    // The register names owners and life-cycle stages; the out-of-scope trial has no owner yet.
    const register = [
      {
        id: 'support-bot',
        name: 'Support assistant',
        purpose: 'Answers customer questions',
        owner: 'cx@acme.test',
        lifecycleStage: 'operation_monitoring',
        inScope: true,
      },
      {
        id: 'fraud-model',
        name: 'Fraud scoring model',
        purpose: 'Scores card payments for fraud',
        owner: 'risk@acme.test',
        lifecycleStage: 'deployment',
        inScope: true,
      },
      {
        id: 'hr-screening',
        name: 'CV screening trial',
        purpose: 'Ranks applicants',
        lifecycleStage: 'verification_validation',
        inScope: false,
      },
    ];
    const imported = await api('POST', '/inventory/import', {
      format: 'json',
      content: JSON.stringify(register),
      source: 'it-register',
    });
    expect(imported.status).toBeLessThan(300);
    const taskIds = await completeGapAnalysis(port);
    await completeImplementation(port, taskIds);
    await port.waitForStep('INTERNAL_AUDIT');

    const early = await api('POST', '/reports/internal-audit');
    expect(early.status).toBe(409);
    expect((early.body as { detail: string }).detail).toMatch(/no internal audit has been recorded/);
    expect((await api('POST', '/reports/internal-audit?key=cycle-one')).status).toBe(400);
  });

  test('the internal audit programme is held: findings graded, actions planned, evidence uploaded, actions verified and closed', async () => {
    const plannedOn = new Date(Date.now() + 86_400_000).toISOString();
    await port.submit({
      kind: 'auditProgramme',
      audits: [
        {
          id: 'ia-clauses',
          title: 'Management system clauses 4-10',
          scope: CLAUSE_IDS,
          auditor: AUDITOR,
          auditorResponsibleFor: [],
          plannedOn,
        },
        {
          id: 'ia-controls',
          title: 'Annex A controls',
          scope: CONTROL_IDS,
          auditor: AUDITOR,
          auditorResponsibleFor: [],
          plannedOn,
        },
      ],
    });
    const independence = {
      statement:
        'Ina Auditor works in internal audit and has no responsibility for the AI systems or controls audited.',
      auditorResponsibleFor: [],
    };
    const first = await port.submit({
      kind: 'audit',
      audit: 'internal',
      planId: 'ia-clauses',
      scope: CLAUSE_IDS,
      auditors: [AUDITOR],
      independent: true,
      independence,
      findings: [
        {
          grade: 'minor_nc',
          requirementId: '7.2',
          description: 'Two data scientists have no recorded AI-risk training',
        },
        {
          grade: 'observation',
          requirementId: '9.1',
          description: 'KPI thresholds are not written down for drift alerts',
        },
      ],
    });
    [findingIds.minor, findingIds.observation] = first.findingIds ?? [];
    // The status shows the audit programme half held and the new nonconformity to follow up.
    const work = (await port.detail()).programmeWork as {
      auditProgramme: {
        planned: boolean;
        audited: number;
        notYetAudited: string[];
        audits: { status: string }[];
      };
      nonconformities: { findingId: string; grade: string; status: string }[];
    };
    expect(work.auditProgramme).toMatchObject({ planned: true, audited: CLAUSE_IDS.length });
    expect(work.auditProgramme.notYetAudited.sort()).toEqual([...CONTROL_IDS].sort());
    expect(work.auditProgramme.audits.map((a) => a.status)).toEqual(['held', 'planned']);
    expect(work.nonconformities).toEqual([
      expect.objectContaining({ findingId: findingIds.minor, grade: 'minor_nc', status: 'open' }),
    ]);
    const second = await port.submit({
      kind: 'audit',
      audit: 'internal',
      planId: 'ia-controls',
      scope: CONTROL_IDS,
      auditors: [AUDITOR],
      independent: true,
      independence,
      findings: [
        {
          grade: 'major_nc',
          requirementId: 'A.6.2.8',
          description: 'Event logs of the fraud model are kept for seven days only',
        },
      ],
    });
    [findingIds.major] = second.findingIds ?? [];
    expect(
      Object.values(findingIds)
        .slice(0, 3)
        .every((id) => id.length > 0),
    ).toBe(true);

    const plan = (correction: string, rootCause: string, action: string) => ({
      correction,
      rootCause,
      action,
      owner: CA_OWNER,
      due: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    });
    await port.submit({
      kind: 'correctiveAction',
      findingId: findingIds.minor,
      action: plan(
        'Train both data scientists',
        'Onboarding checklist has no AI-risk training',
        'Add the training to onboarding',
      ),
    });
    await port.submit({
      kind: 'correctiveAction',
      findingId: findingIds.major,
      action: plan(
        'Raise log retention to 400 days',
        'Retention copied from a debugging default',
        'Review retention of every AI system log',
      ),
    });
    evidenceIds.minor = await uploadEvidence(
      'training-records',
      'AI-risk training attendance',
      ['7.2'],
      'name,course,date\nkim,AI risk,2027-01-10\n',
    );
    evidenceIds.major = await uploadEvidence(
      'log-retention',
      'Log retention settings of the fraud model',
      ['A.6.2.8'],
      'retention_days=400\n',
    );

    const verify = (findingId: string, evidence: string) =>
      port.submit({
        kind: 'verification',
        findingId,
        verification: {
          verifiedBy: AUDITOR.name,
          effective: true,
          evidenceIds: [evidence],
          closureApprovedBy: PEOPLE.sponsor.email,
          note: 'Checked against the uploaded evidence',
        },
      });
    await verify(findingIds.minor, evidenceIds.minor);
    await verify(findingIds.major, evidenceIds.major);
    await port.waitForStep('MANAGEMENT_REVIEW');

    const findings = new Map((await items<Finding>('/findings')).map((f) => [f.id, f]));
    expect(findings.get(findingIds.minor)).toMatchObject({ grade: 'minor_nc', status: 'verified' });
    expect(findings.get(findingIds.major)).toMatchObject({ grade: 'major_nc', status: 'verified' });
    expect(findings.get(findingIds.observation)).toMatchObject({
      grade: 'observation',
      requirementId: '9.1',
    });
  });

  test('a KPI snapshot is taken and read back with the values the records give', async () => {
    const taken = await ok('POST', '/kpis');
    const kpis = taken.kpis as Record<string, number | null>;
    // support-bot and fraud-model are complete records; hr-screening has no owner.
    expect(kpis.inventoryCompleteness).toBeCloseTo(2 / 3);
    expect(kpis.impactAssessmentCoverage).toBe(1);
    expect(kpis.soaImplementationRate).toBe(1);
    // Evidence exists for 7.2 (a clause) and A.6.2.8 (one of 37 applicable controls).
    expect(kpis.evidenceCoverage).toBeCloseTo(1 / 37);
    expect(kpis).toMatchObject({
      openNonconformities: 0,
      openCorrectiveActions: 0,
      overdueCorrectiveActions: 0,
      auditProgrammeCompletion: 1,
      overdueApprovals: 0,
    });
    const series = await items<{ id: string; trigger: string; kpis: unknown }>('/kpis');
    expect(series.find((s) => s.id === taken.id)).toEqual({ ...taken });
  });

  test('the internal audit report (PDF and JSON) shows audits, graded findings, corrective actions with evidence, coverage and a conclusion', async () => {
    const { pdf, json } = await generate('internal-audit');
    expect(json).toMatchObject({
      kind: 'internal-audit',
      cycle: 1,
      report: { kind: 'internal-audit', programmeId: pid },
      summary: {
        byGrade: { major_nc: 1, minor_nc: 1, observation: 1, ofi: 0, conformity: 0 },
        openNonconformities: 0,
        correctiveActions: { planned: 0, verified: 2, overdue: 0, missing: 0 },
      },
      coverage: {
        required: CLAUSE_IDS.length + CONTROL_IDS.length,
        audited: CLAUSE_IDS.length + CONTROL_IDS.length,
        notAudited: [],
      },
      plan: {
        audits: [
          { id: 'ia-clauses', status: 'held' },
          { id: 'ia-controls', status: 'held' },
        ],
      },
    });
    const audits = json.audits as { planId: string; scopeBasis: string; independenceStatement: string }[];
    expect(audits.map((a) => [a.planId, a.scopeBasis])).toEqual([
      ['ia-clauses', 'recorded'],
      ['ia-controls', 'recorded'],
    ]);
    expect(audits[0].independenceStatement).toMatch(/no responsibility for the AI systems/);
    const rows = json.findings as {
      id: string;
      grade: string;
      correctiveAction?: { rootCause: string; evidence: { id: string }[] };
      verification?: { closureApprovedBy?: string; effective: boolean };
    }[];
    expect(rows.map((f) => f.grade)).toEqual(['major_nc', 'minor_nc', 'observation']);
    expect(rows[0]).toMatchObject({
      id: findingIds.major,
      correctiveAction: {
        rootCause: 'Retention copied from a debugging default',
        evidence: [{ id: evidenceIds.major }],
      },
      verification: { closureApprovedBy: PEOPLE.sponsor.email, effective: true },
    });
    expect(rows[1].correctiveAction?.evidence.map((e) => e.id)).toEqual([evidenceIds.minor]);
    expect((json.conclusion as string[])[0]).toMatch(
      /conforms to ISO\/IEC 42001: all 2 nonconformities raised were corrected/,
    );

    const text = (await pdfText(pdf)).text.replace(/\s+/g, ' ');
    for (const expected of [
      'Internal audit report',
      'Major nonconformity',
      'Event logs of the fraud model are kept for seven days only',
      'Retention copied from a debugging default',
      'Log retention settings of the fraud model',
      `${CLAUSE_IDS.length + CONTROL_IDS.length} of ${CLAUSE_IDS.length + CONTROL_IDS.length} clauses and applicable controls audited`,
      'all 2 nonconformities raised were corrected and verified',
      'no responsibility for the AI systems',
    ])
      expect(text).toContain(expected);
  });

  test('the management review is held and signed off; its minutes carry the compiled inputs and the decisions', async () => {
    const early = await api('POST', '/reports/management-review');
    expect(early.status).toBe(409);
    expect((early.body as { detail: string }).detail).toMatch(/no management review has been submitted/);

    await port.submit({
      kind: 'managementReview',
      heldOn: new Date().toISOString(),
      attendees: [PEOPLE.topManagement, PEOPLE.complianceLead],
      decisions: [
        {
          topic: 'Log retention',
          decision: 'Apply a 400-day retention standard to every AI system',
          owner: PEOPLE.complianceLead.email,
          due: new Date(Date.now() + 90 * 86_400_000).toISOString(),
          resources: 'Two platform engineer weeks and 2 TB of log storage',
        },
      ],
    });
    await port.decide({
      gate: 'management_review',
      outcome: 'approved',
      approver: PEOPLE.topManagement.email,
    });
    await port.waitForStep('CERTIFICATION');

    const { pdf, json } = await generate('management-review');
    expect(json).toMatchObject({
      kind: 'management-review',
      review: { version: 1, attendees: [PEOPLE.topManagement, PEOPLE.complianceLead] },
      signOff: { outcome: 'approved', approver: PEOPLE.topManagement.email },
      outputs: [{ topic: 'Log retention', resources: 'Two platform engineer weeks and 2 TB of log storage' }],
      inputs: {
        previousActions: [],
        contextChanges: { scopeVersions: 1 },
        improvementOpportunities: [{ findingId: findingIds.observation, requirementId: '9.1' }],
      },
    });
    const inputs = json.inputs as {
      performance: {
        nonconformitiesByAudit: { audit: string; major: number; minor: number; open: number }[];
        latestKpis: { inventoryCompleteness: number } | null;
      };
    };
    expect(inputs.performance.nonconformitiesByAudit.filter((a) => a.audit === 'internal')).toEqual([
      expect.objectContaining({ minor: 1, major: 0, open: 0 }),
      expect.objectContaining({ minor: 0, major: 1, open: 0 }),
    ]);
    expect(inputs.performance.latestKpis?.inventoryCompleteness).toBeCloseTo(2 / 3);

    const text = (await pdfText(pdf)).text.replace(/\s+/g, ' ');
    for (const expected of [
      'Management review minutes',
      `approved by ${PEOPLE.topManagement.email}`,
      'Apply a 400-day retention standard to every AI system',
      'Two platform engineer weeks and 2 TB of log storage',
      'KPI thresholds are not written down for drift alerts',
      'This is the first management review',
    ])
      expect(text).toContain(expected);
  });

  test('stage 1 and stage 2 are held; a stage-2 minor nonconformity gets its plan and the certificate is granted', async () => {
    await port.submit({ kind: 'certificationBody', name: 'Example Cert Ltd', accreditationBody: 'UKAS' });
    await port.decide({ gate: 'certification_body', outcome: 'approved', approver: PEOPLE.sponsor.email });
    await port.submit({
      kind: 'audit',
      audit: 'stage1',
      auditors: [{ name: 'Ada External', email: 'ada.external@auditors.test' }],
      independent: true,
      findings: [
        { grade: 'observation', requirementId: '6.2', description: 'AI objectives lack target dates' },
      ],
    });
    const stage2 = await port.submit({
      kind: 'audit',
      audit: 'stage2',
      auditors: [{ name: 'Ada External', email: 'ada.external@auditors.test' }],
      independent: true,
      findings: [
        {
          grade: 'minor_nc',
          requirementId: 'A.7.5',
          description: 'Provenance of one training set is not recorded',
        },
      ],
    });
    findingIds.stage2Minor = (stage2.findingIds ?? [])[0];
    const blocked = await api('POST', '/certification-decision', {
      outcome: 'granted',
      certificateNumber: 'AIMS-2027-042',
    });
    expect(blocked.status).toBe(409);
    expect((blocked.body as { detail: string }).detail).toMatch(/without a corrective action/);
    await port.submit({
      kind: 'correctiveAction',
      findingId: findingIds.stage2Minor,
      action: {
        correction: 'Record the provenance of the churn training set',
        rootCause: 'Dataset intake form has no provenance field',
        action: 'Add a mandatory provenance field to dataset intake',
        owner: CA_OWNER,
        due: new Date(Date.now() + 60 * 86_400_000).toISOString(),
        planAcceptedBy: 'Ada External',
      },
    });
    await port.submit({
      kind: 'certificationDecision',
      decision: { outcome: 'granted', certificateNumber: 'AIMS-2027-042' },
    });
    const detail = await port.waitForStep('SURVEILLANCE_1');
    expect(detail).toMatchObject({
      stage: 'SURVEILLANCE',
      certificate: { number: 'AIMS-2027-042', status: 'ACTIVE' },
    });
  });

  test('the audit pack holds the reports, artefacts, records and evidence, and every manifest hash verifies', async () => {
    const res = await fetch(`${stack.baseUrl()}/programmes/${pid}/audit-pack`, { headers: reader() });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const files = await unzip(Buffer.from(await res.arrayBuffer()));
    const manifest = JSON.parse((files.get('manifest.json') as Buffer).toString()) as AuditPackManifest;
    expect(manifest.files.length).toBeGreaterThan(10);
    for (const entry of manifest.files) {
      const data = files.get(entry.path);
      expect({ path: entry.path, present: data !== undefined }).toEqual({ path: entry.path, present: true });
      expect({ path: entry.path, sha256: sha256(data as Buffer), size: (data as Buffer).length }).toEqual({
        path: entry.path,
        sha256: entry.sha256,
        size: entry.size,
      });
    }
    expect([...files.keys()].sort()).toEqual(
      [...manifest.files.map((f) => f.path), 'INDEX.md', 'manifest.json'].sort(),
    );

    const reports = await items<ReportVersion>('/reports');
    const latest = (kind: string, key = '') =>
      reports.filter((r) => r.kind === kind && r.key === key).sort((a, b) => b.version - a.version)[0];
    for (const kind of ['internal-audit', 'management-review', 'soa', 'risk-treatment-plan']) {
      const v = latest(kind);
      expect({ kind, listed: v !== undefined }).toEqual({ kind, listed: true });
      // The pack carries the PDF and JSON of each report (the lists stay downloadable as XLSX and CSV).
      for (const f of v.files.filter((x) => x.format === 'pdf' || x.format === 'json')) {
        const path = `reports/${kind}/${kind}-v${v.version}.${f.format}`;
        expect({ path, sha256: manifest.files.find((e) => e.path === path)?.sha256 }).toEqual({
          path,
          sha256: f.sha256,
        });
      }
    }
    for (const system of ['support-bot', 'fraud-model']) {
      expect(
        manifest.files.some((f) =>
          f.path.startsWith(`reports/impact-assessment/impact-assessment-${system}-v`),
        ),
      ).toBe(true);
    }
    const paths = manifest.files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'artefacts/scope/scope-v1.json',
        'artefacts/policy/ai-policy-v1.json',
        'artefacts/riskTreatmentPlan/riskTreatmentPlan-v1.json',
        'artefacts/soa/soa-v1.json',
        'artefacts/managementReview/managementReview-v1.json',
        'records/findings.json',
        'records/certificates.json',
        'evidence/training-records/v1/training-records.txt',
        'evidence/log-retention/v1/log-retention.txt',
      ]),
    );
    expect(
      manifest.files.find((f) => f.path.startsWith('reports/internal-audit/') && f.path.endsWith('.pdf')),
    ).toMatchObject({
      category: 'report',
      supports: ['9.2.1', '9.2.2', '10.2'],
    });
    const packedAuditPdf = files.get(
      `reports/internal-audit/internal-audit-v${latest('internal-audit').version}.pdf`,
    ) as Buffer;
    expect((await pdfText(packedAuditPdf)).text).toContain('Internal audit report');
  });

  test('the first surveillance audit verifies the stage-2 minor; the programme is certified in surveillance with its certificate listed', async () => {
    await port.submit({
      kind: 'audit',
      audit: 'surveillance',
      auditors: [{ name: 'Ada External', email: 'ada.external@auditors.test' }],
      independent: true,
      findings: [
        {
          grade: 'conformity',
          requirementId: 'A.7.5',
          description: 'Provenance recorded for every training set',
        },
      ],
      verifications: [
        {
          findingId: findingIds.stage2Minor,
          verifiedBy: 'Ada External',
          effective: true,
          closureApprovedBy: PEOPLE.sponsor.email,
        },
      ],
    });
    const detail = await port.waitForStep('SURVEILLANCE_2');
    expect(detail).toMatchObject({
      stage: 'SURVEILLANCE',
      status: 'ACTIVE',
      cycle: 1,
      certificate: { number: 'AIMS-2027-042', status: 'ACTIVE' },
    });
    const certificates = await items<{ number: string; status: string }>('/certificates');
    expect(certificates).toEqual([expect.objectContaining({ number: 'AIMS-2027-042', status: 'ACTIVE' })]);
    const audits = await items<{ id: string; audit: string }>('/audits');
    const surveillance = audits.find((a) => a.audit === 'surveillance');
    const minor = (await items<Finding>('/findings')).find((f) => f.id === findingIds.stage2Minor);
    expect(minor).toMatchObject({
      status: 'verified',
      verification: { auditId: surveillance?.id, verifiedBy: 'Ada External' },
    });
    expect((await items<{ to: string }>('/history')).map((t) => t.to)).toEqual([
      'SCOPING',
      'GAP_ANALYSIS',
      'IMPLEMENTATION',
      'INTERNAL_AUDIT',
      'MANAGEMENT_REVIEW',
      'CERTIFICATION',
      'SURVEILLANCE_1',
      'SURVEILLANCE_2',
    ]);
  });
});
