/**
 * A loop that runs beside a stage's main loop inside the same workflow (the approval desk, the
 * nonconformity clock): started once, poked when the facts change, stopped when the step
 * ends. A failure other than cancellation is kept, not thrown, so that the stage decides when
 * to surface it (rethrowFailure) instead of it escaping as an unhandled rejection.
 */
import { condition, isCancellation } from '@temporalio/workflow';

export abstract class ConcurrentLoop {
  /** Bumped on every change the loop may need to react to. */
  protected rev = 0;
  protected stopped = false;
  private failure: { error: unknown } | undefined;
  private running: Promise<void> = Promise.resolve();

  protected abstract run(): Promise<void>;

  protected launch(): void {
    this.running = this.run().catch((error: unknown) => {
      if (isCancellation(error)) return;
      this.failure = { error };
      this.rev++;
    });
  }

  /** Resolves once the loop has returned (after stop(), when its current work is done). */
  join(): Promise<void> {
    return this.running;
  }

  /** The step is over: no further work or timers. */
  stop(): void {
    this.stopped = true;
    this.rev++;
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  rethrowFailure(): void {
    if (this.failure) throw this.failure.error;
  }

  /** Sleeps until something changes or stop(), or until `wakeAt` (workflow time) when given. */
  protected async waitForChange(wakeAt?: number): Promise<void> {
    const seen = this.rev;
    const changed = () => this.rev !== seen || this.stopped;
    if (wakeAt === undefined) await condition(changed);
    else await condition(changed, wakeAt - Date.now());
  }
}
