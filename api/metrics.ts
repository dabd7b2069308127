/**
 * The API's Prometheus metrics: request rate, latency and errors by route template, Node process
 * metrics, and the domain gauges dashboards watch (programmes by stage, lapsed certificates,
 * open nonconformities, pending and overdue approvals) read from the database at scrape time.
 * The worker's Temporal SDK metrics are served by the worker itself (WORKER_METRICS_BIND).
 */
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { OpsSnapshot } from '../db/ops-stats';

export interface OpsSource {
  snapshot(): Promise<OpsSnapshot>;
}

export interface ApiMetricsOptions {
  ops?: OpsSource;
  /** Node process metrics (CPU, memory, event loop lag, GC). Default true. */
  processMetrics?: boolean;
  /** A scrape within this long of the last one reuses its database snapshot. Default 5 s. */
  opsCacheMs?: number;
  /** How many workflows Temporal reports as failing their tasks (workflow-problems.ts). */
  failingWorkflows?: () => Promise<number>;
  log?: Logger;
}

export interface ApiMetrics {
  readonly registry: Registry;
  readonly contentType: string;
  /** Records one answered request. `route` is the route template, never the raw path. */
  observe(method: string, route: string, status: number, seconds: number): void;
  render(): Promise<string>;
}

/** Request latency buckets (seconds): Updates wait for a workflow task, so the tail matters. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createApiMetrics(options: ApiMetricsOptions = {}): ApiMetrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'aimsflow_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'aimsflow_http_request_duration_seconds',
    help: 'HTTP request latency by method, route template and status class',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'aimsflow_http_request_errors_total',
    help: 'HTTP requests answered with a 5xx status, by method and route template',
    labelNames: ['method', 'route'] as const,
    registers: [registry],
  });

  const failing = options.failingWorkflows;
  if (failing) {
    new Gauge({
      name: 'aimsflow_workflows_failing',
      help: 'Running workflows whose workflow tasks keep failing (TemporalReportedProblems): they cannot make progress until an operator acts; NaN when Temporal cannot say',
      registers: [registry],
      async collect() {
        this.set(
          await failing().catch((err: unknown) => {
            options.log?.warn({ err }, 'failing workflows could not be counted');
            return NaN;
          }),
        );
      },
    });
  }

  const domain = options.ops
    ? registerDomainGauges(registry, options.ops, options.opsCacheMs ?? 5000, options.log)
    : undefined;

  return {
    registry,
    contentType: registry.contentType,
    observe(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      duration.observe({ method, route, status_class: `${Math.floor(status / 100)}xx` }, seconds);
      if (status >= 500) errors.inc({ method, route });
    },
    render: () => {
      domain?.beginScrape();
      return registry.metrics();
    },
  };
}

/**
 * Every gauge reads the same snapshot, taken when a scrape begins: one set of queries per
 * scrape, not one per gauge, and none at all for scrapes closer together than `cacheMs`.
 * When the database cannot answer, the labelled gauges are empty, the others NaN, and
 * aimsflow_ops_up is 0.
 */
function registerDomainGauges(
  registry: Registry,
  ops: OpsSource,
  cacheMs: number,
  log?: Logger,
): { beginScrape(): void } {
  let cached: { at: number; snapshot: Promise<OpsSnapshot | undefined> } | undefined;
  const beginScrape = (): void => {
    const now = Date.now();
    if (cached && now - cached.at < cacheMs) return;
    cached = {
      at: now,
      snapshot: ops.snapshot().catch((err: unknown) => {
        scrapeErrors.inc();
        log?.warn({ err }, 'domain metrics unavailable');
        return undefined;
      }),
    };
  };
  const snapshot = (): Promise<OpsSnapshot | undefined> => {
    if (!cached) beginScrape();
    return cached?.snapshot ?? Promise.resolve(undefined);
  };
  const single = (name: string, help: string, value: (s: OpsSnapshot) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const s = await snapshot();
        this.set(s ? value(s) : NaN);
      },
    });

  new Gauge({
    name: 'aimsflow_ops_up',
    help: '1 when the domain gauges could be read from the database at this scrape, else 0',
    registers: [registry],
    async collect() {
      this.set((await snapshot()) ? 1 : 0);
    },
  });

  new Gauge({
    name: 'aimsflow_programmes',
    help: 'Programmes by current stage and status',
    labelNames: ['stage', 'status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of (await snapshot())?.programmes ?? []) {
        this.set({ stage: row.stage, status: row.status }, row.count);
      }
    },
  });
  single(
    'aimsflow_programmes_overdue',
    'Active programmes whose certificate has lapsed (surveillance or recertification missed)',
    (s) => s.overdueProgrammes,
  );
  new Gauge({
    name: 'aimsflow_nonconformities_open',
    help: 'Nonconformities not yet verified, by grade (minor_nc, major_nc) and status',
    labelNames: ['grade', 'status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of (await snapshot())?.openNonconformities ?? []) {
        this.set({ grade: row.grade, status: row.status }, row.count);
      }
    },
  });
  single(
    'aimsflow_approvals_pending',
    'Approval gates of the current step whose submitted artefact awaits a decision',
    (s) => s.pendingApprovals,
  );
  single(
    'aimsflow_approvals_overdue',
    'Pending approvals waiting longer than APPROVAL_OVERDUE_AFTER',
    (s) => s.overdueApprovals,
  );
  // Registered last, so a failure of this scrape is counted before the counter is written out.
  const scrapeErrors = new Counter({
    name: 'aimsflow_ops_scrape_errors_total',
    help: 'Scrapes whose domain gauges could not be read from the database',
    registers: [registry],
  });
  return { beginScrape };
}

/**
 * Times every request and records it under its route template (`/programmes/:id`), so labels
 * stay bounded whatever ids clients send; unmatched paths share one label.
 */
export function httpMetrics(metrics: ApiMetrics): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.once('finish', () => {
      const route = req.route as { path?: unknown } | undefined;
      const template = typeof route?.path === 'string' ? `${req.baseUrl}${route.path}` : 'unmatched';
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      metrics.observe(req.method, template, res.statusCode, seconds);
    });
    next();
  };
}
