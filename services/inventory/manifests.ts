/**
 * Dependency manifests read as text: project identity (name, description, author) and the
 * declared dependencies with their line. Parsing is tolerant: a malformed manifest yields what
 * could be read, never an exception, because one broken file must not fail a whole scan.
 */
import { normalisePypiName, type Ecosystem } from './signatures';
import { readToml, tomlString, type TomlEntry } from './toml-lite';

export interface DeclaredDependency {
  ecosystem: Ecosystem;
  /** npm/PyPI/Go/Cargo name, or Maven `group:artifact`. */
  name: string;
  line: number;
}

export interface ManifestInfo {
  ecosystem: Ecosystem;
  name?: string;
  description?: string;
  author?: string;
  dependencies: DeclaredDependency[];
}

const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;

function firstLine(lines: readonly string[], pattern: RegExp): number {
  const i = lines.findIndex((l) => pattern.test(l));
  return i < 0 ? 1 : i + 1;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function personOf(value: unknown): string | undefined {
  const person = record(value);
  if (person) return text(person.email) ?? text(person.name);
  return text(value);
}

export function parsePackageJson(content: string): ManifestInfo {
  let json: Record<string, unknown> | undefined;
  try {
    json = record(JSON.parse(content));
  } catch {
    json = undefined;
  }
  if (!json) return { ecosystem: 'npm', dependencies: [] };
  const lines = content.split('\n');
  const dependencies: DeclaredDependency[] = [];
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const name of Object.keys(record(json[field]) ?? {})) {
      if (dependencies.some((d) => d.name === name)) continue;
      dependencies.push({
        ecosystem: 'npm',
        name,
        line: firstLine(lines, new RegExp(`^\\s*"${escape(name)}"\\s*:`)),
      });
    }
  }
  return {
    ecosystem: 'npm',
    name: text(json.name),
    description: text(json.description),
    author: personOf(json.author),
    dependencies,
  };
}

/** The distribution name at the start of a PEP 508 requirement. */
function pep508Name(requirement: string): string | undefined {
  const m = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/.exec(requirement);
  return m ? normalisePypiName(m[1]) : undefined;
}

export function parseRequirementsTxt(content: string): ManifestInfo {
  const dependencies: DeclaredDependency[] = [];
  content.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    // Options, includes, editable installs and direct URLs name no index package.
    if (!line || line.startsWith('-') || /^[a-z+]+:\/\//i.test(line)) return;
    const name = pep508Name(line);
    if (name) dependencies.push({ ecosystem: 'pypi', name, line: i + 1 });
  });
  return { ecosystem: 'pypi', dependencies };
}

function tomlPerson(entry: TomlEntry | undefined): string | undefined {
  if (!entry) return undefined;
  const email = /email\s*=\s*["']([^"']+)["']/.exec(entry.value);
  if (email) return email[1];
  const name = /name\s*=\s*["']([^"']+)["']/.exec(entry.value);
  if (name) return name[1];
  const first = entry.items?.[0]?.value;
  const angle = first ? /<([^>]+)>/.exec(first) : null;
  return angle ? angle[1] : first;
}

const find = (entries: TomlEntry[], table: string, key: string) =>
  entries.find((e) => e.table === table && e.key === key);

export function parsePyproject(content: string): ManifestInfo {
  const entries = readToml(content);
  const dependencies: DeclaredDependency[] = [];
  const add = (name: string | undefined, line: number) => {
    if (name && name !== 'python' && !dependencies.some((d) => d.name === name))
      dependencies.push({ ecosystem: 'pypi', name, line });
  };
  for (const e of entries) {
    const pep621 =
      (e.table === 'project' && e.key === 'dependencies') || e.table === 'project.optional-dependencies';
    if (pep621) for (const item of e.items ?? []) add(pep508Name(item.value), item.line);
    if (/^tool\.poetry(\.group\.[^.]+)?\.(dev-)?dependencies$/.test(e.table)) add(pep508Name(e.key), e.line);
  }
  const field = (key: string) => find(entries, 'project', key) ?? find(entries, 'tool.poetry', key);
  return {
    ecosystem: 'pypi',
    name: tomlString(field('name')?.value ?? ''),
    description: tomlString(field('description')?.value ?? ''),
    author: tomlPerson(field('authors') ?? field('maintainers')),
    dependencies,
  };
}

export function parsePipfile(content: string): ManifestInfo {
  const dependencies = readToml(content)
    .filter((e) => e.table === 'packages' || e.table === 'dev-packages')
    .map((e) => ({ ecosystem: 'pypi' as const, name: normalisePypiName(e.key), line: e.line }));
  return { ecosystem: 'pypi', dependencies };
}

export function parseCargoToml(content: string): ManifestInfo {
  const entries = readToml(content);
  const dependencies: DeclaredDependency[] = [];
  const isDependencyTable = (t: string) => /^(target\..+\.)?(dev-|build-)?dependencies$/.test(t);
  for (const e of entries) {
    if (isDependencyTable(e.table)) dependencies.push({ ecosystem: 'cargo', name: e.key, line: e.line });
  }
  // `[dependencies.candle-core]` declares the crate in the table header itself.
  content.split(/\r?\n/).forEach((raw, i) => {
    const m = /^\s*\[\s*((?:target\.[^\]]+\.)?(?:dev-|build-)?dependencies)\.([A-Za-z0-9_-]+)\s*\]/.exec(raw);
    if (m && !dependencies.some((d) => d.name === m[2]))
      dependencies.push({ ecosystem: 'cargo', name: m[2], line: i + 1 });
  });
  return {
    ecosystem: 'cargo',
    name: tomlString(find(entries, 'package', 'name')?.value ?? ''),
    description: tomlString(find(entries, 'package', 'description')?.value ?? ''),
    author: tomlPerson(find(entries, 'package', 'authors')),
    dependencies,
  };
}

function xmlText(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>\\s*([^<]*?)\\s*</${tag}>`).exec(xml);
  return m?.[1] ? m[1] : undefined;
}

export function parsePomXml(content: string): ManifestInfo {
  const dependencies: DeclaredDependency[] = [];
  for (const m of content.matchAll(/<dependency>([\s\S]*?)<\/dependency>/g)) {
    const group = xmlText(m[1], 'groupId');
    const artifact = xmlText(m[1], 'artifactId');
    if (!group || !artifact) continue;
    const artifactAt = (m.index ?? 0) + m[0].indexOf('<artifactId>');
    dependencies.push({
      ecosystem: 'maven',
      name: `${group}:${artifact}`,
      line: lineOf(content, artifactAt),
    });
  }
  // The project's own coordinates are the ones outside parent, dependency and build sections.
  const own = content.replace(
    /<(parent|dependencies|dependencyManagement|build|profiles|developers|plugins)>[\s\S]*?<\/\1>/g,
    '',
  );
  const developer = /<developer>([\s\S]*?)<\/developer>/.exec(content)?.[1];
  return {
    ecosystem: 'maven',
    name: xmlText(own, 'artifactId'),
    description: xmlText(own, 'description') ?? xmlText(own, 'name'),
    author: developer ? (xmlText(developer, 'email') ?? xmlText(developer, 'name')) : undefined,
    dependencies,
  };
}

const GRADLE_CONFIGURATION =
  /^\s*(?:implementation|api|compile|compileOnly|runtimeOnly|testImplementation|testRuntimeOnly|kapt|annotationProcessor)\b/;

export function parseGradle(content: string): ManifestInfo {
  const dependencies: DeclaredDependency[] = [];
  content.split(/\r?\n/).forEach((raw, i) => {
    if (!GRADLE_CONFIGURATION.test(raw)) return;
    const coordinate = /['"]([\w.-]+):([\w.-]+)(?::[^'"]*)?['"]/.exec(raw);
    const mapped = /group\s*[:=]\s*['"]([\w.-]+)['"]\s*,\s*name\s*[:=]\s*['"]([\w.-]+)['"]/.exec(raw);
    const m = coordinate ?? mapped;
    if (m) dependencies.push({ ecosystem: 'maven', name: `${m[1]}:${m[2]}`, line: i + 1 });
  });
  return { ecosystem: 'maven', dependencies };
}

export function parseGoMod(content: string): ManifestInfo {
  const dependencies: DeclaredDependency[] = [];
  let name: string | undefined;
  let inBlock = false;
  content.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/\/\/.*$/, '').trim();
    const module = /^module\s+(\S+)/.exec(line);
    if (module) name = module[1].split('/').pop();
    if (/^require\s*\($/.test(line)) {
      inBlock = true;
      return;
    }
    if (inBlock && line === ')') {
      inBlock = false;
      return;
    }
    const single = /^require\s+(\S+)\s+v\S+/.exec(line);
    const inside = inBlock ? /^(\S+)\s+v\S+/.exec(line) : null;
    const m = single ?? inside;
    if (m) dependencies.push({ ecosystem: 'go', name: m[1], line: i + 1 });
  });
  return { ecosystem: 'go', name, dependencies };
}

export function parseManifest(fileName: string, content: string): ManifestInfo | undefined {
  switch (fileName) {
    case 'package.json':
      return parsePackageJson(content);
    case 'requirements.txt':
      return parseRequirementsTxt(content);
    case 'pyproject.toml':
      return parsePyproject(content);
    case 'Pipfile':
      return parsePipfile(content);
    case 'pom.xml':
      return parsePomXml(content);
    case 'build.gradle':
    case 'build.gradle.kts':
      return parseGradle(content);
    case 'go.mod':
      return parseGoMod(content);
    case 'Cargo.toml':
      return parseCargoToml(content);
    default:
      return undefined;
  }
}
