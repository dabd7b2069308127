/**
 * Structured inventory imports: the organisation's own register of AI systems that no scan can
 * see (bought-in SaaS, spreadsheets, shadow AI found by interview). One schema, InventoryEntry
 * in domain/schemas.ts, for three formats:
 *
 * - CSV: a header row naming InventoryEntry fields; list fields separated by `;`; booleans as
 *   true/false, yes/no or 1/0; empty cells are absent.
 * - JSON and YAML: a list of InventoryEntry objects, or `{ systems: [...] }`.
 *
 * Every problem is reported with a JSON Pointer into the list (`/body/content/<index>/<field>`)
 * and the row or line it came from, so a whole file is fixed in one round trip.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';
import { InventoryEntry, type InventoryImportFormat } from '../../domain/schemas';
import type { AiSystemObservation } from '../../domain/inventory/types';

export const MAX_IMPORT_ENTRIES = 5000;

export interface ImportProblem {
  pointer: string;
  detail: string;
}

export type ImportResult = { ok: true; entries: InventoryEntry[] } | { ok: false; errors: ImportProblem[] };

const LIST_FIELDS = new Set(['dataSources', 'models', 'thirdPartyServices', 'locations']);
const BOOLEAN_FIELDS = new Set(['inScope']);
export const CSV_COLUMNS = Object.keys(InventoryEntry.shape);

const pointer = (...segments: (string | number)[]) =>
  `/body/content${segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')}`;

const fail = (errors: ImportProblem[]): ImportResult => ({ ok: false, errors });

function csvCell(field: string, cell: string): unknown {
  const value = cell.trim();
  if (value === '') return undefined;
  if (LIST_FIELDS.has(field))
    return value
      .split(';')
      .map((v) => v.trim())
      .filter(Boolean);
  if (BOOLEAN_FIELDS.has(field)) {
    const lower = value.toLowerCase();
    if (['true', 'yes', '1'].includes(lower)) return true;
    if (['false', 'no', '0'].includes(lower)) return false;
    return value; // left for the schema to reject with its own message
  }
  return value;
}

interface Item {
  value: unknown;
  /** How a person finds the item in the file. */
  where: string;
}

function csvItems(content: string): { items: Item[] } | { errors: ImportProblem[] } {
  let rows: string[][];
  try {
    rows = parseCsv(content, { bom: true, skip_empty_lines: true, relax_column_count: false });
  } catch (err) {
    return { errors: [{ pointer: pointer(), detail: `not valid CSV: ${(err as Error).message}` }] };
  }
  const [header, ...data] = rows;
  if (!header) return { errors: [{ pointer: pointer(), detail: 'the CSV has no header row' }] };
  const columns = header.map((h) => h.trim());
  const unknown = columns.filter((c) => !CSV_COLUMNS.includes(c));
  if (unknown.length > 0) {
    return {
      errors: unknown.map((c) => ({
        pointer: pointer('header', c),
        detail: `unknown column "${c}"; columns are ${CSV_COLUMNS.join(', ')}`,
      })),
    };
  }
  const items = data.map((row, i) => {
    const value: Record<string, unknown> = {};
    columns.forEach((column, c) => {
      const cell = csvCell(column, row[c] ?? '');
      if (cell !== undefined) value[column] = cell;
    });
    // The header is line 1, so data row i (0-based) is on line i + 2 when no row spans lines.
    return { value, where: `row ${i + 1} (line ${i + 2})` };
  });
  return { items };
}

function listOf(document: unknown): unknown[] | undefined {
  if (Array.isArray(document)) return document as unknown[];
  if (typeof document === 'object' && document !== null && 'systems' in document) {
    const systems = document.systems;
    return Array.isArray(systems) ? (systems as unknown[]) : undefined;
  }
  return undefined;
}

function structuredItems(
  format: 'json' | 'yaml',
  content: string,
): { items: Item[] } | { errors: ImportProblem[] } {
  let document: unknown;
  try {
    document = format === 'json' ? JSON.parse(content) : parseYaml(content, { maxAliasCount: 100 });
  } catch (err) {
    return {
      errors: [
        { pointer: pointer(), detail: `not valid ${format.toUpperCase()}: ${(err as Error).message}` },
      ],
    };
  }
  const list = listOf(document);
  if (!list)
    return {
      errors: [{ pointer: pointer(), detail: 'expected a list of AI systems, or { systems: [...] }' }],
    };
  return { items: list.map((value, i) => ({ value, where: `item ${i + 1}` })) };
}

export function parseInventoryImport(format: InventoryImportFormat, content: string): ImportResult {
  const read = format === 'csv' ? csvItems(content) : structuredItems(format, content);
  if ('errors' in read) return fail(read.errors);
  if (read.items.length === 0)
    return fail([{ pointer: pointer(), detail: 'the import lists no AI systems' }]);
  if (read.items.length > MAX_IMPORT_ENTRIES)
    return fail([{ pointer: pointer(), detail: `at most ${MAX_IMPORT_ENTRIES} AI systems per import` }]);

  const errors: ImportProblem[] = [];
  const entries: InventoryEntry[] = [];
  const firstRow = new Map<string, string>();
  read.items.forEach((item, index) => {
    const parsed = InventoryEntry.safeParse(item.value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const fields =
          issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
        for (const path of fields) {
          const field = path.length > 0 ? path.map(String).join('.') : 'entry';
          const detail = issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message;
          errors.push({
            pointer: pointer(index, ...path.map(String)),
            detail: `${item.where}, ${field}: ${detail}`,
          });
        }
      }
      return;
    }
    const seen = firstRow.get(parsed.data.id);
    if (seen) {
      errors.push({ pointer: pointer(index, 'id'), detail: `${item.where}, id: duplicate of ${seen}` });
      return;
    }
    firstRow.set(parsed.data.id, item.where);
    entries.push(parsed.data);
  });
  return errors.length > 0 ? fail(errors) : { ok: true, entries };
}

/** Imported entries are registered systems: what the organisation says about them wins over scans. */
export function entriesToObservations(
  entries: readonly InventoryEntry[],
  where: string,
): AiSystemObservation[] {
  return entries.map((e, i) => ({
    id: e.id,
    name: e.name,
    purpose: e.purpose,
    owner: e.owner,
    lifecycleStage: e.lifecycleStage,
    aiRole: e.aiRole,
    dataSources: [...e.dataSources].sort(),
    models: [...e.models].sort(),
    thirdPartyServices: [...e.thirdPartyServices].sort(),
    frameworks: [],
    locations: e.locations.length > 0 ? [...e.locations].sort() : [`${where} #${i + 1}`],
    inScope: e.inScope,
    registered: true,
  }));
}
