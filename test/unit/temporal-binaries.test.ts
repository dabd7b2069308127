import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ALL_SEARCH_ATTRIBUTES } from '../../domain/search-attributes';
import {
  ephemeralExecutable,
  isExecutable,
  projectRoot,
  requireTemporalCli,
  temporalCliPath,
  testServerPath,
  toolsBinDir,
} from '../../infra/temporal-binaries';
import { buildDevServerArgs } from '../../infra/temporal-server';

describe('temporal binaries', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aimsflow-bin-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('finds the project root and the venv bin folder', () => {
    const root = projectRoot();
    expect(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))).toMatchObject({
      name: 'aimsflow',
    });
    expect(toolsBinDir()).toBe(path.join(root, '.tools', 'venv', 'bin'));
  });

  it('resolves the installed binaries by default', () => {
    expect(temporalCliPath({})).toBe(path.join(toolsBinDir(), 'temporal'));
    expect(testServerPath({})).toBe(path.join(toolsBinDir(), 'temporal-test-server'));
  });

  it('honours the environment overrides', () => {
    const env = { TEMPORAL_CLI_PATH: '/opt/t/temporal', TEMPORAL_TEST_SERVER_PATH: '/opt/t/ts' };
    expect(temporalCliPath(env)).toBe('/opt/t/temporal');
    expect(testServerPath(env)).toBe('/opt/t/ts');
  });

  it('uses an existing executable as an existing-path', () => {
    const fake = path.join(tmp, 'temporal');
    fs.writeFileSync(fake, '#!/bin/sh\n', { mode: 0o755 });
    expect(ephemeralExecutable('cli', { TEMPORAL_CLI_PATH: fake })).toEqual({
      type: 'existing-path',
      path: fake,
    });
    expect(ephemeralExecutable('test-server', { TEMPORAL_TEST_SERVER_PATH: fake })).toEqual({
      type: 'existing-path',
      path: fake,
    });
    expect(requireTemporalCli({ TEMPORAL_CLI_PATH: fake })).toBe(fake);
  });

  it('falls back to the SDK download when the binary is missing or not executable', () => {
    const missing = path.join(tmp, 'missing', 'temporal');
    expect(ephemeralExecutable('cli', { TEMPORAL_CLI_PATH: missing })).toEqual({ type: 'cached-download' });
    expect(ephemeralExecutable('test-server', { TEMPORAL_TEST_SERVER_PATH: missing })).toEqual({
      type: 'cached-download',
    });
    const notExecutable = path.join(tmp, 'plain-file');
    fs.writeFileSync(notExecutable, 'x', { mode: 0o644 });
    if (process.getuid?.() !== 0) expect(isExecutable(notExecutable)).toBe(false); // root may execute anything
    expect(isExecutable(tmp)).toBe(false); // a folder is not a binary
  });

  it('explains how to install the CLI when it is missing', () => {
    expect(() => requireTemporalCli({ TEMPORAL_CLI_PATH: path.join(tmp, 'nope') })).toThrow(/npm run tools/);
  });
});

describe('buildDevServerArgs', () => {
  it('passes persistence, UI port, dynamic config and every search attribute', () => {
    const args = buildDevServerArgs({ port: 7300, uiPort: 8300, dbFilename: '/d/t.sqlite' });
    const joined = args.join(' ');
    expect(args.slice(0, 2)).toEqual(['server', 'start-dev']);
    expect(joined).toContain('--port 7300');
    expect(joined).toContain('--ip 127.0.0.1');
    expect(joined).toContain('--ui-port 8300');
    expect(joined).toContain('--db-filename /d/t.sqlite');
    expect(joined).toContain('--dynamic-config-value frontend.enableUpdateWorkflowExecution=true');
    expect(joined).toContain(
      '--dynamic-config-value frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
    );
    expect(args).not.toContain('--headless');
    for (const key of ALL_SEARCH_ATTRIBUTES) {
      expect(args.some((a, i) => args[i - 1] === '--search-attribute' && a.startsWith(`${key.name}=`))).toBe(
        true,
      );
    }
    expect(joined).toContain('--search-attribute AimsCycle=Int');
    expect(joined).toContain('--search-attribute AimsNextDue=Datetime');
    expect(joined).toContain('--search-attribute AimsOverdue=Bool');
    expect(joined).toContain('--search-attribute AimsStage=Keyword');
  });

  it('defaults the UI port to gRPC + 1000 and supports headless mode', () => {
    expect(buildDevServerArgs({ port: 7400 }).join(' ')).toContain('--ui-port 8400');
    const headless = buildDevServerArgs({ port: 7400, headless: true });
    expect(headless).toContain('--headless');
    expect(headless).not.toContain('--ui-port');
    expect(headless).not.toContain('--db-filename');
  });
});
