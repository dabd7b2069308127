/**
 * One AI system seen by several sources, what counts as a change on a re-scan, the completeness
 * KPI, and the impact-assessment task a stage opens for a new system in scope.
 */
import { CLAUSES } from '../../domain/catalogue/iso42001';
import { ANNEX_C_OBJECTIVES, ANNEX_C_RISK_SOURCES } from '../../domain/catalogue/annex-c';
import { catalogueDocument, isIso27001Shared, requirementProfile } from '../../domain/catalogue/profiles';
import { applyDiscoveredSystems, discoveredTaskTitle } from '../../domain/discoveries';
import { newFacts, type ProgrammeFacts } from '../../domain/facts';
import { fingerprint } from '../../domain/fingerprint';
import { stepDef } from '../../domain/process-model';
import { ProgrammeConfig, ScopeBody } from '../../domain/schemas';
import { classifyChange, mergeObservations, slugify } from '../../domain/inventory/systems';
import type { AiSystemObservation } from '../../domain/inventory/types';
import { buildInventoryView } from '../../domain/inventory/view';
import { scopeBody } from '../support/fixtures';

const meta = { firstSeenAt: '2027-01-01T00:00:00Z', updatedAt: '2027-01-02T00:00:00Z', lastScanId: 'scan-2' };

const scanned: AiSystemObservation = {
  id: 'support-bot',
  name: 'support-bot',
  purpose: 'Answers tickets',
  owner: 'ana@acme.test',
  lifecycleStage: 'unknown',
  aiRole: 'customer',
  dataSources: [],
  models: ['hosted:gpt-4o-mini'],
  thirdPartyServices: ['OpenAI'],
  frameworks: ['langchain'],
  locations: ['support-bot/src/chat.ts:1'],
  inScope: true,
  registered: false,
};

const imported: AiSystemObservation = {
  id: 'support-bot',
  name: 'Support assistant',
  owner: 'cx-team@acme.test',
  lifecycleStage: 'operation_monitoring',
  aiRole: 'provider',
  dataSources: ['Zendesk tickets'],
  models: [],
  thirdPartyServices: ['Anthropic'],
  frameworks: [],
  locations: ['import register #1'],
  registered: true,
};

test('what the organisation registered wins for single values; lists are unions', () => {
  const merged = mergeObservations(
    [
      { sourceKey: 'path:abc', observation: scanned },
      { sourceKey: 'import:register', observation: imported },
    ],
    meta,
  );
  expect(merged).toEqual({
    id: 'support-bot',
    name: 'Support assistant',
    purpose: 'Answers tickets',
    owner: 'cx-team@acme.test',
    lifecycleStage: 'operation_monitoring',
    aiRole: 'provider',
    dataSources: ['Zendesk tickets'],
    models: ['hosted:gpt-4o-mini'],
    thirdPartyServices: ['Anthropic', 'OpenAI'],
    frameworks: ['langchain'],
    locations: ['import register #1', 'support-bot/src/chat.ts:1'],
    inScope: true,
    registered: true,
    discovered: true,
    sources: ['import:register', 'path:abc'],
    status: 'active',
    fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
    ...meta,
  });
});

test('moved lines are no change; a new component is; a vanished system is gone; a returning one is new', () => {
  const base = mergeObservations([{ sourceKey: 's', observation: scanned }], meta);
  const moved = mergeObservations(
    [{ sourceKey: 's', observation: { ...scanned, locations: ['support-bot/src/chat.ts:9'] } }],
    meta,
  );
  const added = mergeObservations(
    [{ sourceKey: 's', observation: { ...scanned, thirdPartyServices: ['OpenAI', 'Anthropic'] } }],
    meta,
  );
  expect(classifyChange(undefined, base)).toBe('new');
  expect(classifyChange(base, moved)).toBe('unchanged');
  expect(classifyChange(base, added)).toBe('changed');
  expect(classifyChange(base, undefined)).toBe('gone');
  expect(classifyChange({ ...base, status: 'gone' }, base)).toBe('new');
  expect(classifyChange({ ...base, status: 'gone' }, undefined)).toBeUndefined();
});

test('completeness: the share of discovered systems that are registered (by import or scope)', () => {
  const scope = ScopeBody.parse(scopeBody());
  const discovered = (id: string) =>
    mergeObservations([{ sourceKey: 's', observation: { ...scanned, id, name: id } }], meta);
  const view = buildInventoryView(
    [discovered('support-bot'), discovered('shadow-llm'), { ...discovered('old-model'), status: 'gone' }],
    scope,
  );
  expect(view.kpi).toEqual({
    registered: 3,
    discovered: 2,
    discoveredAndRegistered: 1,
    unregistered: ['shadow-llm'],
    completeness: 0.5,
  });
  expect(view.systems.map((s) => [s.id, s.registered, s.discovered, s.inScope, s.inScopeStatement])).toEqual([
    ['fraud-model', true, false, true, true],
    ['hr-screening', true, false, false, true],
    ['old-model', false, true, true, false],
    ['shadow-llm', false, true, true, false],
    ['support-bot', true, true, true, true],
  ]);
  expect(buildInventoryView([], undefined).kpi.completeness).toBe(1);
});

test('slugs fit the scope id format', () => {
  expect(slugify('@acme/Support Bot!')).toBe('acme-support-bot');
  expect(slugify('---')).toBe('system');
  expect(slugify('x'.repeat(80))).toHaveLength(64);
});

describe('a new AI system in scope opens its impact-assessment task', () => {
  const dossier = (): ProgrammeFacts => {
    const d = newFacts('p-1', 'Acme', ProgrammeConfig.parse({ impactAssessmentDue: 'P14D' }));
    const body = ScopeBody.parse(scopeBody());
    d.documents.scope = {
      version: 1,
      sha256: fingerprint(body),
      submittedAt: '2027-01-01T00:00:00Z',
      people: {
        sponsor: body.sponsor,
        complianceLead: body.complianceLead,
        topManagement: body.topManagement,
      },
    };
    return d;
  };
  const ctx = {
    step: stepDef('IMPLEMENTATION'),
    stepKey: 'c1.IMPLEMENTATION.1',
    now: Date.parse('2027-05-01T00:00:00Z'),
  };
  const event = {
    scanId: 'scan-7',
    systems: [
      { id: 'shadow-llm', name: 'shadow-llm', owner: '@acme/platform' },
      { id: 'fraud-model', name: 'fraud-model', owner: 'rui@acme.test' },
    ],
  };

  test('one task per system without an assessment, owned by the system owner or the compliance lead', () => {
    const d = dossier();
    d.impactAssessments['fraud-model'] = {
      version: 1,
      sha256: fingerprint({}),
      submittedAt: '2027-02-01T00:00:00Z',
    };
    const applied = applyDiscoveredSystems(d, ctx, event.scanId, event.systems);
    expect(applied.taskIds).toEqual(['T-1']);
    expect(d.tasks['T-1']).toEqual({
      id: 'T-1',
      requirementId: '8.4',
      owner: 'lead@acme.test',
      deadline: '2027-05-15T00:00:00.000Z',
      status: 'open',
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
    });
    // The title is written with the task's record, from the system the change names.
    const discovered = { scanId: 'scan-7', at: '2027-05-01T00:00:00.000Z' };
    expect(applied.changes).toEqual({
      systems: [
        { id: 'fraud-model', fact: { discovered } },
        { id: 'shadow-llm', fact: { discovered } },
      ],
      tasks: [{ fact: d.tasks['T-1'], discovered: { systemId: 'shadow-llm', name: 'shadow-llm' } }],
    });
    const [task] = applied.changes.tasks ?? [];
    expect(discoveredTaskTitle(task.discovered?.name ?? '', task.discovered?.systemId ?? '')).toBe(
      'Impact assessment of newly discovered AI system shadow-llm (shadow-llm)',
    );
    expect(
      Object.keys(d.systems)
        .filter((id) => d.systems[id].discovered)
        .sort(),
    ).toEqual(['fraud-model', 'shadow-llm']);
  });

  test('the same discovery again changes nothing', () => {
    const d = dossier();
    applyDiscoveredSystems(d, ctx, event.scanId, event.systems);
    const again = applyDiscoveredSystems(d, ctx, event.scanId, event.systems);
    expect(again).toEqual({ taskIds: [], changes: { systems: [], tasks: [] } });
    expect(Object.keys(d.tasks)).toEqual(['T-1', 'T-2']);
  });

  test('in gap analysis the new task changes the roadmap under approval', () => {
    const d = dossier();
    applyDiscoveredSystems(d, { ...ctx, step: stepDef('GAP_ANALYSIS') }, event.scanId, event.systems);
    expect(d.roadmapVersion).toBe(1);
  });
});

describe('catalogue additions', () => {
  test('Annex C: 11 objectives and 7 risk sources, ids unique and in order', () => {
    expect(ANNEX_C_OBJECTIVES.map((o) => o.id)).toEqual(Array.from({ length: 11 }, (_, i) => `C.2.${i + 1}`));
    expect(ANNEX_C_RISK_SOURCES.map((o) => o.id)).toEqual(
      Array.from({ length: 7 }, (_, i) => `C.3.${i + 1}`),
    );
  });

  test('only harmonised-structure clauses can reuse ISO 27001 evidence; AI-specific ones cannot', () => {
    for (const id of ['7.2', '7.5.3', '9.2.2', '9.3.3', '10.2']) expect(isIso27001Shared(id)).toBe(true);
    for (const id of ['4.1', '4.3', '5.2', '6.1.2', '6.1.4', '8.4', 'A.2.2'])
      expect(isIso27001Shared(id)).toBe(false);
  });

  test('every objective a requirement serves is an Annex C objective', () => {
    const ids = new Set(ANNEX_C_OBJECTIVES.map((o) => o.id));
    for (const c of CLAUSES)
      for (const o of requirementProfile(c.id)?.objectives ?? []) expect(ids).toContain(o);
  });

  test('the catalogue document: version, 32 clauses, 9 groups with A.6 split in two, 38 controls', () => {
    const doc = catalogueDocument();
    expect(doc.version).toBe('2023.1');
    expect(doc.clauses).toHaveLength(32);
    expect(doc.controls).toHaveLength(38);
    expect(doc.controlGroups.map((g) => [g.id, g.subObjectives.map((s) => s.id)])).toEqual([
      ['A.2', []],
      ['A.3', []],
      ['A.4', []],
      ['A.5', []],
      ['A.6', ['A.6.1', 'A.6.2']],
      ['A.7', []],
      ['A.8', []],
      ['A.9', []],
      ['A.10', []],
    ]);
    expect(doc.controls.filter((c) => c.subObjective === 'A.6.1').map((c) => c.id)).toEqual([
      'A.6.1.2',
      'A.6.1.3',
    ]);
    expect(doc.clauses.find((c) => c.id === '6.1.3')).toMatchObject({
      documentedInformation: 'document+record',
      heading: 'Planning',
    });
  });
});
