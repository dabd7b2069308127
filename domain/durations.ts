/**
 * ISO 8601 durations applied to instants, calendar-aware in UTC. Pure and deterministic, so
 * workflows use it for every deadline: years compress to seconds by configuration alone.
 */
import { parse } from 'tinyduration';

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

export function addDuration(instantMs: number, duration: string, times = 1): number {
  const d = parse(duration);
  const sign = d.negative ? -times : times;
  const start = new Date(instantMs);
  const totalMonths = start.getUTCMonth() + sign * ((d.years ?? 0) * 12 + (d.months ?? 0));
  const year = start.getUTCFullYear() + Math.floor(totalMonths / 12);
  const month = ((totalMonths % 12) + 12) % 12;
  // A month-end date stays at month end (31 Jan + P1M = 28/29 Feb), as certificates do.
  const day = Math.min(start.getUTCDate(), daysInMonth(year, month));
  const calendar = Date.UTC(
    year,
    month,
    day,
    start.getUTCHours(),
    start.getUTCMinutes(),
    start.getUTCSeconds(),
    start.getUTCMilliseconds(),
  );
  const fixedMs =
    (((d.weeks ?? 0) * 7 + (d.days ?? 0)) * 86_400 +
      (d.hours ?? 0) * 3_600 +
      (d.minutes ?? 0) * 60 +
      (d.seconds ?? 0)) *
    1000;
  return calendar + sign * fixedMs;
}

export function addDurationIso(instant: string, duration: string, times = 1): string {
  return new Date(addDuration(Date.parse(instant), duration, times)).toISOString();
}
