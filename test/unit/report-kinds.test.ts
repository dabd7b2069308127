/**
 * The table of report kinds (domain/report-kinds.ts) and the table of their builders
 * (services/reports/kinds/): every kind is complete, refers only to things that exist, and has
 * its builder.
 */
import { ARTEFACTS } from '../../domain/artefacts';
import { isRequirementId } from '../../domain/catalogue/iso42001';
import { INPUTS } from '../../domain/inputs';
import { STEPS } from '../../domain/process-model';
import {
  REPORT_FOR_GATE,
  REPORT_FORMATS,
  REPORT_KINDS,
  REPORTS,
  needsKey,
  takesCycleKey,
} from '../../domain/report-kinds';
import { REPORT_BUILDERS } from '../../services/reports/kinds';

const APPROVALS = STEPS.flatMap((step) => step.approvals);

describe.each(REPORT_KINDS.map((kind) => [kind]))('report kind %s', (kind) => {
  const def = REPORTS[kind];

  test('has a title', () => {
    expect(def.title.trim()).not.toBe('');
  });

  test('comes in formats drawn from REPORT_FORMATS, always PDF and JSON (the audit pack carries both)', () => {
    expect(def.formats.length).toBeGreaterThan(0);
    for (const format of def.formats) expect(REPORT_FORMATS).toContain(format);
    expect(new Set(def.formats).size).toBe(def.formats.length);
    expect(def.formats).toEqual(expect.arrayContaining(['pdf', 'json']));
  });

  test('supports only clauses and controls of the catalogue', () => {
    const unknown = def.supports.filter((id) => !isRequirementId(id));
    expect(unknown).toEqual([]);
    expect(new Set(def.supports).size).toBe(def.supports.length);
  });

  test('backs only artefacts that an approval gate of the process model decides on', () => {
    for (const artefact of def.approves) {
      expect(ARTEFACTS[artefact]).toBeDefined();
      expect(APPROVALS.map((a) => a.artefact)).toContain(artefact);
    }
  });

  test('is kept per AI system only for the records of an input kind that exists', () => {
    if (def.key.per === 'aiSystem') expect(INPUTS[def.key.input]).toBeDefined();
    expect(needsKey(kind)).toBe(def.key.per === 'aiSystem');
    expect(takesCycleKey(kind)).toBe(def.key.per === 'cycle');
  });

  test('has a builder in the services table', () => {
    const builder = REPORT_BUILDERS[kind];
    expect(builder).toBeDefined();
    expect(typeof builder.model).toBe('function');
    expect(typeof builder.document).toBe('function');
  });
});

test('the builders table has no kind the report kinds lack', () => {
  expect(Object.keys(REPORT_BUILDERS).sort()).toEqual([...REPORT_KINDS].sort());
  expect(Object.keys(REPORTS).sort()).toEqual([...REPORT_KINDS].sort());
});

test('titles and audit pack positions are unique', () => {
  expect(new Set(REPORT_KINDS.map((k) => REPORTS[k].title)).size).toBe(REPORT_KINDS.length);
  expect(new Set(REPORT_KINDS.map((k) => REPORTS[k].packOrder)).size).toBe(REPORT_KINDS.length);
});

test('an artefact is backed by at most one report kind', () => {
  const backed = REPORT_KINDS.flatMap((k) => REPORTS[k].approves);
  expect(new Set(backed).size).toBe(backed.length);
});

test('each approval gate maps to the report of the artefact it decides on', () => {
  expect(REPORT_FOR_GATE).toEqual({
    roadmap: 'gap-analysis',
    soa: 'soa',
    risk_treatment_plan: 'risk-treatment-plan',
  });
  for (const [gate, kind] of Object.entries(REPORT_FOR_GATE)) {
    const approval = APPROVALS.find((a) => a.gate === gate);
    expect(approval).toBeDefined();
    expect(REPORTS[kind as keyof typeof REPORTS].approves).toContain(approval?.artefact);
  }
});
