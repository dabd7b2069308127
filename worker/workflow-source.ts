/**
 * Where the worker gets its workflow code: a prebuilt bundle in production (no webpack at
 * start, identical code on every replica), or the workflow sources bundled at start when no
 * bundle was built (development, tests).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';

/** dist/workflow-bundle.js, written by scripts/build-workflow-bundle.ts (this file is dist/worker/…). */
export const DEFAULT_WORKFLOW_BUNDLE = path.resolve(__dirname, '..', 'workflow-bundle.js');

export type WorkflowSource =
  | { kind: 'bundle'; options: Pick<WorkerOptions, 'workflowBundle'>; path: string }
  | { kind: 'sources'; options: Pick<WorkerOptions, 'workflowsPath'>; path: string };

/**
 * A configured bundle must exist (a typo should not silently fall back to bundling); the
 * default bundle is used when it was built.
 */
export function workflowSource(
  configured?: string,
  defaultBundle = DEFAULT_WORKFLOW_BUNDLE,
  exists: (p: string) => boolean = fs.existsSync,
): WorkflowSource {
  if (configured !== undefined && !exists(configured)) {
    throw new Error(`WORKFLOW_BUNDLE ${configured} does not exist; run \`npm run build\``);
  }
  const bundle = configured ?? (exists(defaultBundle) ? defaultBundle : undefined);
  if (bundle) return { kind: 'bundle', options: { workflowBundle: { codePath: bundle } }, path: bundle };
  const sources = require.resolve('../workflows');
  return { kind: 'sources', options: { workflowsPath: sources }, path: sources };
}
