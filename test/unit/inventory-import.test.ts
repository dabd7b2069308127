/**
 * Inventory imports in the three documented formats, and the problems a bad file reports: one
 * pointer per row and field, so the whole file is fixed in one round trip.
 */
import { entriesToObservations, parseInventoryImport } from '../../services/inventory/import';

const CSV = [
  'id,name,purpose,owner,lifecycleStage,aiRole,dataSources,models,thirdPartyServices,locations,inScope',
  'hr-screening,CV screening trial,Ranks applicants,hr@acme.test,verification_validation,customer,ATS exports,vendor-ranker-v2,TalentAI SaaS,https://talent.example,no',
  '"chat-assist","Chat assistant, internal","Answers staff questions",it@acme.test,operation_monitoring,provider,"Confluence; Jira",gpt-4o,OpenAI;Azure OpenAI,,yes',
].join('\n');

test('CSV: a header row, `;`-separated lists, yes/no booleans, quoted commas', () => {
  const result = parseInventoryImport('csv', CSV);
  expect(result).toEqual({
    ok: true,
    entries: [
      {
        id: 'hr-screening',
        name: 'CV screening trial',
        purpose: 'Ranks applicants',
        owner: 'hr@acme.test',
        lifecycleStage: 'verification_validation',
        aiRole: 'customer',
        dataSources: ['ATS exports'],
        models: ['vendor-ranker-v2'],
        thirdPartyServices: ['TalentAI SaaS'],
        locations: ['https://talent.example'],
        inScope: false,
      },
      {
        id: 'chat-assist',
        name: 'Chat assistant, internal',
        purpose: 'Answers staff questions',
        owner: 'it@acme.test',
        lifecycleStage: 'operation_monitoring',
        aiRole: 'provider',
        dataSources: ['Confluence', 'Jira'],
        models: ['gpt-4o'],
        thirdPartyServices: ['OpenAI', 'Azure OpenAI'],
        locations: [],
        inScope: true,
      },
    ],
  });
});

test('JSON and YAML: a list or { systems: [...] }, with the same defaults', () => {
  const json = parseInventoryImport(
    'json',
    JSON.stringify({ systems: [{ id: 'ocr', name: 'Invoice OCR' }] }),
  );
  const yaml = parseInventoryImport('yaml', '- id: ocr\n  name: Invoice OCR\n');
  const expected = {
    ok: true,
    entries: [
      {
        id: 'ocr',
        name: 'Invoice OCR',
        lifecycleStage: 'unknown',
        dataSources: [],
        models: [],
        thirdPartyServices: [],
        locations: [],
      },
    ],
  };
  expect(json).toEqual(expected);
  expect(yaml).toEqual(expected);
});

test('bad rows: a pointer per row and field, with the row and its line', () => {
  const csv = [
    'id,name,lifecycleStage,inScope,aiRole',
    'ok-system,Fine,deployment,yes,provider',
    'Bad Id,,launch,maybe,',
    'ok-system,Duplicate,unknown,no,customer',
  ].join('\n');
  const result = parseInventoryImport('csv', csv);
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.errors.map((e) => e.pointer)).toEqual([
    '/body/content/1/id',
    '/body/content/1/name',
    '/body/content/1/lifecycleStage',
    '/body/content/1/inScope',
    '/body/content/2/id',
  ]);
  expect(result.errors[0].detail).toMatch(/^row 2 \(line 3\), id: /);
  expect(result.errors[4].detail).toBe('row 3 (line 4), id: duplicate of row 1 (line 2)');
});

test('unknown CSV columns and JSON fields are named', () => {
  const csv = parseInventoryImport('csv', 'id,name,colour\nx,X,red\n');
  expect(csv).toEqual({
    ok: false,
    errors: [
      {
        pointer: '/body/content/header/colour',
        detail: expect.stringMatching(/^unknown column "colour"/) as unknown,
      },
    ],
  });
  const yaml = parseInventoryImport('yaml', 'systems:\n  - id: x\n    name: X\n    team: ml\n');
  expect(yaml).toEqual({
    ok: false,
    errors: [{ pointer: '/body/content/0/team', detail: 'item 1, team: unknown field' }],
  });
});

test('syntax errors and empty or wrongly shaped documents', () => {
  const cases: [Parameters<typeof parseInventoryImport>[0], string, RegExp][] = [
    ['json', '[{"id": "x",', /^not valid JSON/],
    ['yaml', 'a: [unclosed', /^not valid YAML/],
    ['csv', 'id,name\n"x,unterminated\n', /^not valid CSV/],
    ['json', '{"id": "x"}', /expected a list of AI systems/],
    ['json', '[]', /lists no AI systems/],
  ];
  for (const [format, content, detail] of cases) {
    const result = parseInventoryImport(format, content);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0].pointer).toBe('/body/content');
      expect(result.errors[0].detail).toMatch(detail);
    }
  }
});

test('imported entries are registered observations that name where they came from', () => {
  const result = parseInventoryImport('yaml', '- id: ocr\n  name: Invoice OCR\n  models: [b, a]\n');
  if (!result.ok) throw new Error('fixture must parse');
  expect(entriesToObservations(result.entries, 'import finance')).toEqual([
    {
      id: 'ocr',
      name: 'Invoice OCR',
      purpose: undefined,
      owner: undefined,
      lifecycleStage: 'unknown',
      aiRole: undefined,
      dataSources: [],
      models: ['a', 'b'],
      thirdPartyServices: [],
      frameworks: [],
      locations: ['import finance #1'],
      inScope: undefined,
      registered: true,
    },
  ]);
});
