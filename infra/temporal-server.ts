/**
 * The embedded Temporal server: `temporal server start-dev` (Temporal CLI) with SQLite persistence,
 * the Web UI, our search attributes and the dynamic config the TypeScript SDK's own test
 * environment uses. Also registers our search attributes on an existing server, for when
 * TEMPORAL_ADDRESS points elsewhere.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection, isGrpcServiceError } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import {
  encodeSearchAttributeIndexedValueType,
  type SearchAttributeKey,
} from '@temporalio/common/lib/search-attributes';
import { ALL_SEARCH_ATTRIBUTES, SEARCH_ATTRIBUTE_CLI_TYPES } from '../domain/search-attributes';
import { describeExit, spawnSupervised, type ExitInfo, type OutputStream } from './process-supervisor';
import { requireTemporalCli } from './temporal-binaries';

export type TemporalLogLevel = 'debug' | 'info' | 'warn' | 'error' | 'never';
type AnySearchAttributeKey = SearchAttributeKey<SearchAttributeType>;

export interface DevServerOptions {
  /** gRPC port. Default: a free port. */
  port?: number;
  /** Web UI port. Default: gRPC port + 1000. Ignored when `headless`. */
  uiPort?: number;
  /** No Web UI. */
  headless?: boolean;
  /** SQLite file for persistence (its folder is created). Without it, state is lost at exit. */
  dbFilename?: string;
  /** Namespace to create at startup and check for readiness. Default "default" (always created). */
  namespace?: string;
  /** Bind address for gRPC and UI. Default 127.0.0.1. */
  ip?: string;
  /** Server log level. Default "warn". */
  logLevel?: TemporalLogLevel;
  logFormat?: 'text' | 'json';
  /** Search attributes to register at startup. Default: ALL_SEARCH_ATTRIBUTES. */
  searchAttributes?: readonly AnySearchAttributeKey[];
  /** Extra `start-dev` arguments, appended last. */
  extraArgs?: readonly string[];
  /** Path of the `temporal` CLI. Default: the installed one (see temporal-binaries.ts). */
  executable?: string;
  /** How long to wait for the server to answer. Default 30 s. */
  startTimeoutMs?: number;
  /** Grace period between SIGTERM and SIGKILL in `stop()`. Default 10 s. */
  stopGraceMs?: number;
  /** Receives each line the server prints. Default: dropped (the tail is kept for errors). */
  onOutput?: (line: string, stream: OutputStream) => void;
}

export interface DevServer {
  /** gRPC target, e.g. "127.0.0.1:7233". */
  readonly address: string;
  readonly namespace: string;
  /** Undefined when headless. */
  readonly uiUrl: string | undefined;
  readonly dbFilename: string | undefined;
  readonly pid: number | undefined;
  /** Resolves when the server process exits, for whatever reason. */
  readonly exited: Promise<ExitInfo>;
  /** The last lines the server printed. */
  outputTail(): string;
  /** SIGTERM, wait for exit, SIGKILL after the grace period. Idempotent. */
  stop(): Promise<void>;
}

export class DevServerStartError extends Error {
  constructor(
    message: string,
    readonly outputTail: string,
  ) {
    super(outputTail ? `${message}\n--- temporal server output (tail) ---\n${outputTail}` : message);
    this.name = 'DevServerStartError';
  }
}

/** The dynamic config values the SDK's own `createLocal()` passes (sdk-core ephemeral_server). */
export const DEV_SERVER_DYNAMIC_CONFIG: readonly string[] = [
  'frontend.enableUpdateWorkflowExecution=true',
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
];

/** `Name=Type` for `--search-attribute`. */
export function searchAttributeCliSpec(key: AnySearchAttributeKey): string {
  const type = SEARCH_ATTRIBUTE_CLI_TYPES[key.type];
  if (!type) throw new Error(`No CLI type for search attribute ${key.name} (${key.type})`);
  return `${key.name}=${type}`;
}

export interface DevServerArgsInput {
  port: number;
  uiPort?: number;
  headless?: boolean;
  dbFilename?: string;
  namespace?: string;
  ip?: string;
  logLevel?: TemporalLogLevel;
  logFormat?: 'text' | 'json';
  searchAttributes?: readonly AnySearchAttributeKey[];
  extraArgs?: readonly string[];
}

/** The full argument list for `temporal`, exported for tests. */
export function buildDevServerArgs(o: DevServerArgsInput): string[] {
  const args = [
    'server',
    'start-dev',
    '--port',
    String(o.port),
    '--ip',
    o.ip ?? '127.0.0.1',
    '--namespace',
    o.namespace ?? 'default',
    '--log-level',
    o.logLevel ?? 'warn',
    '--log-format',
    o.logFormat ?? 'text',
    '--color',
    'never',
  ];
  for (const value of DEV_SERVER_DYNAMIC_CONFIG) args.push('--dynamic-config-value', value);
  if (o.dbFilename) args.push('--db-filename', o.dbFilename);
  if (o.headless) args.push('--headless');
  else args.push('--ui-port', String(o.uiPort ?? o.port + 1000), '--ui-disable-news-fetch');
  for (const key of o.searchAttributes ?? ALL_SEARCH_ATTRIBUTES) {
    args.push('--search-attribute', searchAttributeCliSpec(key));
  }
  args.push(...(o.extraArgs ?? []));
  return args;
}

/** A TCP port that was free a moment ago (the OS picks it). */
export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('Could not determine a free port'))));
    });
  });
}

/** True when nothing listens on host:port (we can bind it ourselves). */
export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${err.message}${cause}`;
  }
  return String(err);
}

/** One readiness probe: connect, getSystemInfo (inside ensureConnected), describe the namespace. */
async function probe(address: string, namespace: string): Promise<void> {
  const connection = Connection.lazy({ address, connectTimeout: 2000 });
  try {
    await connection.ensureConnected();
    await connection.workflowService.describeNamespace({ namespace });
  } finally {
    await connection.close();
  }
}

/** Starts `temporal server start-dev` and resolves once it answers gRPC calls. */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  const executable = options.executable ?? requireTemporalCli();
  const port = options.port ?? (await findFreePort(ip));
  const uiPort = options.headless ? undefined : (options.uiPort ?? port + 1000);
  const dbFilename = options.dbFilename ? path.resolve(options.dbFilename) : undefined;

  // Without this check, a readiness probe could succeed against some other server on the port.
  for (const [what, p] of [
    ['gRPC', port],
    ['Web UI', uiPort],
  ] as const) {
    if (p !== undefined && !(await isPortFree(p, ip))) {
      throw new DevServerStartError(
        `Cannot start the Temporal dev server: ${what} port ${ip}:${p} is already in use ` +
          '(another Temporal server? choose another port, or point TEMPORAL_ADDRESS at the running server)',
        '',
      );
    }
  }
  if (dbFilename) fs.mkdirSync(path.dirname(dbFilename), { recursive: true });

  const args = buildDevServerArgs({ ...options, port, uiPort, ip, namespace, dbFilename });
  // The CLI reads TEMPORAL_* variables as client options; keep the parent's out of the server's way.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_')));
  const child = spawnSupervised({
    name: 'temporal',
    command: executable,
    args,
    env,
    onLine: options.onOutput,
    tailLines: 80,
  });
  const address = `${ip}:${port}`;
  const stop = async (): Promise<void> => {
    await child.stop(options.stopGraceMs ?? 10_000);
  };

  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: string | undefined;
  for (;;) {
    if (child.exitInfo) {
      throw new DevServerStartError(
        `Temporal dev server ${describeExit(child.exitInfo)} before it was ready (${executable} ${args.join(' ')})`,
        child.outputTail(),
      );
    }
    const ready = await Promise.race([
      probe(address, namespace).then(
        () => true,
        (err: unknown) => {
          lastError = errorMessage(err);
          return false;
        },
      ),
      child.exited.then(() => false), // do not sit out a connect timeout once the process is gone
    ]);
    if (ready) break;
    if (Date.now() >= deadline) {
      await stop();
      throw new DevServerStartError(
        `Temporal dev server at ${address} not ready after ${timeoutMs} ms (last error: ${lastError ?? 'none'})`,
        child.outputTail(),
      );
    }
    await Promise.race([sleep(250), child.exited]);
  }

  return {
    address,
    namespace,
    uiUrl: uiPort === undefined ? undefined : `http://${ip}:${uiPort}`,
    dbFilename,
    pid: child.pid,
    exited: child.exited,
    outputTail: () => child.outputTail(),
    stop,
  };
}

const GRPC_ALREADY_EXISTS = 6;

type IndexedValueType = NonNullable<ReturnType<typeof encodeSearchAttributeIndexedValueType>>;

export function indexedValueType(type: SearchAttributeType): IndexedValueType {
  const value = encodeSearchAttributeIndexedValueType(type);
  if (value === undefined) throw new Error(`Unknown search attribute type ${type}`);
  return value;
}

function typeFromIndexedValueType(value: number): SearchAttributeType | undefined {
  return Object.values(SearchAttributeType).find((t) => Number(indexedValueType(t)) === value);
}

/** Every search attribute (custom and system) known to the namespace, with its SDK type. */
export async function listSearchAttributeTypes(
  connection: Connection,
  namespace: string,
): Promise<Map<string, SearchAttributeType | undefined>> {
  const res = await connection.operatorService.listSearchAttributes({ namespace });
  const result = new Map<string, SearchAttributeType | undefined>();
  for (const [name, value] of Object.entries({ ...res.systemAttributes, ...res.customAttributes })) {
    result.set(name, typeFromIndexedValueType(Number(value)));
  }
  return result;
}

/**
 * Adds our search attributes to a namespace of an existing server, idempotently: attributes that
 * already exist with the right type are left alone; one that exists with another type is an error.
 * Returns the names that were added.
 */
export async function registerSearchAttributes(
  connection: Connection,
  namespace: string,
  keys: readonly AnySearchAttributeKey[] = ALL_SEARCH_ATTRIBUTES,
): Promise<string[]> {
  const added: string[] = [];
  let existing = await listSearchAttributeTypes(connection, namespace);
  for (const key of keys) {
    if (!existing.has(key.name)) {
      try {
        await connection.operatorService.addSearchAttributes({
          namespace,
          searchAttributes: { [key.name]: indexedValueType(key.type) },
        });
        added.push(key.name);
        continue;
      } catch (err) {
        if (!(isGrpcServiceError(err) && Number(err.code) === GRPC_ALREADY_EXISTS)) throw err;
        existing = await listSearchAttributeTypes(connection, namespace); // someone else added it
      }
    }
    const actual = existing.get(key.name);
    if (actual !== key.type) {
      throw new Error(
        `Search attribute ${key.name} exists in namespace ${namespace} with type ${String(actual)}, expected ${key.type}`,
      );
    }
  }
  return added;
}
