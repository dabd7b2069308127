/** Maps anything thrown while handling a request to the problem the client receives. */
import { ConflictError, NotFoundError } from './programme-gateway';
import { DependencyError } from './dependency-errors';
import { HttpProblem } from './problem';
import { isDuplicateError } from './store';
import { bodyParserProblem } from './validate';
import { WorkflowStuckError } from './workflow-problems';

const RETRY_AFTER_SECONDS = '5';

/** The router marks an undecodable %-escape in a path parameter as a 400 URIError. */
function isUndecodablePath(err: unknown): err is URIError {
  return err instanceof URIError && 'status' in err && err.status === 400;
}

export function toProblem(err: unknown): HttpProblem {
  if (err instanceof HttpProblem) return err;
  const parserProblem = bodyParserProblem(err);
  if (parserProblem) return parserProblem;
  if (err instanceof NotFoundError) return new HttpProblem('not-found', err.message);
  if (err instanceof ConflictError) return new HttpProblem('stage-conflict', err.message);
  if (isDuplicateError(err)) return new HttpProblem('duplicate', err.message);
  if (err instanceof DependencyError) {
    return new HttpProblem(
      'dependency-unavailable',
      `The ${err.dependency === 'temporal' ? 'workflow engine' : 'database'} is unavailable; retry later.`,
      {
        headers: { 'Retry-After': RETRY_AFTER_SECONDS },
        cause: err,
      },
    );
  }
  if (err instanceof WorkflowStuckError) {
    // Not a 503: waiting does not help until an operator has dealt with the cause.
    return new HttpProblem(
      'workflow-stuck',
      `The programme's workflow cannot make progress (${err.problem.cause}); operators have been alerted. Nothing was recorded; send the request again, with the same Idempotency-Key, once it has recovered.`,
      { extensions: { workflow: err.problem }, cause: err },
    );
  }
  if (isUndecodablePath(err)) return new HttpProblem('invalid-request', err.message);
  // The message of an unexpected error may carry internals; it goes to the log, not the client.
  return new HttpProblem('internal-error', 'An unexpected error occurred; it has been logged.', {
    cause: err,
  });
}
