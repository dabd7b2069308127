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

/**
 * A page holds items up to this many bytes of JSON (at least one item), so that the largest
 * items (a scope's AI systems with long ids and names) stay well under the 64 KB payload limit.
 */
const PAGE_BYTES = 24 * 1024;

function page<T>(all: readonly T[], offset: number): ItemsPage<T> {
  let end = offset;
  let bytes = 2;
  while (end < all.length) {
    const size = Buffer.byteLength(JSON.stringify(all[end])) + 1;
    if (end > offset && bytes + size > PAGE_BYTES) break;
    bytes += size;
    end++;
  }
  const items = all.slice(offset, end);
  return end < all.length ? { items, next: end } : { items };
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
    recordProgress: (progress) => repository.recordProgress(progress),
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
