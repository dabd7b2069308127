import { certificateHistory } from '../../domain/certificate-history';
import type { Certificate } from '../../domain/views';

const certificate = (number: string, cycle: number, extra: Partial<Certificate> = {}): Certificate => ({
  number,
  cycle,
  decisionDate: `${2026 + 3 * cycle}-01-15T00:00:00.000Z`,
  expiresOn: `${2029 + 3 * cycle}-01-14T00:00:00.000Z`,
  status: 'ACTIVE',
  decisionStepKey: `c${cycle}.CERTIFICATION.1`,
  ...extra,
});

describe('certificate history across cycles', () => {
  test('a certificate replaced by the next cycle’s is superseded and names its successor', () => {
    const history = certificateHistory([
      certificate('AIMS-1', 1),
      certificate('AIMS-2', 2, { replaces: 'AIMS-1' }),
      certificate('AIMS-3', 3, { replaces: 'AIMS-2', status: 'LAPSED' }),
    ]);
    expect(history.map((c) => [c.number, c.status, c.replacedBy])).toEqual([
      ['AIMS-1', 'SUPERSEDED', 'AIMS-2'],
      ['AIMS-2', 'SUPERSEDED', 'AIMS-3'],
      ['AIMS-3', 'LAPSED', undefined],
    ]);
  });

  test('without a successor a certificate keeps its recorded state, withdrawn included', () => {
    const history = certificateHistory([
      certificate('AIMS-1', 1, { status: 'WITHDRAWN' }),
      certificate('AIMS-9', 2),
    ]);
    expect(history.map((c) => c.status)).toEqual(['WITHDRAWN', 'ACTIVE']);
    expect(history.every((c) => c.replacedBy === undefined)).toBe(true);
  });
});
