/**
 * Shapes shared by the scanner, the inventory activities, the scan workflow and the API. Plain
 * JSON data: findings and observations cross the activity boundary and live in the database.
 */
import type { AiRole, LifecycleStage } from '../schemas';

export type { LifecycleStage } from '../schemas';

/** What a finding is evidence of. `project` and `ownership` only mark where systems begin and who owns them. */
export const FINDING_CATEGORIES = [
  'project',
  'ownership',
  'dependency',
  'model-artefact',
  'api-call',
  'sdk-import',
  'framework-import',
  'model-reference',
  'data-source',
  'notebook',
  'model-card',
  'pipeline-config',
] as const;
export type FindingCategory = (typeof FINDING_CATEGORIES)[number];

/** Categories that make a project an AI system; `data-source` only describes one. */
export const AI_EVIDENCE: ReadonlySet<FindingCategory> = new Set<FindingCategory>([
  'dependency',
  'model-artefact',
  'api-call',
  'sdk-import',
  'framework-import',
  'model-reference',
  'notebook',
  'model-card',
  'pipeline-config',
]);

/**
 * What a dependency or import contributes to the AI system record: a hosted AI service, an ML
 * framework (training or inference), an LLM orchestration library, or an ML pipeline tool.
 */
export type ComponentRole = 'service' | 'framework' | 'orchestration' | 'pipeline';

export interface ScanFinding {
  /** Stable across scans of the same tree: a hash of category, signature and location. */
  id: string;
  category: FindingCategory;
  /** Machine-readable signature, e.g. `npm:openai`, `model:safetensors`, `api:openai`. */
  signature: string;
  /** Root-relative POSIX path of the file that holds the evidence. */
  path: string;
  /** 1-based line, when the evidence is a line of text. */
  line?: number;
  /** 0-based code cell, for evidence inside a notebook. */
  cell?: number;
  /** Short excerpt with credentials masked; never the file's content. */
  evidence: string;
  /** Human name of the hosted AI service, for third-party evidence. */
  service?: string;
  /** For dependencies and imports: what the component is. */
  role?: ComponentRole;
  /** For `project`: manifest name, description and author; for `ownership`: CODEOWNERS rules. */
  meta?: Record<string, string>;
}

export const SKIP_REASONS = [
  'symlink',
  'symlink-outside-root',
  'too-large',
  'unreadable',
  'file-limit',
  'depth-limit',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface SkippedEntry {
  path: string;
  reason: SkipReason;
}

export interface ScanLimits {
  /** Text files larger than this are not read (model files are identified from their first bytes whatever their size). */
  maxFileBytes: number;
  /** Files listed beyond this are skipped with `file-limit`. */
  maxFiles: number;
  /** Directories nested deeper than this are skipped with `depth-limit`. */
  maxDepth: number;
}

export const DEFAULT_SCAN_LIMITS: ScanLimits = {
  maxFileBytes: 2 * 1024 * 1024,
  maxFiles: 200_000,
  maxDepth: 64,
};

/** One AI system as one source (a scanned tree or an import) sees it. */
export interface AiSystemObservation {
  id: string;
  name: string;
  purpose?: string;
  owner?: string;
  lifecycleStage: LifecycleStage;
  aiRole?: AiRole;
  dataSources: string[];
  models: string[];
  thirdPartyServices: string[];
  frameworks: string[];
  /** Where the evidence was found (root-relative path[:line]) or the import row. */
  locations: string[];
  /** Set by imports and scan requests; the scope overrides it when it lists the system. */
  inScope?: boolean;
  /** True for imports: the organisation declared this system itself. */
  registered: boolean;
}

/** The inventory's record of a system: every source's observation merged. */
export interface AiSystemRecord extends Omit<AiSystemObservation, 'registered'> {
  /** Declared by an import (the API also counts systems listed in the scope). */
  registered: boolean;
  /** Found by at least one scan. */
  discovered: boolean;
  /** Source keys that currently observe it. */
  sources: string[];
  status: 'active' | 'gone';
  /** sha256 of the fields that count as a change (not locations). */
  fingerprint: string;
  firstSeenAt: string;
  updatedAt: string;
  lastScanId: string;
}

export interface InventoryDiff {
  new: string[];
  changed: string[];
  gone: string[];
  unchanged: number;
}

export interface DiscoveredSystem {
  id: string;
  name: string;
  owner?: string;
}

export interface ScanOutcome {
  diff: InventoryDiff;
  /** New systems in scope: each gets an impact-assessment task. */
  newInScope: DiscoveredSystem[];
  skipped: SkippedEntry[];
  /** Attempts the scan activity needed, and where the last one resumed. */
  attempts?: number;
  resumedFrom?: string;
}

/** What a scan or import changed, in counts: the scan's record holds the lists. */
export interface ScanSummary {
  new: number;
  changed: number;
  gone: number;
  unchanged: number;
  /** New systems in scope: each gets an impact-assessment task. */
  newInScope: number;
  skipped: number;
  attempts?: number;
  resumedFrom?: string;
}

export function summariseScan(o: ScanOutcome): ScanSummary {
  return {
    new: o.diff.new.length,
    changed: o.diff.changed.length,
    gone: o.diff.gone.length,
    unchanged: o.diff.unchanged,
    newInScope: o.newInScope.length,
    skipped: o.skipped.length,
    ...(o.attempts !== undefined && { attempts: o.attempts }),
    ...(o.resumedFrom !== undefined && { resumedFrom: o.resumedFrom }),
  };
}
