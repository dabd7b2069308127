/**
 * The persistence activities: thin adapters from the workflow contract to the repository and
 * the body store, which do the work in transactions. Registered by the worker over the shared
 * DataSource.
 */
import type { BodyStore } from '../db/body-store';
import type { InventoryRepository } from '../db/inventory-repository';
import type { ProgrammeRepository } from '../db/repository';
import type { ItemsPage, PersistenceActivities } from '../domain/contracts/persistence';
import type { DiscoveredSystemFact } from '../domain/discoveries';
import { inputDefinition } from '../domain/inputs';

/** Items per page: a page of the largest items (a scope's AI systems) stays under 64 KB. */
const ITEMS_PER_PAGE = 250;

function page<T>(all: readonly T[], offset: number): ItemsPage<T> {
  const items = all.slice(offset, offset + ITEMS_PER_PAGE);
  const next = offset + ITEMS_PER_PAGE;
  return next < all.length ? { items, next } : { items };
}

export interface PersistenceDeps {
  repository: ProgrammeRepository;
  bodies: BodyStore;
  inventory: InventoryRepository;
}

export function createPersistenceActivities({
  repository,
  bodies,
  inventory,
}: PersistenceDeps): PersistenceActivities {
  return {
    // The creation time is only used when the API has not inserted the row first; a retry
    // finds the row and leaves it alone, so wall-clock time here does not break idempotency.
    recordProgramme: (programme) => repository.saveProgramme(programme, new Date().toISOString()),
    recordTransition: (transition, status) => repository.recordTransition(transition, status),
    saveRecords: (save) => repository.saveRecords(save),
    loadFacts: ({ programmeId, stepKey, cursor }) => repository.loadFacts(programmeId, stepKey, cursor),
    async readItems({ kind, ref, offset }) {
      const body = (await bodies.read(ref)) as object;
      const items = inputDefinition(kind).items?.({ ...body, kind }) ?? [];
      return page(items, offset);
    },
    async readDiscoveries({ programmeId, scanId, offset }) {
      const scan = await inventory.getScan(programmeId, scanId);
      const systems: DiscoveredSystemFact[] = (scan?.result?.newInScope ?? []).map((s) => ({
        id: s.id,
        name: s.name,
        ...(s.owner !== undefined && { owner: s.owner }),
      }));
      return page(systems, offset);
    },
  };
}
