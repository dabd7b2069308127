/**
 * Worker settings from the environment, where the worker finds its workflow code, and how SDK
 * log lines reach pino with the programme id.
 */
import pino from 'pino';
import { ConfigError, loadConfig } from '../../infra/config';
import { PinoSdkLogger, programmeIdOf } from '../../worker/sdk-logger';
import { workflowSource } from '../../worker/workflow-source';

describe('worker tuning from the environment', () => {
  test('defaults: SDK-sized cache, 20 s shutdown grace, metrics on localhost:9464', () => {
    const { worker, approvalOverdueAfter } = loadConfig({});
    expect(worker).toEqual({
      maxConcurrentActivities: 100,
      maxConcurrentWorkflowTasks: 40,
      maxCachedWorkflows: undefined,
      shutdownGraceMs: 20_000,
      metricsBind: '127.0.0.1:9464',
      workflowBundle: undefined,
    });
    expect(approvalOverdueAfter).toBe('P14D');
  });

  test('reads every setting, and "off" turns the metrics endpoint off', () => {
    const { worker, approvalOverdueAfter } = loadConfig({
      WORKER_MAX_CONCURRENT_ACTIVITIES: '8',
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '16',
      WORKER_MAX_CACHED_WORKFLOWS: '2000',
      WORKER_SHUTDOWN_GRACE_MS: '5000',
      WORKER_METRICS_BIND: 'off',
      WORKFLOW_BUNDLE: '/srv/bundle.js',
      APPROVAL_OVERDUE_AFTER: 'P3DT12H',
    });
    expect(worker).toEqual({
      maxConcurrentActivities: 8,
      maxConcurrentWorkflowTasks: 16,
      maxCachedWorkflows: 2000,
      shutdownGraceMs: 5000,
      metricsBind: undefined,
      workflowBundle: '/srv/bundle.js',
    });
    expect(approvalOverdueAfter).toBe('P3DT12H');
  });

  test.each([
    ['WORKER_MAX_CONCURRENT_ACTIVITIES', '0'],
    ['WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', '1'],
    ['WORKER_MAX_CACHED_WORKFLOWS', '-1'],
    ['WORKER_SHUTDOWN_GRACE_MS', 'soon'],
    ['WORKER_METRICS_BIND', '9464'],
    ['APPROVAL_OVERDUE_AFTER', '14 days'],
    ['APPROVAL_OVERDUE_AFTER', 'P'],
  ])('rejects %s=%s, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(name));
  });
});

describe('workflow source', () => {
  test('uses the prebuilt bundle when it was built', () => {
    const source = workflowSource(
      undefined,
      '/app/dist/workflow-bundle.js',
      (p) => p === '/app/dist/workflow-bundle.js',
    );
    expect(source).toEqual({
      kind: 'bundle',
      path: '/app/dist/workflow-bundle.js',
      options: { workflowBundle: { codePath: '/app/dist/workflow-bundle.js' } },
    });
  });

  test('bundles the sources at start when no bundle was built', () => {
    const source = workflowSource(undefined, '/nowhere/workflow-bundle.js', () => false);
    expect(source.kind).toBe('sources');
    expect(source.path).toBe(require.resolve('../../workflows'));
  });

  test('a configured bundle that does not exist is an error, not a silent fallback', () => {
    expect(() => workflowSource('/typo/bundle.js', '/nowhere', () => false)).toThrow(
      /WORKFLOW_BUNDLE \/typo\/bundle.js/,
    );
  });
});

describe('SDK log lines', () => {
  test('the programme id comes from programme and stage workflow ids', () => {
    expect(programmeIdOf('programme-abc-123')).toBe('abc-123');
    expect(programmeIdOf('programme-abc-123/c2.SURVEILLANCE_1.1')).toBe('abc-123');
    expect(programmeIdOf('other-workflow')).toBeUndefined();
    expect(programmeIdOf(undefined)).toBeUndefined();
  });

  test('reach pino as JSON at their level with workflow and programme ids', () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'debug', base: undefined, timestamp: false },
      { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const sdk = new PinoSdkLogger(logger);
    sdk.warn('Activity failed', { workflowId: 'programme-p1/c1.SCOPING.1', activityType: 'saveRecords' });
    sdk.trace('below the level', { workflowId: 'programme-p1' });
    sdk.info('Worker started');
    expect(lines).toEqual([
      {
        level: 40,
        msg: 'Activity failed',
        workflowId: 'programme-p1/c1.SCOPING.1',
        programmeId: 'p1',
        activityType: 'saveRecords',
      },
      { level: 30, msg: 'Worker started' },
    ]);
  });
});
