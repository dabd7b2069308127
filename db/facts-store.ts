/**
 * The durable image of what the workflows know about each programme (domain/facts.ts): one
 * row for the programme-wide facts and one per record. A stage that starts (or continues as
 * new) reads it back in pages of bounded size; the persistence activity writes the rows an
 * accepted input changed in the same transaction as the records themselves.
 */
import { EntitySchema, MoreThan, type EntityManager } from 'typeorm';
import type { FactEntry, FactsPage, RecordChanges } from '../domain/contracts/persistence';
import type { ProgrammeScalars } from '../domain/facts';
import { cycleOfStepKey, isLive } from '../domain/queries';
import type { DatabaseKind } from './database-url';
import { entityColumns } from './entities';

export const FACTS_ENTITY = 'ProgrammeFact';

/** The programme-wide facts' row. */
const PROGRAMME = 'programme';

interface FactRow {
  programmeId: string;
  kind: string;
  key: string;
  /** A JSON column: the facts of one record, or the programme-wide facts. */
  fact: object;
}

export function buildFactsEntity(kind: DatabaseKind): EntitySchema<FactRow> {
  const c = entityColumns(kind);
  return new EntitySchema<FactRow>({
    name: FACTS_ENTITY,
    tableName: 'programme_facts',
    columns: {
      programmeId: c.id('programme_id', 64),
      kind: c.id('kind', 32),
      key: c.id('fact_key', 160),
      fact: c.json('fact'),
    },
  });
}

/** Rows read per query, and the size a page of entries stops at: each page stays well under 64 KB. */
const ROWS_PER_QUERY = 500;
const PAGE_BYTES = 32 * 1024;

/** The rows one change writes; null facts remove a row. */
export function factRows(programmeId: string, changes: RecordChanges): { row: FactRow; remove: boolean }[] {
  const rows: { row: FactRow; remove: boolean }[] = [];
  const add = (kind: FactEntry['kind'], key: string, fact: object | null) =>
    rows.push({ row: { programmeId, kind, key, fact: fact ?? {} }, remove: fact === null });
  for (const s of changes.systems ?? []) add('system', s.id, s.fact);
  for (const a of changes.assessments ?? []) add('assessment', a.requirementId, a.fact);
  for (const t of changes.tasks ?? []) add('task', t.fact.id, t.fact);
  for (const p of changes.policies ?? []) add('policy', p.id, p);
  for (const i of changes.impactAssessments ?? []) add('impactAssessment', i.aiSystemId, i.fact);
  for (const a of changes.audits ?? []) add('audit', a.fact.id, a.fact);
  for (const f of changes.findings ?? []) add('finding', f.fact.id, f.fact);
  for (const g of changes.gates ?? []) add('approval', g.key, g.state);
  return rows;
}

export async function writeFacts(
  em: EntityManager,
  programmeId: string,
  changes: RecordChanges,
  scalars: ProgrammeScalars | undefined,
): Promise<void> {
  const repo = em.getRepository<FactRow>(FACTS_ENTITY);
  const rows = factRows(programmeId, changes);
  for (const { row } of rows.filter((r) => r.remove))
    await repo.delete({ programmeId, kind: row.kind, key: row.key });
  const kept = rows.filter((r) => !r.remove).map((r) => r.row);
  for (let i = 0; i < kept.length; i += 100)
    await repo.upsert(kept.slice(i, i + 100), { conflictPaths: ['programmeId', 'kind', 'key'] });
  if (scalars)
    await repo.upsert(
      { programmeId, kind: PROGRAMME, key: '', fact: scalars },
      {
        conflictPaths: ['programmeId', 'kind', 'key'],
      },
    );
}

/** The facts a new programme starts from, unless they exist already (a retried activity). */
export async function initialiseFacts(em: EntityManager, scalars: ProgrammeScalars): Promise<void> {
  const repo = em.getRepository<FactRow>(FACTS_ENTITY);
  if (await repo.existsBy({ programmeId: scalars.programmeId, kind: PROGRAMME, key: '' })) return;
  await repo.insert({ programmeId: scalars.programmeId, kind: PROGRAMME, key: '', fact: scalars });
}

export async function readScalars(
  em: EntityManager,
  programmeId: string,
): Promise<ProgrammeScalars | undefined> {
  const row = await em
    .getRepository<FactRow>(FACTS_ENTITY)
    .findOneBy({ programmeId, kind: PROGRAMME, key: '' });
  return row ? (row.fact as ProgrammeScalars) : undefined;
}

/**
 * Whether a stage of the current cycle still needs a record's facts: audits of this cycle (and
 * stage 1 audits, which a later cycle's new stage 2 still counts), findings of this cycle or
 * still open, the decisions of the step being resumed; everything else always.
 */
function wanted(entry: FactEntry, cycle: number, stepKey: string | undefined): boolean {
  switch (entry.kind) {
    case 'audit':
      return entry.fact.audit === 'stage1' || cycleOfStepKey(entry.fact.stepKey) === cycle;
    case 'finding':
      return isLive(entry.fact) || cycleOfStepKey(entry.fact.stepKey) === cycle;
    case 'approval':
      return stepKey !== undefined && entry.key.startsWith(`${stepKey}/`);
    default:
      return true;
  }
}

/** The cursor is the last row read, as `kind \n key`. */
export async function loadFactsPage(
  em: EntityManager,
  programmeId: string,
  stepKey: string | undefined,
  cursor: string | undefined,
): Promise<FactsPage> {
  const scalars = await readScalars(em, programmeId);
  if (!scalars) return { entries: [] };
  const repo = em.getRepository<FactRow>(FACTS_ENTITY);
  let [kind, key] = cursor ? cursor.split('\n') : ['', ''];
  const entries: FactEntry[] = [];
  // The first page carries the programme-wide facts too; together they stay under the page size.
  let bytes = cursor ? 0 : JSON.stringify(scalars).length;
  for (;;) {
    const rows = await repo.find({
      where: [
        { programmeId, kind: MoreThan(kind) },
        { programmeId, kind, key: MoreThan(key) },
      ],
      order: { kind: 'ASC', key: 'ASC' },
      take: ROWS_PER_QUERY,
    });
    for (const row of rows) {
      [kind, key] = [row.kind, row.key];
      if (row.kind === PROGRAMME) continue;
      const entry = { kind: row.kind, key: row.key, fact: row.fact } as FactEntry;
      if (!wanted(entry, scalars.cycle, stepKey)) continue;
      entries.push(entry);
      bytes += JSON.stringify(entry).length;
      if (bytes >= PAGE_BYTES) return { ...(cursor ? {} : { scalars }), entries, next: `${kind}\n${key}` };
    }
    if (rows.length < ROWS_PER_QUERY) return { ...(cursor ? {} : { scalars }), entries };
  }
}
