/**
 * Just enough TOML for dependency manifests (pyproject.toml, Pipfile, Cargo.toml): table
 * headers, `key = value` pairs with string, inline-table and (multi-line) array values. Values
 * are kept as raw text with their line; callers read what they need. Not a general TOML parser.
 */

export interface TomlEntry {
  table: string;
  key: string;
  /** Raw value text; for multi-line arrays, the whole array joined. */
  value: string;
  /** 1-based line of the key. */
  line: number;
  /** For arrays: each string element with its own line. */
  items?: { value: string; line: number }[];
}

function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return line.slice(0, i);
  }
  return line;
}

const STRING = /"((?:[^"\\]|\\.)*)"|'([^']*)'/g;

function strings(text: string): string[] {
  return [...text.matchAll(STRING)].map((m) => m[1] ?? m[2] ?? '');
}

/** A quoted string value, unquoted; undefined for other kinds of value. */
export function tomlString(value: string): string | undefined {
  const m = /^\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')\s*$/.exec(value);
  return m ? (m[1] ?? m[2]) : undefined;
}

export function readToml(text: string): TomlEntry[] {
  const entries: TomlEntry[] = [];
  const lines = text.split(/\r?\n/);
  let table = '';
  for (let i = 0; i < lines.length; i++) {
    const line = stripComment(lines[i]).trim();
    if (!line) continue;
    const header = /^\[\[?\s*([^\]]+?)\s*\]\]?$/.exec(line);
    if (header) {
      table = header[1].replace(/\s+/g, '');
      continue;
    }
    const pair = /^("[^"]+"|'[^']+'|[A-Za-z0-9_.-]+)\s*=\s*(.*)$/.exec(line);
    if (!pair) continue;
    const key = pair[1].replace(/^["']|["']$/g, '');
    const start = i + 1;
    let value = pair[2];
    if (value.startsWith('[')) {
      const items: { value: string; line: number }[] = strings(value).map((v) => ({ value: v, line: start }));
      let depth = (value.match(/\[/g) ?? []).length - (value.match(/\]/g) ?? []).length;
      while (depth > 0 && i + 1 < lines.length) {
        i++;
        const next = stripComment(lines[i]);
        value += `\n${next}`;
        for (const v of strings(next)) items.push({ value: v, line: i + 1 });
        depth += (next.match(/\[/g) ?? []).length - (next.match(/\]/g) ?? []).length;
      }
      entries.push({ table, key, value, line: start, items });
    } else {
      entries.push({ table, key, value, line: start });
    }
  }
  return entries;
}
