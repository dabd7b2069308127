/**
 * Temporal test environments backed by the binaries that `npm run tools` installs (offline), with
 * the SDK's download as fallback. Always `await env.teardown()` / `await server.stop()` in afterAll.
 *
 * - `createTimeSkippingEnv()`: the Java time-skipping server; for timers, reminders, deadlines.
 * - `createLocalEnv()`: a real in-memory dev server (CLI) with our search attributes; for Updates
 *   (the time-skipping server does not auto-skip while waiting on them) and visibility queries.
 * - `startPersistentDevServer(dbFile)`: a dev server on a SQLite file that survives `stop()`; start
 *   it again on the same file to test what persists across a server restart.
 */
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundle } from '@temporalio/worker';
import {
  TestWorkflowEnvironment,
  type LocalTestWorkflowEnvironmentOptions,
  type TimeSkippingTestWorkflowEnvironmentOptions,
} from '@temporalio/testing';
import { ALL_SEARCH_ATTRIBUTES } from '../../domain/search-attributes';
import { ephemeralExecutable } from '../../infra/temporal-binaries';
import {
  indexedValueType,
  startDevServer,
  type DevServer,
  type DevServerOptions,
} from '../../infra/temporal-server';

/** The Java test server knows no custom search attributes until they are added through its operator API. */
export async function createTimeSkippingEnv(
  opts: TimeSkippingTestWorkflowEnvironmentOptions = {},
): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    ...opts,
    server: { executable: ephemeralExecutable('test-server'), ...opts.server },
  });
  // The test server cannot list attributes, so registerSearchAttributes() does not apply: add them all.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      ALL_SEARCH_ATTRIBUTES.map((k) => [k.name, indexedValueType(k.type)]),
    ),
  });
  return env;
}

/**
 * The SDK (1.24) already passes `frontend.enableUpdateWorkflowExecution=true` and
 * `frontend.enableUpdateWorkflowExecutionAsyncAccepted=true` to the dev server, so no extra args here.
 */
export function createLocalEnv(
  opts: LocalTestWorkflowEnvironmentOptions = {},
): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    ...opts,
    server: {
      executable: ephemeralExecutable('cli'),
      searchAttributes: [...ALL_SEARCH_ATTRIBUTES],
      log: { format: 'pretty', level: 'warn' },
      ...opts.server,
    },
  });
}

/**
 * A headless dev server on a free port persisting to `dbFile`. Pass `port` to restart on the same
 * address. Server output is kept (see `outputTail()`) and only printed when it fails to start.
 */
export function startPersistentDevServer(
  dbFile: string,
  opts: Omit<DevServerOptions, 'dbFilename'> = {},
): Promise<DevServer> {
  return startDevServer({ headless: true, logLevel: 'warn', ...opts, dbFilename: dbFile });
}

/** Bundles the workflows (webpack: the slow part of a worker start), once per test file. */
export function bundleWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: new DefaultLogger('WARN'),
  });
}

export interface TemporalFixture {
  env: TestWorkflowEnvironment;
  bundle: WorkflowBundle;
}

/**
 * One real dev server (with our search attributes) and one workflow bundle for a whole test
 * file; set up in beforeAll and torn down in afterAll. Read the fields inside tests and hooks.
 */
export function useLocalTemporal(opts: { extraArgs?: string[] } = {}): TemporalFixture {
  const fixture = {} as TemporalFixture;
  beforeAll(async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    fixture.env = await createLocalEnv(opts.extraArgs ? { server: { extraArgs: opts.extraArgs } } : {});
    fixture.bundle = await bundleWorkflows();
  });
  afterAll(async () => {
    await fixture.env?.teardown();
  });
  return fixture;
}

/**
 * A time-skipping server per test (time is global to a server, and a timer left behind by one
 * test would stall time for the next) and one workflow bundle for the file.
 */
export function useTimeSkipping(): TemporalFixture {
  const fixture = {} as TemporalFixture;
  beforeAll(async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    fixture.bundle = await bundleWorkflows();
  });
  beforeEach(async () => {
    fixture.env = await createTimeSkippingEnv();
  });
  afterEach(async () => {
    await fixture.env?.teardown();
  });
  return fixture;
}
