/** KPI snapshots: inserted once per snapshot id (a retried activity writes nothing twice). */
import { EntitySchema, type DataSource } from 'typeorm';
import type { KpiSnapshot } from '../domain/kpis/snapshot';
import type { DatabaseKind } from './database-url';
import { entityColumns } from './entities';
import { isDuplicateKeyError } from './errors';
import { sqliteQueueFor, type SerialQueue } from './serial-queue';

export type { KpiSnapshot };

const ENTITY = 'KpiSnapshot';

export function buildKpiEntity(kind: DatabaseKind): EntitySchema<KpiSnapshot> {
  const c = entityColumns(kind);
  return new EntitySchema<KpiSnapshot>({
    name: ENTITY,
    tableName: 'kpi_snapshots',
    columns: {
      programmeId: c.id('programme_id', 64),
      id: c.id('id', 200),
      cycle: c.int('cycle'),
      trigger: c.text('trigger_kind', 20),
      takenAt: c.timestamp('taken_at'),
      kpis: c.json('kpis'),
      readiness: c.json('readiness'),
    },
    indices: [{ name: 'IDX_kpi_snapshots_taken', columns: ['programmeId', 'takenAt'] }],
  });
}

export class KpiRepository {
  private readonly queue: SerialQueue | null;

  constructor(private readonly dataSource: DataSource) {
    this.queue = sqliteQueueFor(dataSource);
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.queue ? this.queue.run(task) : task();
  }

  /** Stores the snapshot unless one with its id exists; returns the stored one either way. */
  async save(snapshot: KpiSnapshot): Promise<KpiSnapshot> {
    const repo = this.dataSource.manager.getRepository<KpiSnapshot>(ENTITY);
    try {
      await this.exclusive(() => repo.insert(snapshot));
      return snapshot;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      const existing = await this.exclusive(() =>
        repo.findOneBy({ programmeId: snapshot.programmeId, id: snapshot.id }),
      );
      return existing ?? snapshot;
    }
  }

  list(programmeId: string): Promise<KpiSnapshot[]> {
    return this.exclusive(() =>
      this.dataSource.manager
        .getRepository<KpiSnapshot>(ENTITY)
        .find({ where: { programmeId }, order: { takenAt: 'ASC' } }),
    );
  }
}
