/** Typed failures callers branch on (the API maps them to HTTP statuses). */
import { QueryFailedError } from 'typeorm';

export class DuplicateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DuplicateError';
  }
}

export class ProgrammeNotFoundError extends Error {
  constructor(programmeId: string) {
    super(`programme ${programmeId} is not in the database`);
    this.name = 'ProgrammeNotFoundError';
  }
}

/** True for a primary-key or unique violation on either database. */
export function isDuplicateKeyError(err: unknown): boolean {
  if (!(err instanceof QueryFailedError)) return false;
  const driverError: unknown = err.driverError;
  if (typeof driverError !== 'object' || driverError === null) return false;
  const code = (driverError as { code?: unknown }).code;
  return (
    code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE'
  );
}
