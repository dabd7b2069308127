/**
 * The persistence activities: thin adapters from the workflow contract to the repository,
 * which does the idempotent upserts. Registered by the worker with a repository over the
 * shared DataSource.
 */
import type { ProgrammeRepository } from '../db/repository';
import type { PersistenceActivities } from '../domain/contracts/persistence';

export function createPersistenceActivities(repo: ProgrammeRepository): PersistenceActivities {
  return {
    // The creation time is only used when the API has not inserted the row first; a retry
    // finds the row and leaves it alone, so wall-clock time here does not break idempotency.
    recordProgramme: (programme) => repo.saveProgramme(programme, new Date().toISOString()),
    recordTransition: (transition, status) => repo.recordTransition(transition, status),
    saveRecords: (programmeId, cycle, records) => repo.saveRecords(programmeId, cycle, records),
  };
}
