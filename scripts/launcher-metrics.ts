/**
 * The `npm start` launcher's own Prometheus endpoint (LAUNCHER_METRICS_BIND, GET /metrics):
 * `aimsflow_launcher_restarts_total{process}`, the crashed processes it restarted.
 *
 * The launcher serves it rather than the API because the API is one of the processes it
 * restarts: a counter in the API would start from zero each time the API crashed, and could not
 * be scraped while the API crash-loops, which is when it matters.
 */
import { createServer } from 'node:http';
import { Counter, Registry } from 'prom-client';

/** The processes the launcher supervises, as the `process` label names them. */
export type SupervisedName = 'temporal' | 'worker' | 'api';
export const SUPERVISED_NAMES: readonly SupervisedName[] = ['temporal', 'worker', 'api'];

export interface LauncherMetrics {
  /** e.g. http://127.0.0.1:9465/metrics */
  readonly url: string;
  restarted(process: SupervisedName): void;
  close(): Promise<void>;
}

/** Listens on `bind` (host:port); rejects when it cannot (e.g. the port is taken). */
export async function serveLauncherMetrics(bind: string): Promise<LauncherMetrics> {
  const registry = new Registry();
  const restarts = new Counter({
    name: 'aimsflow_launcher_restarts_total',
    help: 'Restarts of a crashed process by the npm start launcher, by process (temporal, worker, api)',
    labelNames: ['process'] as const,
    registers: [registry],
  });
  // Every series exists from the start, so increase() and alerts see the first restart.
  for (const name of SUPERVISED_NAMES) restarts.inc({ process: name }, 0);

  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
    );
  });
  const separator = bind.lastIndexOf(':');
  const host = bind.slice(0, separator);
  const port = Number(bind.slice(separator + 1));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(new Error(`LAUNCHER_METRICS_BIND ${bind}: ${err.message} (choose another host:port, or off)`)),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://${host}:${actualPort}/metrics`,
    restarted: (process) => restarts.inc({ process }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
