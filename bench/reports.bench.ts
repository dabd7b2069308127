/**
 * Report rendering time for a large programme: 32 clauses and 38 controls assessed, 200 AI
 * systems in scope, a risk per system linked to controls, an SoA whose rows link risks and
 * systems. Times the model plus rendering of the SoA as XLSX and of the gap report as PDF (the
 * two heaviest renditions), median of several runs. Run alone with `node dist/bench/reports.bench.js`.
 */
import { performance } from 'node:perf_hooks';
import { CONTROLS, REQUIREMENTS } from '../domain/catalogue/iso42001';
import type { AssessmentStatus, ScopeBody, SoaEntry } from '../domain/schemas';
import type { RoadmapTask } from '../domain/records';
import { buildInventoryView } from '../domain/inventory/view';
import { toDocument } from '../services/reports/documents';
import { buildModel, type ReportSources } from '../services/reports/models';
import { renderReport } from '../services/reports/render';
import type { ReportFormat, ReportKind } from '../domain/report-kinds';
import type { BenchResult } from './types';

export const SYSTEMS = 200;
const RUNS = 5;

const person = (name: string) => ({ name, email: `${name.toLowerCase()}@acme.test` });

export function largeProgramme(): ReportSources {
  const systems = Array.from({ length: SYSTEMS }, (_, i) => ({
    id: `system-${String(i).padStart(3, '0')}`,
    name: `AI system ${i}`,
    type: (['model', 'feature', 'internal_use'] as const)[i % 3],
    inScope: i % 10 !== 0,
  }));
  const scope: ScopeBody = {
    statement: 'Every AI system of Acme Group',
    aiSystems: systems,
    aiRoles: ['provider', 'customer'],
    boundaries: 'All subsidiaries',
    locations: ['Dublin'],
    internalIssues: [],
    externalIssues: [],
    interestedParties: [],
    integratesWith: ['ISO27001'],
    sponsor: person('Sponsor'),
    complianceLead: person('Lead'),
    topManagement: person('Chief'),
    committee: [],
  };
  const statuses: AssessmentStatus[] = ['compliant', 'compliant', 'partially_compliant', 'not_compliant'];
  const assessments = REQUIREMENTS.map((r, i) => ({
    requirementId: r.id,
    status: statuses[i % statuses.length],
    assessor: 'lead@acme.test',
    evidence: [`dms://evidence/${r.id}`],
    cycle: 1,
    assessedAt: '2027-01-01T00:00:00Z',
  }));
  const tasks: RoadmapTask[] = assessments
    .filter((a) => a.status !== 'compliant')
    .map((a, i) => ({
      id: `T-${i + 1}`,
      requirementId: a.requirementId,
      title: `Close the gap on ${a.requirementId}`,
      owner: 'lead@acme.test',
      deadline: '2027-09-30T00:00:00Z',
      status: 'open',
    }));
  const risks = systems.map((s, i) => ({
    id: `risk-${i}`,
    title: `Harm from ${s.name}`,
    aiSystemIds: [s.id],
    likelihood: (i % 5) + 1,
    severity: ((i * 3) % 5) + 1,
    treatment: 'mitigate' as const,
    controls: [CONTROLS[i % CONTROLS.length].id, CONTROLS[(i * 7) % CONTROLS.length].id],
    residualLikelihood: 1,
    residualSeverity: 2,
  }));
  const entries: SoaEntry[] = CONTROLS.map((c, i) => ({
    controlId: c.id,
    applicable: true,
    justification: 'Treats identified AI risks across the group',
    implementationStatus: (['implemented', 'partially_implemented', 'planned'] as const)[i % 3],
    owner: 'lead@acme.test',
    linkedAiSystemIds: systems.filter((_, j) => j % CONTROLS.length === i).map((s) => s.id),
    evidenceRefs: [`dms://controls/${c.id}`],
  }));
  return {
    programme: { programmeId: 'bench', organisation: 'Acme Group', name: 'AIMS', config: {} },
    assessments,
    tasks,
    decisions: [],
    scope: { version: 1, submittedAt: '2027-01-01T00:00:00Z', sha256: '0'.repeat(64), body: scope },
    soa: { version: 1, submittedAt: '2027-02-01T00:00:00Z', sha256: '1'.repeat(64), body: { entries } },
    riskTreatmentPlan: {
      version: 1,
      submittedAt: '2027-02-01T00:00:00Z',
      sha256: '2'.repeat(64),
      body: { risks },
    },
    inventory: buildInventoryView([], scope),
    now: Date.parse('2027-07-01T00:00:00Z'),
  };
}

async function timeRender(
  kind: ReportKind,
  format: ReportFormat,
  sources: ReportSources,
): Promise<{ ms: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const stamp = { version: i + 1, generatedAt: '2027-07-01T00:00:00.000Z' };
    const out = await renderReport(toDocument(buildModel(kind, '', sources), stamp), format, stamp);
    times.push(performance.now() - start);
    bytes = out.length;
  }
  times.sort((a, b) => a - b);
  return { ms: Math.round(times[Math.floor(RUNS / 2)]), bytes };
}

export async function run(): Promise<BenchResult[]> {
  const sources = largeProgramme();
  const goalMs = 1000;
  const rows: [string, ReportKind, ReportFormat][] = [
    [`SoA XLSX (38 controls, ${SYSTEMS} AI systems, ${SYSTEMS} risks)`, 'soa', 'xlsx'],
    ['Gap report PDF (32 clauses, 38 controls, chart, roadmap)', 'gap-analysis', 'pdf'],
    [`SoA PDF (38 controls, ${SYSTEMS} AI systems)`, 'soa', 'pdf'],
    [`Inventory PDF (${SYSTEMS} AI systems)`, 'inventory', 'pdf'],
  ];
  const results: BenchResult[] = [];
  for (const [name, kind, format] of rows) {
    const { ms, bytes } = await timeRender(kind, format, sources);
    results.push({
      name: `${name}, ${Math.round(bytes / 1024)} KiB`,
      value: ms,
      unit: 'ms',
      goal: `< ${goalMs} ms`,
      pass: ms < goalMs,
    });
  }
  return results;
}

if (require.main === module) {
  run().then(
    (results) => {
      for (const r of results) process.stdout.write(`${JSON.stringify(r)}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    },
  );
}
