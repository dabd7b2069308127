/**
 * Runtime configuration from the environment, validated once at startup so that a bad value
 * fails fast with a message naming the variable.
 */
import path from 'node:path';
import { z } from 'zod';
import type { RestartLimits } from './restart-policy';

/** A whole number within bounds, with a message that says so (the variable is named by the caller). */
function wholeNumber(min: number, max: number) {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);
}

/** Where a Prometheus endpoint listens: host:port, or off. */
function metricsBind(example: string) {
  return z.string().regex(/^(off|[^\s:]+:\d{1,5})$/, `must be host:port (e.g. ${example}) or off`);
}

/**
 * A placeholder secret ("change me", as the compose file's former default
 * development-only-approval-secret-change-me) signs links that anybody who read the repository
 * can forge; refuse it rather than run with it.
 */
const ApprovalSecret = z
  .string()
  .min(32, 'must be at least 32 characters')
  .refine((s) => !/change-?me/i.test(s), {
    message: 'is a published placeholder; generate one (e.g. openssl rand -base64 32)',
  });

const EnvVariables = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATA_DIR: z.string().default('data'),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|mysql:\/\/|mariadb:\/\/)/, 'must start with sqlite:, mysql:// or mariadb://')
    .optional(),
  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('aimsflow'),
  TEMPORAL_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  EVIDENCE_DIR: z.string().optional(),
  EVIDENCE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(25 * 1024 * 1024),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, 'must be smtp://host:port or smtps://user:password@host:port')
    .optional(),
  MAIL_FROM: z.string().min(3).default('aimsflow <aimsflow@localhost>'),
  PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  // Empty counts as unset, so a compose file can pass `${APPROVAL_SECRET:-}` through.
  APPROVAL_SECRET: z.preprocess((v) => (v === '' ? undefined : v), ApprovalSecret.optional()),
  // Secrets retired by a rotation: links they signed still open until they expire (docs/approvals.md).
  APPROVAL_SECRET_PREVIOUS: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    )
    .pipe(z.array(ApprovalSecret)),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(10_000).default(100),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(10_000).default(40),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(1_000_000).optional(),
  WORKER_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(20_000),
  WORKER_METRICS_BIND: metricsBind('0.0.0.0:9464').default('127.0.0.1:9464'),
  WORKFLOW_BUNDLE: z.string().optional(),
  APPROVAL_OVERDUE_AFTER: z
    .string()
    .regex(
      /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/,
      'must be an ISO 8601 duration',
    )
    .default('P14D'),
  // Comma-separated absolute directories that inventory scans may read (default: <DATA_DIR>/sources).
  SCAN_ROOTS: z
    .string()
    .optional()
    .refine((v) => v === undefined || v.split(',').every((p) => path.isAbsolute(p.trim())), {
      message: 'must be a comma-separated list of absolute paths',
    }),
  SCAN_MAX_FILE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 ** 3)
    .default(2 * 1024 * 1024),
  SCAN_MAX_FILES: z.coerce.number().int().min(1).max(10_000_000).default(200_000),
  AUTH_FAILURE_LIMIT: wholeNumber(1, 100_000).default(20),
  AUTH_FAILURE_WINDOW_SECONDS: wholeNumber(1, 86_400).default(900),
  APPROVAL_LINK_RATE_LIMIT: wholeNumber(1, 100_000).default(60),
  APPROVAL_LINK_RATE_WINDOW_SECONDS: wholeNumber(1, 86_400).default(60),
  TRUST_PROXY: z
    .string()
    .regex(
      /^(true|false|\d{1,2}|[A-Za-z0-9.:/]+(\s*,\s*[A-Za-z0-9.:/]+)*)$/,
      'must be true, false, a hop count, or comma-separated addresses/subnets (e.g. loopback, 10.0.0.0/8)',
    )
    .optional(),
  IDEMPOTENCY_KEY_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 24 * 3600)
    .default(24 * 3600),
  LAUNCHER_MAX_RESTARTS: wholeNumber(0, 1000).default(5),
  LAUNCHER_RESTART_WINDOW_SECONDS: wholeNumber(1, 86_400).default(300),
  LAUNCHER_RESTART_DELAY_MS: wholeNumber(10, 3_600_000).default(1000),
  LAUNCHER_RESTART_MAX_DELAY_MS: wholeNumber(10, 3_600_000).default(30_000),
  LAUNCHER_METRICS_BIND: metricsBind('127.0.0.1:9465').default('127.0.0.1:9465'),
});

/** Rules between variables, checked once each variable is valid on its own. */
const Env = EnvVariables.refine((e) => e.LAUNCHER_RESTART_MAX_DELAY_MS >= e.LAUNCHER_RESTART_DELAY_MS, {
  path: ['LAUNCHER_RESTART_MAX_DELAY_MS'],
  message: 'must be at least LAUNCHER_RESTART_DELAY_MS',
});

export interface AppConfig {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string;
  /** Undefined when the embedded dev server should be started. */
  temporalAddress?: string;
  temporalNamespace: string;
  taskQueue: string;
  temporalPort: number;
  temporalUiPort: number;
  logLevel: z.output<typeof Env>['LOG_LEVEL'];
  worker: WorkerTuning;
  /** An approval is counted overdue (metrics) when its artefact waited this long for a decision. */
  approvalOverdueAfter: string;
  /** Content-addressed evidence files. */
  evidenceDir: string;
  evidenceMaxBytes: number;
  mail: MailConfig;
  /** Inventory scans: where they may read, and how much. */
  scan: ScanConfig;
  /** Rate limits and proxy trust of the API (docs/security.md, Rate limits). */
  security: SecurityConfig;
  /** How long the API remembers an Idempotency-Key and the response it gave. */
  idempotencyKeyTtlSeconds: number;
  /** How `npm start` supervises the processes it runs (docs/operations.md, The launcher). */
  launcher: LauncherConfig;
}

/** Restart back-off and limits of the `npm start` launcher, and where it serves its metrics. */
export interface LauncherConfig {
  restarts: RestartLimits;
  /** host:port of the launcher's Prometheus endpoint; undefined when off. */
  metricsBind?: string;
}

export interface SecurityConfig {
  /** Failed authentications per client address and window before further attempts get 429. */
  authFailures: { limit: number; windowMs: number };
  /** Requests to approval-link pages and forms per client address and window. */
  approvalLinks: { limit: number; windowMs: number };
  /** Express `trust proxy`: which proxies' X-Forwarded-For names the client; undefined: none. */
  trustProxy?: boolean | number | string;
  /** Cookies (the approval form's) are Secure when links point at an https:// address. */
  secureCookies: boolean;
}

export interface ScanConfig {
  /** Real directories a scan must lie within. */
  roots: string[];
  /** True when SCAN_ROOTS is unset and the root is <DATA_DIR>/sources, which the API creates. */
  defaultRoot: boolean;
  /** Text files larger than this are skipped; model files are identified from their header at any size. */
  maxFileBytes: number;
  maxFiles: number;
}

/** Approval and notice mail (docs/approvals.md, Mail configuration). */
export interface MailConfig {
  /** Undefined: messages are written to `outboxDir` as .eml files. */
  smtpUrl?: string;
  from: string;
  outboxDir: string;
  /** Base of the links in messages (approval pages, records). */
  publicBaseUrl: string;
  /** Undefined: generated into <DATA_DIR>/approval-secret (approvals/secret.ts). */
  approvalSecret?: string;
  /** Retired secrets still accepted when a link is opened (never used to sign). */
  previousApprovalSecrets: string[];
}

/** Worker concurrency, cache and shutdown settings (docs/operations.md, Scaling workers). */
export interface WorkerTuning {
  maxConcurrentActivities: number;
  maxConcurrentWorkflowTasks: number;
  /** Undefined: the SDK sizes the cache from the heap limit. */
  maxCachedWorkflows?: number;
  shutdownGraceMs: number;
  /** host:port for the worker's Prometheus endpoint; undefined when off. */
  metricsBind?: string;
  /** A prebuilt workflow bundle; undefined: dist/workflow-bundle.js if built, else bundle at start. */
  workflowBundle?: string;
}

export class ConfigError extends Error {}

function trustProxy(value: string | undefined): boolean | number | string | undefined {
  if (value === undefined || value === 'false') return undefined;
  if (value === 'true') return true;
  return /^\d+$/.test(value) ? Number(value) : value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databaseUrl: e.DATABASE_URL ?? `sqlite:${path.join(dataDir, 'aimsflow.sqlite')}`,
    temporalAddress: e.TEMPORAL_ADDRESS,
    temporalNamespace: e.TEMPORAL_NAMESPACE,
    taskQueue: e.TEMPORAL_TASK_QUEUE,
    temporalPort: e.TEMPORAL_PORT,
    temporalUiPort: e.TEMPORAL_UI_PORT,
    logLevel: e.LOG_LEVEL,
    worker: {
      maxConcurrentActivities: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentWorkflowTasks: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
      shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE_MS,
      metricsBind: e.WORKER_METRICS_BIND === 'off' ? undefined : e.WORKER_METRICS_BIND,
      workflowBundle: e.WORKFLOW_BUNDLE ? path.resolve(e.WORKFLOW_BUNDLE) : undefined,
    },
    approvalOverdueAfter: e.APPROVAL_OVERDUE_AFTER,
    evidenceDir: path.resolve(e.EVIDENCE_DIR ?? path.join(dataDir, 'evidence')),
    evidenceMaxBytes: e.EVIDENCE_MAX_BYTES,
    scan: {
      roots: e.SCAN_ROOTS
        ? e.SCAN_ROOTS.split(',').map((p) => path.resolve(p.trim()))
        : [path.join(dataDir, 'sources')],
      defaultRoot: !e.SCAN_ROOTS,
      maxFileBytes: e.SCAN_MAX_FILE_BYTES,
      maxFiles: e.SCAN_MAX_FILES,
    },
    idempotencyKeyTtlSeconds: e.IDEMPOTENCY_KEY_TTL_SECONDS,
    launcher: {
      restarts: {
        maxRestarts: e.LAUNCHER_MAX_RESTARTS,
        windowMs: e.LAUNCHER_RESTART_WINDOW_SECONDS * 1000,
        initialDelayMs: e.LAUNCHER_RESTART_DELAY_MS,
        maxDelayMs: e.LAUNCHER_RESTART_MAX_DELAY_MS,
      },
      metricsBind: e.LAUNCHER_METRICS_BIND === 'off' ? undefined : e.LAUNCHER_METRICS_BIND,
    },
    security: {
      authFailures: { limit: e.AUTH_FAILURE_LIMIT, windowMs: e.AUTH_FAILURE_WINDOW_SECONDS * 1000 },
      approvalLinks: {
        limit: e.APPROVAL_LINK_RATE_LIMIT,
        windowMs: e.APPROVAL_LINK_RATE_WINDOW_SECONDS * 1000,
      },
      trustProxy: trustProxy(e.TRUST_PROXY),
      secureCookies: (e.PUBLIC_BASE_URL ?? '').startsWith('https:'),
    },
    mail: {
      smtpUrl: e.SMTP_URL,
      from: e.MAIL_FROM,
      outboxDir: path.join(dataDir, 'outbox'),
      publicBaseUrl: (
        e.PUBLIC_BASE_URL ??
        `http://${['0.0.0.0', '::', ''].includes(e.HOST) ? '127.0.0.1' : e.HOST}:${e.PORT}`
      ).replace(/\/+$/, ''),
      approvalSecret: e.APPROVAL_SECRET,
      previousApprovalSecrets: e.APPROVAL_SECRET_PREVIOUS,
    },
  };
}
