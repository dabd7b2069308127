/**
 * ISO 8601 durations applied to instants, calendar-aware in UTC: every deadline of the journey.
 */
import { IsoDuration } from '../../domain/schemas';
import { addDuration, addDurationIso } from '../../domain/durations';

const ms = (iso: string) => Date.parse(iso);

describe('addDurationIso', () => {
  test('P183D adds exactly 183 days (the major NC verification window)', () => {
    expect(addDurationIso('2027-06-15T17:00:00.000Z', 'P183D')).toBe('2027-12-15T17:00:00.000Z');
    // Across a leap day: 2028 has 29 February.
    expect(addDurationIso('2028-01-01T00:00:00.000Z', 'P183D')).toBe('2028-07-02T00:00:00.000Z');
    expect(addDurationIso('2027-01-01T00:00:00.000Z', 'P183D')).toBe('2027-07-03T00:00:00.000Z');
  });

  test('P12M and P1Y keep the day and time of day', () => {
    expect(addDurationIso('2027-07-01T09:30:15.250Z', 'P12M')).toBe('2028-07-01T09:30:15.250Z');
    expect(addDurationIso('2027-07-01T09:30:15.250Z', 'P1Y')).toBe('2028-07-01T09:30:15.250Z');
    expect(addDurationIso('2027-11-15T00:00:00.000Z', 'P2M')).toBe('2028-01-15T00:00:00.000Z');
  });

  test('a day beyond the end of the target month is clamped to its last day', () => {
    expect(addDurationIso('2027-01-31T12:00:00.000Z', 'P1M')).toBe('2027-02-28T12:00:00.000Z');
    expect(addDurationIso('2028-01-31T12:00:00.000Z', 'P1M')).toBe('2028-02-29T12:00:00.000Z');
    expect(addDurationIso('2027-03-31T00:00:00.000Z', 'P1M')).toBe('2027-04-30T00:00:00.000Z');
    expect(addDurationIso('2027-08-31T00:00:00.000Z', 'P12M')).toBe('2028-08-31T00:00:00.000Z');
    expect(addDurationIso('2027-08-31T00:00:00.000Z', 'P6M')).toBe('2028-02-29T00:00:00.000Z');
    // Clamping, not "stick to month end": a 30th stays the 30th in a 31-day month.
    expect(addDurationIso('2027-04-30T00:00:00.000Z', 'P1M')).toBe('2027-05-30T00:00:00.000Z');
  });

  test('29 February plus a year is 28 February, and back to 29 February after four', () => {
    expect(addDurationIso('2028-02-29T00:00:00.000Z', 'P1Y')).toBe('2029-02-28T00:00:00.000Z');
    expect(addDurationIso('2028-02-29T00:00:00.000Z', 'P12M')).toBe('2029-02-28T00:00:00.000Z');
    expect(addDurationIso('2028-02-29T00:00:00.000Z', 'P4Y')).toBe('2032-02-29T00:00:00.000Z');
  });

  test('P3Y (certificate validity)', () => {
    expect(addDurationIso('2027-07-01T00:00:00.000Z', 'P3Y')).toBe('2030-07-01T00:00:00.000Z');
    expect(addDurationIso('2028-02-29T10:00:00.000Z', 'P3Y')).toBe('2031-02-28T10:00:00.000Z');
  });

  test('time components: PT30S, PT1H30M, P1W and P1DT12H', () => {
    expect(addDurationIso('2027-12-31T23:59:45.000Z', 'PT30S')).toBe('2028-01-01T00:00:15.000Z');
    expect(addDurationIso('2027-01-01T00:00:00.000Z', 'PT1H30M')).toBe('2027-01-01T01:30:00.000Z');
    expect(addDurationIso('2027-01-01T00:00:00.000Z', 'P1W')).toBe('2027-01-08T00:00:00.000Z');
    expect(addDurationIso('2027-01-01T00:00:00.000Z', 'P1DT12H')).toBe('2027-01-02T12:00:00.000Z');
  });

  test('months are applied (and clamped) before days', () => {
    expect(addDurationIso('2027-01-31T00:00:00.000Z', 'P1M1D')).toBe('2027-03-01T00:00:00.000Z');
    expect(addDurationIso('2027-01-30T00:00:00.000Z', 'P1Y1M2D')).toBe('2028-03-02T00:00:00.000Z');
  });

  test('accepts instants with an offset and always answers in UTC', () => {
    expect(addDurationIso('2027-07-01T02:00:00+02:00', 'P1D')).toBe('2027-07-02T00:00:00.000Z');
  });
});

describe('times multiplier', () => {
  test('multiplies every component', () => {
    expect(addDurationIso('2027-07-01T00:00:00.000Z', 'P12M', 2)).toBe('2029-07-01T00:00:00.000Z');
    expect(addDurationIso('2027-07-01T00:00:00.000Z', 'P12M', 0)).toBe('2027-07-01T00:00:00.000Z');
    expect(addDurationIso('2027-01-01T00:00:00.000Z', 'PT30S', 4)).toBe('2027-01-01T00:02:00.000Z');
    expect(addDurationIso('2027-01-01T00:00:00.000Z', 'P1M1D', 3)).toBe('2027-04-04T00:00:00.000Z');
  });

  test('multiplies before clamping (not the same as applying the duration twice)', () => {
    expect(addDurationIso('2027-01-31T00:00:00.000Z', 'P1M', 2)).toBe('2027-03-31T00:00:00.000Z');
    const twice = addDurationIso(addDurationIso('2027-01-31T00:00:00.000Z', 'P1M'), 'P1M');
    expect(twice).toBe('2027-03-28T00:00:00.000Z');
  });

  test('defaults to 1', () => {
    const t = ms('2027-05-05T05:05:05.005Z');
    expect(addDuration(t, 'P1Y2M3DT4H5M6S')).toBe(addDuration(t, 'P1Y2M3DT4H5M6S', 1));
    expect(addDurationIso('2027-05-05T05:05:05.005Z', 'P1Y2M3DT4H5M6S')).toBe('2028-07-08T09:10:11.005Z');
  });
});

describe('negative durations', () => {
  test('go back in time, with month-end clamping', () => {
    expect(addDurationIso('2027-03-31T00:00:00.000Z', '-P1M')).toBe('2027-02-28T00:00:00.000Z');
    expect(addDurationIso('2028-03-31T00:00:00.000Z', '-P1M')).toBe('2028-02-29T00:00:00.000Z');
    expect(addDurationIso('2027-01-15T00:00:00.000Z', '-P1M')).toBe('2026-12-15T00:00:00.000Z');
    expect(addDurationIso('2027-01-01T00:00:00.000Z', '-PT30S')).toBe('2026-12-31T23:59:30.000Z');
    expect(addDurationIso('2027-12-15T17:00:00.000Z', '-P183D')).toBe('2027-06-15T17:00:00.000Z');
    expect(addDurationIso('2029-02-28T00:00:00.000Z', '-P1Y')).toBe('2028-02-28T00:00:00.000Z');
  });

  test('a negative duration and a negative multiplier both subtract; together they add', () => {
    expect(addDurationIso('2027-07-01T00:00:00.000Z', '-P12M', 2)).toBe('2025-07-01T00:00:00.000Z');
    expect(addDurationIso('2027-07-01T00:00:00.000Z', 'P12M', -1)).toBe('2026-07-01T00:00:00.000Z');
    expect(addDurationIso('2027-07-01T00:00:00.000Z', '-P1D', -2)).toBe('2027-07-03T00:00:00.000Z');
  });

  test('a negative duration with mixed components subtracts each of them', () => {
    expect(addDurationIso('2028-03-31T12:00:00.000Z', '-P1M1DT12H')).toBe('2028-02-28T00:00:00.000Z');
  });
});

describe('addDuration', () => {
  test('works on epoch milliseconds and agrees with addDurationIso', () => {
    const start = ms('2027-01-31T08:00:00.000Z');
    expect(addDuration(start, 'P1M')).toBe(ms('2027-02-28T08:00:00.000Z'));
    expect(addDuration(start, 'PT30S')).toBe(start + 30_000);
    expect(addDuration(start, 'P183D')).toBe(start + 183 * 86_400_000);
    for (const duration of ['P183D', 'P12M', 'P3Y', 'PT30S', 'P6M', '-P1M']) {
      expect(new Date(addDuration(start, duration)).toISOString()).toBe(
        addDurationIso('2027-01-31T08:00:00.000Z', duration),
      );
    }
  });

  test('is pure: the same input gives the same output', () => {
    const start = ms('2027-01-31T08:00:00.000Z');
    expect(addDuration(start, 'P12M', 3)).toBe(addDuration(start, 'P12M', 3));
  });

  test('rejects something that is not an ISO 8601 duration', () => {
    expect(() => addDuration(0, '12 months')).toThrow();
    expect(() => addDuration(0, 'P')).toThrow();
  });
});

describe('IsoDuration (programme configuration)', () => {
  test.each(['P183D', 'P12M', 'P3Y', 'PT30S', 'PT0.5S', 'P1W'])('accepts %s', (value) => {
    expect(IsoDuration.safeParse(value).success).toBe(true);
  });
  test.each(['P0.5M', 'P1.5Y', 'P2.5D', '183 days', 'P', ''])('rejects %s', (value) => {
    expect(IsoDuration.safeParse(value).success).toBe(false);
  });
});
