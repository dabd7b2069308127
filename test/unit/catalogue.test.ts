/**
 * The ISO/IEC 42001:2023 catalogue: what gap analysis, the SoA and findings can refer to.
 */
import {
  CLAUSES,
  CONTROL_GROUPS,
  CONTROLS,
  REQUIREMENTS,
  findRequirement,
  isRequirementId,
  type ControlGroupId,
} from '../../domain/catalogue/iso42001';

const countBy = <T>(items: readonly T[], key: (item: T) => string): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
};

describe('Annex A controls', () => {
  test('there are exactly 38 controls in 9 groups', () => {
    expect(CONTROLS).toHaveLength(38);
    expect(Object.keys(CONTROL_GROUPS)).toEqual([
      'A.2',
      'A.3',
      'A.4',
      'A.5',
      'A.6',
      'A.7',
      'A.8',
      'A.9',
      'A.10',
    ]);
    expect(new Set(CONTROLS.map((c) => c.group)).size).toBe(9);
  });

  test('each group holds the controls of the standard', () => {
    expect(countBy(CONTROLS, (c) => c.group)).toEqual({
      'A.2': 3,
      'A.3': 2,
      'A.4': 5,
      'A.5': 4,
      'A.6': 9,
      'A.7': 5,
      'A.8': 4,
      'A.9': 3,
      'A.10': 3,
    });
  });

  test("every control's group is its id prefix and a known group", () => {
    for (const c of CONTROLS) {
      expect(c.kind).toBe('control');
      expect(c.id.startsWith(`${c.group}.`)).toBe(true);
      expect(c.id.split('.').slice(0, 2).join('.')).toBe(c.group);
      expect(Object.keys(CONTROL_GROUPS)).toContain(c.group);
      expect(c.title.length).toBeGreaterThan(0);
      expect(c.typicalEvidence.length).toBeGreaterThan(0);
    }
  });

  test('A.6 has its two sub-objectives (A.6.1 and A.6.2) and A.10 sorts after A.9', () => {
    const a6 = CONTROLS.filter((c) => c.group === 'A.6').map((c) => c.id);
    expect(a6).toEqual([
      'A.6.1.2',
      'A.6.1.3',
      'A.6.2.2',
      'A.6.2.3',
      'A.6.2.4',
      'A.6.2.5',
      'A.6.2.6',
      'A.6.2.7',
      'A.6.2.8',
    ]);
    // A.10.x must not be mistaken for A.1 by a prefix check.
    expect(CONTROLS.filter((c) => c.group === 'A.10').map((c) => c.id)).toEqual([
      'A.10.2',
      'A.10.3',
      'A.10.4',
    ]);
  });

  test('controls documentation expectations are recorded as booleans', () => {
    expect(findRequirement('A.2.2')).toMatchObject({ kind: 'control', documentationExpected: true });
    expect(findRequirement('A.3.3')).toMatchObject({ kind: 'control', documentationExpected: false });
  });
});

describe('clauses 4-10', () => {
  test('there are 32 lowest-level clauses', () => {
    expect(CLAUSES).toHaveLength(32);
    expect(countBy(CLAUSES, (c) => String(c.clause))).toEqual({
      '4': 4,
      '5': 3,
      '6': 6,
      '7': 7,
      '8': 4,
      '9': 6,
      '10': 2,
    });
  });

  test('sub-clauses replace their parents (6.1, 7.5, 9.2, 9.3)', () => {
    const ids = CLAUSES.map((c) => c.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        '6.1.1',
        '6.1.2',
        '6.1.3',
        '6.1.4',
        '7.5.1',
        '7.5.2',
        '7.5.3',
        '9.2.1',
        '9.2.2',
        '9.3.1',
        '9.3.2',
        '9.3.3',
        '10.1',
        '10.2',
      ]),
    );
    for (const parent of ['6.1', '7.5', '9.2', '9.3', '10']) expect(ids).not.toContain(parent);
  });

  test("every clause's number is its id prefix, within 4-10", () => {
    for (const c of CLAUSES) {
      expect(c.kind).toBe('clause');
      expect(c.clause).toBe(Number(c.id.split('.')[0]));
      expect(c.clause).toBeGreaterThanOrEqual(4);
      expect(c.clause).toBeLessThanOrEqual(10);
    }
  });

  test('documented information is recorded where the standard requires it', () => {
    expect(findRequirement('4.3')).toMatchObject({ documentedInformation: 'document' });
    expect(findRequirement('6.1.3')).toMatchObject({ documentedInformation: 'document+record' });
    expect(findRequirement('9.2.2')).toMatchObject({ documentedInformation: 'record' });
    expect(findRequirement('7.3')).toMatchObject({ documentedInformation: 'none' });
  });
});

describe('REQUIREMENTS', () => {
  test('is the 32 clauses followed by the 38 controls, 70 in all', () => {
    expect(REQUIREMENTS).toHaveLength(70);
    expect(REQUIREMENTS.slice(0, 32)).toEqual(CLAUSES);
    expect(REQUIREMENTS.slice(32)).toEqual(CONTROLS);
  });

  test('ids are unique', () => {
    const ids = REQUIREMENTS.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('findRequirement returns the requirement by id', () => {
    expect(findRequirement('6.1.2')).toEqual({
      id: '6.1.2',
      kind: 'clause',
      clause: 6,
      title: 'AI risk assessment process',
      documentedInformation: 'record',
    });
    expect(findRequirement('A.6.2.4')).toEqual({
      id: 'A.6.2.4',
      kind: 'control',
      group: 'A.6' satisfies ControlGroupId,
      title: 'Verification and validation',
      documentationExpected: true,
      typicalEvidence: 'Test plans and reports',
    });
    for (const r of REQUIREMENTS) expect(findRequirement(r.id)).toBe(r);
  });

  test.each(['6.1', '7.5', 'A.1', 'A.2.1', 'A.6', 'A.6.2', 'A.11.1', 'a.2.2', ' 4.1', '4.1 ', '', '11.1'])(
    'unknown or non-lowest-level id %j is not a requirement',
    (id) => {
      expect(findRequirement(id)).toBeUndefined();
      expect(isRequirementId(id)).toBe(false);
    },
  );

  test('isRequirementId accepts every catalogue id', () => {
    expect(REQUIREMENTS.every((r) => isRequirementId(r.id))).toBe(true);
    expect(isRequirementId('10.2')).toBe(true);
    expect(isRequirementId('A.10.4')).toBe(true);
  });
});
