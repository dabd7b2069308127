/**
 * The metadata a programme's children start with: the attributes that tie them to the programme
 * and a summary that stays under the server's 400-byte cap whatever the names.
 */
import {
  clampSummaryPart,
  kpiScheduleChildMetadata,
  reportChildMetadata,
  stageChildMetadata,
} from '../../domain/child-metadata';
import {
  AimsCycle,
  AimsOrganisation,
  AimsProgrammeId,
  AimsStage,
  AimsStep,
} from '../../domain/search-attributes';

const bytes = (s: string) => Buffer.byteLength(JSON.stringify(s), 'utf8');

const names = (m: { typedSearchAttributes: { key: { name: string }; value: unknown }[] }) =>
  Object.fromEntries(m.typedSearchAttributes.map((p) => [p.key.name, p.value]));

test('a stage carries the programme, its cycle, stage and step, and says what it is', () => {
  const m = stageChildMetadata({
    programmeId: 'p-1',
    organisation: 'Acme Ltd',
    name: 'AIMS 2026',
    cycle: 2,
    step: 'SURVEILLANCE_1',
  });
  expect(names(m)).toEqual({
    [AimsProgrammeId.name]: 'p-1',
    [AimsOrganisation.name]: 'Acme Ltd',
    [AimsCycle.name]: 2,
    [AimsStage.name]: 'SURVEILLANCE',
    [AimsStep.name]: 'SURVEILLANCE_1',
  });
  expect(m.staticSummary).toBe('Acme Ltd · AIMS 2026 · cycle 2 · First surveillance audit');
});

test('the KPI clock and a report carry the programme only', () => {
  const identity = { [AimsProgrammeId.name]: 'p-1', [AimsOrganisation.name]: 'Acme Ltd' };
  const kpis = kpiScheduleChildMetadata({ programmeId: 'p-1', organisation: 'Acme Ltd', name: 'AIMS 2026' });
  expect(names(kpis)).toEqual(identity);
  expect(kpis.staticSummary).toBe('Acme Ltd · AIMS 2026 · KPI snapshots');
  const report = reportChildMetadata({
    programmeId: 'p-1',
    organisation: 'Acme Ltd',
    kind: 'soa',
    version: 3,
  });
  expect(names(report)).toEqual(identity);
  expect(report.staticSummary).toBe('Acme Ltd · Statement of Applicability report · v3 for approval');
});

test('long names are shortened, on a code point, and the step title survives', () => {
  for (const ch of ['a', 'é', '語', '😀', '"']) {
    const long = ch.repeat(200);
    const m = stageChildMetadata({
      programmeId: 'p',
      organisation: long,
      name: long,
      cycle: 1,
      step: 'SCOPING',
    });
    expect(bytes(m.staticSummary)).toBeLessThanOrEqual(400);
    expect(m.staticSummary).toMatch(/…/);
    expect(m.staticSummary.endsWith(' · cycle 1 · Scoping and executive alignment')).toBe(true);
    // No half of a surrogate pair: it would not survive the trip through UTF-8.
    expect(Buffer.from(m.staticSummary, 'utf8').toString('utf8')).toBe(m.staticSummary);
  }
});

test('clampSummaryPart keeps what fits and cuts what does not', () => {
  expect(clampSummaryPart('Acme Ltd', 8)).toBe('Acme Ltd');
  expect(clampSummaryPart('Acme Ltd', 7)).toBe('Acme…');
  expect(clampSummaryPart('😀😀', 8)).toBe('😀😀');
  expect(clampSummaryPart('😀😀', 7)).toBe('😀…');
  expect(clampSummaryPart('', 3)).toBe('');
});
