/**
 * Dependency errors: how a failure of Temporal or the database reaches a client. `guarded()`
 * wraps a gateway or store so that such failures become a `DependencyError` (answered 503 with
 * Retry-After by errors.ts, not 500: from the client's point of view they are transient and
 * worth retrying, and a 500 is reserved for defects in this layer), while domain errors (not
 * found, conflict, duplicate, workflow stuck) pass through untouched. `withTimeout()` fails a
 * call that does not answer in time with a `TimeoutError` (the /readyz checks).
 */
import { ConflictError, NotFoundError } from './programme-gateway';
import { isDuplicateError } from './store';
import { WorkflowStuckError } from './workflow-problems';

export type Dependency = 'temporal' | 'database';

export class DependencyError extends Error {
  constructor(
    readonly dependency: Dependency,
    cause: unknown,
  ) {
    super(`${dependency} unavailable`, { cause });
    this.name = 'DependencyError';
  }
}

function classify(dependency: Dependency, err: unknown): Error {
  const passThrough =
    err instanceof NotFoundError ||
    err instanceof ConflictError ||
    err instanceof DependencyError ||
    err instanceof WorkflowStuckError ||
    isDuplicateError(err);
  return passThrough ? err : new DependencyError(dependency, err);
}

/**
 * Wraps every method of a gateway or store once, so no handler can forget to: a proxy keeps
 * the wrapped object's exact type without restating its interface.
 */
export function guarded<T extends object>(target: T, dependency: Dependency): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        try {
          const result: unknown = Reflect.apply(value, obj, args);
          return result instanceof Promise
            ? result.catch((err: unknown) => Promise.reject(classify(dependency, err)))
            : result;
        } catch (err) {
          throw classify(dependency, err);
        }
      };
    },
  });
}

export class TimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

export async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(ms)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
