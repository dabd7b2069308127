/**
 * From findings to AI systems, and from several sources' views of a system to one record.
 *
 * A scanned tree holds projects (a directory with a manifest); every AI finding belongs to the
 * deepest project above it, or to the tree itself. Each project with AI evidence is one AI
 * system, identified by its manifest name (else its directory name) as a slug, so a re-scan of
 * the same tree yields the same ids. Values a scan can only guess (life-cycle stage, AI role)
 * are inferred; an import of the same id overrides them.
 */
import { canonicalJson, sha256Hex } from '../fingerprint';
import type { AiRole } from '../schemas';
import {
  AI_EVIDENCE,
  type AiSystemObservation,
  type AiSystemRecord,
  type LifecycleStage,
  type ScanFinding,
} from './types';

const MAX_LOCATIONS = 200;

/** Lower-case letters, digits and dashes, at most 64: the AI system id format of the scope. */
export function slugify(text: string): string {
  const slug = text
    .toLowerCase()
    .replace(/^@/, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return slug || 'system';
}

/** The directory of a relative, '/'-separated path; '' for the tree's root. */
const dirOf = (p: string) => {
  const slash = p.lastIndexOf('/');
  return slash <= 0 ? '' : p.slice(0, slash);
};

const baseName = (dir: string) => dir.slice(dir.lastIndexOf('/') + 1);

const isUnder = (dir: string, p: string) => dir === '' || p === dir || p.startsWith(`${dir}/`);

// Numeric-aware so that `pom.xml:8` lists before `pom.xml:13`; a fixed locale keeps it stable.
const sortedUnique = (values: Iterable<string>) =>
  [...new Set(values)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));

/** Python import names that differ from their distribution names. */
const MODULE_PACKAGES: Readonly<Record<string, string>> = {
  sklearn: 'scikit-learn',
  sentence_transformers: 'sentence-transformers',
};

interface Project {
  dir: string;
  name?: string;
  description?: string;
  author?: string;
}

function projectsOf(findings: readonly ScanFinding[]): Map<string, Project> {
  const projects = new Map<string, Project>();
  for (const f of findings) {
    if (f.category !== 'project') continue;
    const dir = dirOf(f.path);
    const p = projects.get(dir) ?? { dir };
    p.name ??= f.meta?.name;
    p.description ??= f.meta?.description;
    p.author ??= f.meta?.author;
    projects.set(dir, p);
  }
  return projects;
}

/** GitHub semantics, simplified: the last matching rule wins; `*` matches everything. */
function codeOwner(findings: readonly ScanFinding[], dir: string): string | undefined {
  let owner: string | undefined;
  for (const f of findings) {
    if (f.category !== 'ownership' || !f.meta) continue;
    for (const [pattern, who] of Object.entries(f.meta)) {
      const prefix = pattern.replace(/^\//, '').replace(/\/?\*{0,2}$/, '');
      if (pattern === '*' || (prefix && isUnder(prefix, dir))) owner = who;
    }
  }
  return owner;
}

function location(f: ScanFinding): string {
  if (f.cell !== undefined) return `${f.path}#cell${f.cell}:${f.line ?? 1}`;
  return f.line === undefined ? f.path : `${f.path}:${f.line}`;
}

function component(f: ScanFinding): string | undefined {
  if (f.category === 'dependency' && f.role !== 'service')
    return f.signature.slice(f.signature.indexOf(':') + 1);
  if (f.category === 'framework-import') {
    const module = f.signature.slice('py:'.length);
    return MODULE_PACKAGES[module] ?? module;
  }
  if (f.category === 'pipeline-config') return f.signature.slice('pipeline:'.length);
  return undefined;
}

function inferLifecycle(findings: readonly ScanFinding[]): LifecycleStage {
  return findings.some((f) => f.category === 'notebook' || f.category === 'pipeline-config')
    ? 'design_development'
    : 'unknown';
}

/**
 * Training or shipping models makes the organisation an AI producer; building on hosted models
 * (directly or through an orchestration library), a customer of their provider.
 */
function inferRole(findings: readonly ScanFinding[]): AiRole | undefined {
  const builds = findings.some(
    (f) =>
      f.category === 'model-artefact' ||
      f.category === 'framework-import' ||
      (f.category === 'dependency' && f.role === 'framework'),
  );
  if (builds) return 'producer';
  return findings.some((f) => f.service) ? 'customer' : undefined;
}

export interface ObservationOptions {
  /** Names the system of findings outside any project (the scanned directory's name). */
  rootName: string;
  inScope?: boolean;
}

export function findingsToObservations(
  findings: readonly ScanFinding[],
  options: ObservationOptions,
): AiSystemObservation[] {
  const projects = projectsOf(findings);
  const dirs = [...projects.keys()].sort((a, b) => b.length - a.length);
  const groups = new Map<string, ScanFinding[]>();
  for (const f of findings) {
    if (f.category === 'project' || f.category === 'ownership') continue;
    const home = dirs.find((d) => isUnder(d, f.path)) ?? '';
    groups.set(home, [...(groups.get(home) ?? []), f]);
  }

  // Only a project with AI evidence is an AI system; a data source alone does not make one.
  const named = [...groups.keys()]
    .filter((dir) => (groups.get(dir) ?? []).some((f) => AI_EVIDENCE.has(f.category)))
    .sort()
    .map((dir) => {
      const project = projects.get(dir);
      const name = project?.name ?? (dir ? baseName(dir) : options.rootName);
      return { dir, name, slug: slugify(name) };
    });
  const taken = new Map<string, number>();
  for (const n of named) taken.set(n.slug, (taken.get(n.slug) ?? 0) + 1);

  return named.map(({ dir, name, slug }) => {
    const group = groups.get(dir) ?? [];
    const project = projects.get(dir);
    // Two projects with one name keep distinct, stable ids: the directory decides the suffix.
    const id = (taken.get(slug) ?? 0) > 1 ? `${slug.slice(0, 57)}-${sha256Hex(dir).slice(0, 6)}` : slug;
    const models = group.flatMap((f) => {
      if (f.category === 'model-artefact') return [`${f.path} (${f.signature.slice('model:'.length)})`];
      if (f.category === 'model-reference') return [f.signature];
      return [];
    });
    return {
      id,
      name,
      purpose: project?.description,
      owner: project?.author ?? codeOwner(findings, dir),
      lifecycleStage: inferLifecycle(group),
      aiRole: inferRole(group),
      dataSources: sortedUnique(group.filter((f) => f.category === 'data-source').map((f) => f.signature)),
      models: sortedUnique(models),
      thirdPartyServices: sortedUnique(group.flatMap((f) => (f.service ? [f.service] : []))),
      frameworks: sortedUnique(group.flatMap((f) => component(f) ?? [])),
      locations: sortedUnique(group.map(location)).slice(0, MAX_LOCATIONS),
      inScope: options.inScope,
      registered: false,
    };
  });
}

export interface SourcedObservation {
  sourceKey: string;
  observation: AiSystemObservation;
}

/** The fields whose change makes a system "changed" on a re-scan; locations move with every edit. */
export function fingerprintOf(
  r: Omit<AiSystemRecord, 'fingerprint' | 'firstSeenAt' | 'updatedAt' | 'lastScanId' | 'status'>,
): string {
  const { locations: _locations, sources: _sources, ...significant } = r;
  return sha256Hex(canonicalJson(significant));
}

/**
 * Merges every source's observation of one system. What the organisation registered (imports)
 * wins for single values; lists are unions.
 */
export function mergeObservations(
  observations: readonly SourcedObservation[],
  meta: { firstSeenAt: string; updatedAt: string; lastScanId: string },
): AiSystemRecord {
  const ordered = [...observations].sort(
    (a, b) =>
      Number(b.observation.registered) - Number(a.observation.registered) ||
      (a.sourceKey < b.sourceKey ? -1 : a.sourceKey > b.sourceKey ? 1 : 0),
  );
  const first = <K extends keyof AiSystemObservation>(key: K, skip?: AiSystemObservation[K]) =>
    ordered.map((o) => o.observation[key]).find((v) => v !== undefined && v !== skip);
  const union = (key: 'dataSources' | 'models' | 'thirdPartyServices' | 'frameworks' | 'locations') =>
    sortedUnique(ordered.flatMap((o) => o.observation[key]));
  const base = {
    id: ordered[0].observation.id,
    name: first('name') ?? ordered[0].observation.id,
    purpose: first('purpose'),
    owner: first('owner'),
    lifecycleStage: first('lifecycleStage', 'unknown') ?? 'unknown',
    aiRole: first('aiRole'),
    dataSources: union('dataSources'),
    models: union('models'),
    thirdPartyServices: union('thirdPartyServices'),
    frameworks: union('frameworks'),
    locations: union('locations').slice(0, MAX_LOCATIONS),
    inScope: first('inScope'),
    registered: ordered.some((o) => o.observation.registered),
    discovered: ordered.some((o) => !o.observation.registered),
    sources: sortedUnique(ordered.map((o) => o.sourceKey)),
  };
  const compacted = Object.fromEntries(
    Object.entries(base).filter(([, v]) => v !== undefined),
  ) as typeof base;
  return { ...compacted, status: 'active', fingerprint: fingerprintOf(compacted), ...meta };
}

export type Change = 'new' | 'changed' | 'gone' | 'unchanged';

/** How a system moved between the stored record and what the sources now say (undefined: not there). */
export function classifyChange(
  previous: Pick<AiSystemRecord, 'status' | 'fingerprint'> | undefined,
  next: Pick<AiSystemRecord, 'fingerprint'> | undefined,
): Change | undefined {
  const wasActive = previous?.status === 'active';
  if (next) {
    if (!wasActive) return 'new';
    return previous?.fingerprint === next.fingerprint ? 'unchanged' : 'changed';
  }
  return wasActive ? 'gone' : undefined;
}

/**
 * The order files are listed and processed in: segment by segment, so a directory's contents
 * stay together. A scan's cursor is a path in this order.
 */
export function comparePaths(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return x.length - y.length;
}
