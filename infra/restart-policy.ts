/**
 * How the `npm start` launcher (scripts/start.ts) answers the crash of a process it supervises:
 * restart it after an exponential back-off, or give up once it has crashed too often.
 *
 * Only restarts within the last `windowMs` count, for the limit and for the back-off alike: a
 * process that stays up for a whole window is back to the first, shortest delay, while one that
 * crashes as soon as it starts (a bad setting, a full disk) waits 1 s, 2 s, 4 s … and is given up
 * on after `maxRestarts`, so a supervisor above the launcher (systemd) sees the failure.
 *
 * A back-off library (exponential-backoff, p-retry) retries one call until it succeeds; what is
 * needed here is a budget over crashes that keep coming, which those do not keep.
 */

export interface RestartLimits {
  /** Restarts allowed within `windowMs`; the crash after them gives up. 0: never restart. */
  maxRestarts: number;
  windowMs: number;
  /** Delay before the first restart in the window; doubled for each further one. */
  initialDelayMs: number;
  /** The cap on the doubled delay. */
  maxDelayMs: number;
}

export type CrashVerdict =
  /** `restart` counts the restarts within the window, this one included (1 for the first). */
  | { action: 'restart'; delayMs: number; restart: number }
  /** `restarts`: how many restarts the window already held. */
  | { action: 'give-up'; restarts: number };

/** The restarts one process has had; one budget per supervised process. */
export class RestartBudget {
  private restartTimes: number[] = [];

  constructor(
    readonly limits: RestartLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a crash: restart (after `delayMs`), or give up. */
  onCrash(): CrashVerdict {
    const now = this.now();
    this.restartTimes = this.restartTimes.filter((at) => now - at < this.limits.windowMs);
    const recent = this.restartTimes.length;
    if (recent >= this.limits.maxRestarts) return { action: 'give-up', restarts: recent };
    this.restartTimes.push(now);
    const delayMs = Math.min(this.limits.maxDelayMs, this.limits.initialDelayMs * 2 ** recent);
    return { action: 'restart', delayMs, restart: recent + 1 };
  }
}
