/**
 * Reports rendered from realistic records and read back: PDF text extracted with pdf-parse,
 * XLSX read with exceljs, CSV parsed with csv-parse, JSON parsed. The content is asserted, not
 * just the existence of a file.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { CONTROLS } from '../../domain/catalogue/iso42001';
import type { SoaEntry } from '../../domain/schemas';
import type { ApprovalState } from '../../domain/facts';
import type { RoadmapTask } from '../../domain/records';
import { buildInventoryView } from '../../domain/inventory/view';
import { toDocument } from '../../services/reports/documents';
import { buildModel, ReportUnavailableError, type ReportSources } from '../../services/reports/models';
import { renderReport } from '../../services/reports/render';
import type { ReportFormat, ReportKind } from '../../domain/report-kinds';
import {
  PEOPLE,
  assessmentItems,
  impactAssessment,
  riskTreatmentPlan,
  scopeBody,
  soaEntries,
} from '../support/fixtures';
import { pdfText } from '../support/pdf-text';

const NOW = Date.parse('2027-07-01T00:00:00Z');
const STAMP = { version: 4, generatedAt: '2027-07-01T09:30:00.000Z' };

const tasks: RoadmapTask[] = [
  {
    id: 'T-1',
    requirementId: '8.4',
    title: 'Assess every system',
    owner: PEOPLE.complianceLead.email,
    deadline: '2027-06-30T00:00:00Z',
    status: 'open',
  },
  {
    id: 'T-2',
    requirementId: 'A.7.5',
    title: 'Record data lineage',
    owner: 'data@acme.test',
    deadline: '2027-09-30T00:00:00Z',
    status: 'open',
  },
];

const soa: SoaEntry[] = [
  ...soaEntries().map((e) =>
    e.controlId === 'A.7.4'
      ? { ...e, owner: 'data@acme.test', evidenceRefs: ['dms://dq/report-2027'] }
      : e.controlId === 'A.6.2.4'
        ? {
            ...e,
            implementationStatus: 'partially_implemented' as const,
            justification: '=HYPERLINK("http://evil.example","click")',
          }
        : e,
  ),
  {
    controlId: 'ORG-1',
    title: 'Red-team every release',
    applicable: true,
    justification: 'Our own control for model abuse',
    implementationStatus: 'planned',
    linkedAiSystemIds: ['support-bot'],
  },
];

const decisions: ApprovalState[] = [
  {
    gate: 'soa',
    artefact: 'soa',
    artefactVersion: 2,
    approverRole: 'topManagement',
    outcome: 'approved',
    approver: PEOPLE.topManagement.email,
    decidedAt: '2027-03-01T12:00:00Z',
  },
];

function sources(): ReportSources {
  const scope = { ...scopeBody() };
  return {
    programme: { programmeId: 'p-1', organisation: 'Acme Ltd', name: 'AIMS certification', config: {} },
    assessments: assessmentItems().map((a) => ({
      ...a,
      evidence: a.requirementId === '7.2' ? ['ISMS training records 2026'] : [],
      ...(a.requirementId === '7.2' ? { reuseFrom27001: true } : {}),
      cycle: 1,
      assessedAt: '2027-01-10T00:00:00Z',
    })),
    tasks,
    decisions,
    scope: { version: 1, submittedAt: '2027-01-01T00:00:00Z', sha256: 'a'.repeat(64), body: scope },
    soa: { version: 2, submittedAt: '2027-02-15T00:00:00Z', sha256: 'b'.repeat(64), body: { entries: soa } },
    riskTreatmentPlan: {
      version: 1,
      submittedAt: '2027-02-01T00:00:00Z',
      sha256: 'c'.repeat(64),
      body: riskTreatmentPlan,
    },
    impactAssessment: {
      version: 1,
      submittedAt: '2027-02-20T00:00:00Z',
      sha256: 'd'.repeat(64),
      body: {
        ...impactAssessment('fraud-model'),
        societalHarms: ['Exclusion of cash-poor groups'],
        approvedBy: PEOPLE.sponsor.email,
        approvedOn: '2027-02-21T00:00:00Z',
      },
    },
    inventory: buildInventoryView([], scope),
    now: NOW,
  };
}

async function render(kind: ReportKind, format: ReportFormat, key = '') {
  return renderReport(toDocument(buildModel(kind, key, sources()), STAMP), format, STAMP);
}

const textOf = async (buffer: Buffer): Promise<string> => (await pdfText(buffer)).text;

/** Our sheets hold plain strings, numbers and booleans; anything else shows as JSON. */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
    ? String(v)
    : JSON.stringify(v);
}

async function sheet(buffer: Buffer, name: string): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  const ws = workbook.getWorksheet(name);
  if (!ws) throw new Error(`no sheet ${name}; sheets: ${workbook.worksheets.map((w) => w.name).join(', ')}`);
  const rows: string[][] = [];
  ws.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map(cellText)));
  return rows;
}

const csvRows = (buffer: Buffer): string[][] => parseCsv(buffer.toString('utf8'));

describe('gap analysis report', () => {
  const ORDER = ['6.1.4', '8.4', 'A.5.2', 'A.6.2.8', 'A.7.5'];

  test('PDF: executive summary, the chart of status by control group, the prioritised list in order', async () => {
    const pdf = await render('gap-analysis', 'pdf');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = await textOf(pdf);
    expect(text).toContain('Gap analysis and roadmap');
    expect(text).toContain('Report version 4');
    expect(text).toContain(
      '70 of 70 requirements (clauses 4-10 and Annex A) are assessed; overall compliance is 94.2 %',
    );
    expect(text).toContain(
      '5 gaps: 3 not compliant and 2 partially compliant; 3 still without a roadmap task.',
    );
    expect(text).toContain(
      '2 roadmap tasks are open, 1 of them overdue. 1 management-system clauses reuse ISO/IEC 27001 evidence.',
    );
    // The chart: every control group as an axis label, and the legend.
    const chart = text.slice(
      text.indexOf('Annex A controls by assessment status'),
      text.indexOf('Scores by clause'),
    );
    for (const group of ['A.2', 'A.3', 'A.4', 'A.5', 'A.6', 'A.7', 'A.8', 'A.9', 'A.10'])
      expect(chart).toContain(group);
    for (const legend of [
      'Compliant',
      'Partially compliant',
      'Not compliant',
      'Not applicable',
      'Not assessed',
    ])
      expect(chart).toContain(legend);
    expect(text).toMatch(/A\.5 Assessing impacts of AI systems 3 0 1 0 0 75 %/);
    const list = text.slice(text.indexOf('Prioritised gap list'));
    const positions = ORDER.map((id) => list.indexOf(`${id} `));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(list).toContain('T-1 lead@acme.test 2027-06-30 OVERDUE');
  });

  test('XLSX: the prioritised gaps, the roadmap and every assessment', async () => {
    const xlsx = await render('gap-analysis', 'xlsx');
    const gaps = await sheet(xlsx, 'Prioritised gaps');
    expect(gaps[0].slice(0, 6)).toEqual(['rank', 'requirementId', 'title', 'kind', 'status', 'score']);
    expect(gaps.slice(1).map((r) => [r[0], r[1], r[5]])).toEqual([
      ['1', '6.1.4', '94'],
      ['2', '8.4', '94'],
      ['3', 'A.5.2', '94'],
      ['4', 'A.6.2.8', '46.8'],
      ['5', 'A.7.5', '45.6'],
    ]);
    expect((await sheet(xlsx, 'Roadmap')).slice(1).map((r) => [r[1], r[6]])).toEqual([
      ['T-1', 'overdue'],
      ['T-2', ''],
    ]);
    const assessments = await sheet(xlsx, 'Assessments');
    expect(assessments).toHaveLength(71);
    expect(assessments.find((r) => r[0] === '7.2')?.slice(5)).toEqual(['ISMS training records 2026', 'Yes']);
    expect(assessments.find((r) => r[0] === 'A.10.4')?.[2]).toBe('Not applicable');
  });

  test('CSV and JSON carry the same order and the version identity', async () => {
    const rows = csvRows(await render('gap-analysis', 'csv'));
    expect(rows.slice(1).map((r) => r[1])).toEqual(ORDER);
    expect(rows[2].slice(-4)).toEqual(['T-1', 'lead@acme.test', '2027-06-30', 'true']);
    const json = JSON.parse((await render('gap-analysis', 'json')).toString('utf8')) as {
      report: { kind: string; version: number; generatedAt: string };
      gaps: { requirementId: string }[];
    };
    expect(json.report).toMatchObject({ kind: 'gap-analysis', version: 4, generatedAt: STAMP.generatedAt });
    expect(json.gaps.map((g) => g.requirementId)).toEqual(ORDER);
    expect(await render('gap-analysis', 'json')).toEqual(await render('gap-analysis', 'json'));
  });
});

describe('Statement of Applicability', () => {
  test('XLSX: every Annex A control plus own controls, applicability, status, owner, links and evidence', async () => {
    const rows = await sheet(await render('soa', 'xlsx'), 'Statement of Applicability');
    expect(rows[0]).toEqual([
      'Control',
      'Title',
      'Origin',
      'Applicable',
      'Justification',
      'Implementation',
      'Owner',
      'Risks',
      'AI systems',
      'Evidence',
    ]);
    const body = rows.slice(1);
    expect(body.map((r) => r[0])).toEqual([...CONTROLS.map((c) => c.id), 'ORG-1']);
    expect(body.filter((r) => r[3] === 'No').map((r) => r[0])).toEqual(['A.10.4']);
    expect(body.find((r) => r[0] === 'A.10.4')?.[5]).toBe('Excluded');
    // A.7.4 treats r-bias in the risk plan: the risk and its AI system are linked from there.
    expect(body.find((r) => r[0] === 'A.7.4')).toEqual([
      'A.7.4',
      'Data quality',
      'Annex A',
      'Yes',
      'Needed to treat identified AI risks',
      'Implemented',
      'data@acme.test',
      'r-bias',
      'fraud-model',
      'dms://dq/report-2027',
    ]);
    expect(body.find((r) => r[0] === 'ORG-1')?.slice(0, 9)).toEqual([
      'ORG-1',
      'Red-team every release',
      'Own',
      'Yes',
      'Our own control for model abuse',
      'Planned',
      '',
      '',
      'support-bot',
    ]);
  });

  test('PDF: version, approval, the status chart and all 39 rows', async () => {
    const text = await textOf(await render('soa', 'pdf'));
    expect(text).toContain('Statement of Applicability');
    expect(text).toContain('2, submitted 2027-02-15T00:00:00Z');
    expect(text).toContain('Top management: approved by ceo@acme.test on 2027-03-01');
    expect(text).toContain('38 Annex A and 1 own; 38 applicable, 1 excluded');
    expect(text).toContain('Controls by implementation status');
    for (const legend of ['Implemented', 'Partially implemented', 'Planned', 'Not implemented', 'Excluded'])
      expect(text).toContain(legend);
    for (const id of [...CONTROLS.map((c) => c.id), 'ORG-1'])
      expect(text).toMatch(new RegExp(`(^|\\s)${id.replace(/\./g, '\\.')}\\s`, 'm'));
  });

  test("a decision recorded on the approver's behalf says so, with who recorded it and the evidence", async () => {
    const onBehalf: ApprovalState = {
      ...decisions[0],
      channel: 'on-behalf',
      recordedBy: '0123456789abcdef',
      onBehalfEvidence: 'Board minutes 2027-02-28, item 4',
    };
    const doc = toDocument(buildModel('soa', '', { ...sources(), decisions: [onBehalf] }), STAMP);
    const text = (await pdfText(await renderReport(doc, 'pdf', STAMP))).text.replace(/\s+/g, ' ');
    expect(text).toContain(
      'approved by ceo@acme.test on 2027-03-01; recorded on their behalf by API key 0123456789abcdef, evidence: Board minutes 2027-02-28, item 4',
    );
  });

  test('CSV neutralises formulas a user typed into a justification', async () => {
    const rows = csvRows(await render('soa', 'csv'));
    expect(rows[0]).toEqual([
      'controlId',
      'title',
      'origin',
      'group',
      'applicable',
      'justification',
      'implementationStatus',
      'owner',
      'linkedRiskIds',
      'linkedAiSystemIds',
      'evidenceRefs',
    ]);
    expect(rows).toHaveLength(40);
    expect(rows.find((r) => r[0] === 'A.6.2.4')?.[5]).toBe('\'=HYPERLINK("http://evil.example","click")');
    expect(rows.find((r) => r[0] === 'A.10.4')?.[4]).toBe('false');
  });

  test('without a submitted SoA there is nothing to report', () => {
    const s = sources();
    delete s.soa;
    expect(() => buildModel('soa', '', s)).toThrow(ReportUnavailableError);
  });
});

test('risk treatment plan: inherent and residual risk, treatment, controls and the acceptance decision', async () => {
  const rows = await sheet(await render('risk-treatment-plan', 'xlsx'), 'Risks');
  expect(rows[1]).toEqual([
    'r-bias',
    'Unfair fraud flags for some customer groups',
    'fraud-model',
    '3 x 4',
    '12',
    'mitigate',
    'A.7.4; A.6.2.4',
    '2 x 3',
    '6',
    '',
    '',
  ]);
  const text = await textOf(await render('risk-treatment-plan', 'pdf'));
  expect(text).toContain('Sponsor: no decision recorded for this version yet');
  expect(text).toContain('1; 0 high before treatment, 0 high after');
});

test('impact assessment per system: the ISO/IEC 42005 sections', async () => {
  const text = await textOf(await render('impact-assessment', 'pdf', 'fraud-model'));
  for (const heading of [
    'Intended use',
    'Reasonably foreseeable misuse',
    'Affected parties',
    'Harms to individuals and groups',
    'Benefits to society',
    'Likelihood and severity',
    'Measures',
    'Responsibility and approval',
  ])
    expect(text).toContain(heading);
  expect(text).toContain('Fraud scoring model (fraud-model)');
  expect(text).toContain('- Exclusion of cash-poor groups');
  expect(text).toContain('by sponsor@acme.test on 2027-02-21');
});

test('inventory: the completeness KPI and every registered system', async () => {
  const rows = csvRows(await render('inventory', 'csv'));
  expect(rows.slice(1).map((r) => [r[0], r[6], r[7], r[8]])).toEqual([
    ['fraud-model', 'Yes', 'Yes', 'No'],
    ['hr-screening', 'No', 'Yes', 'No'],
    ['support-bot', 'Yes', 'Yes', 'No'],
  ]);
  const text = await textOf(await render('inventory', 'pdf'));
  expect(text).toContain('Inventory completeness 100 %');
});
