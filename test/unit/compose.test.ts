/**
 * docker-compose.yml is checked without a Docker engine: against the Compose Specification's
 * JSON schema (shipped by the dclint package) and for the properties this deployment relies
 * on: health checks everywhere, startup order by health, a scalable worker, named volumes,
 * and one image built from the Dockerfile for the API and the worker.
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

const root = path.join(__dirname, '..', '..');
const text = fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
// `merge: true` resolves the YAML merge keys (<<) as Compose does.
const compose = parse(text, { merge: true }) as Compose;

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  container_name?: string;
  ports?: string[];
  healthcheck?: { test: string[] | string };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  volumes?: string[];
  restart?: string;
  stop_grace_period?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

/** dclint's exports map hides the schema from require.resolve; its package.json is exported. */
function composeSchemaPath(): string | undefined {
  try {
    return path.join(path.dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json');
  } catch {
    return undefined;
  }
}
const schemaPath = composeSchemaPath();
// CI installs dclint (devDependency); locally its absence skips only the schema test.

const services = compose.services;
const oneShot = (s: Service) => s.restart === 'no';

test('validates against the Compose Specification JSON schema', () => {
  const schema = JSON.parse(fs.readFileSync(schemaPath as string, 'utf8')) as Record<string, unknown>;
  // The file names its draft with an https URI that Ajv does not know; the keywords are draft-07.
  delete schema.$schema;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  const valid = validate(compose);
  expect(validate.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
});

test('runs MySQL 8, Temporal with its schema job, the Web UI, Mailpit, the API and the worker', () => {
  expect(services.mysql.image).toMatch(/^mysql:8/);
  expect(services.temporal.image).toMatch(/^temporalio\/server:/);
  expect(services['temporal-schema'].image).toMatch(/^temporalio\/admin-tools:/);
  expect(String(services['temporal-schema'].command)).toContain('temporal-sql-tool');
  expect(services['temporal-schema'].environment?.SQL_PLUGIN).toBe('mysql8');
  expect(services.temporal.environment).toMatchObject({ DB: 'mysql8', MYSQL_SEEDS: 'mysql' });
  expect(services['temporal-ui'].image).toMatch(/^temporalio\/ui:/);
  expect(services.mailpit.image).toMatch(/^axllent\/mailpit:/);
});

test('every long-running service has a health check; one-shot jobs run to completion', () => {
  for (const [name, service] of Object.entries(services)) {
    if (oneShot(service)) continue;
    expect({ name, healthcheck: Boolean(service.healthcheck?.test) }).toEqual({ name, healthcheck: true });
  }
});

test('services start in order of health: every dependency is healthy or has completed', () => {
  for (const [name, service] of Object.entries(services)) {
    for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
      expect(services[dependency]).toBeDefined();
      const expected = oneShot(services[dependency]) ? 'service_completed_successfully' : 'service_healthy';
      expect({ name, dependency, condition }).toEqual({ name, dependency, condition: expected });
    }
  }
  expect(Object.keys(services.worker.depends_on ?? {})).toEqual(
    expect.arrayContaining(['mysql', 'temporal-namespace']),
  );
});

test('the API and the worker are one image built from the Dockerfile, wired to MySQL, Temporal and Mailpit', () => {
  for (const name of ['api', 'worker']) {
    const s = services[name];
    expect(s.image).toBe(services.api.image);
    expect(s.build).toBeDefined();
    expect(s.environment).toMatchObject({
      TEMPORAL_ADDRESS: 'temporal:7233',
      SMTP_URL: 'smtp://mailpit:1025',
    });
    expect(s.environment?.DATABASE_URL).toMatch(/^mysql:\/\/aimsflow:[^@]+@mysql:3306\/aimsflow$/);
  }
  expect(services.api.command).toEqual(['node', 'dist/api/main.js']);
  expect(services.worker.command).toEqual(['node', 'dist/worker/main.js']);
  expect(fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8')).toMatch(/^FROM node:20-bookworm-slim/m);
});

test('the worker scales with --scale worker=N: no fixed name, no host ports, metrics for Prometheus', () => {
  const worker = services.worker;
  expect(worker.container_name).toBeUndefined();
  expect(worker.ports).toBeUndefined();
  expect(worker.environment?.WORKER_METRICS_BIND).toBe('0.0.0.0:9464');
  // Docker's stop grace must outlast the worker's own, or SIGKILL cuts activities short.
  const graceMs = Number(worker.environment?.WORKER_SHUTDOWN_GRACE_MS);
  expect(Number.parseInt(worker.stop_grace_period ?? '10s', 10) * 1000).toBeGreaterThan(graceMs);
});

test('state lives in named volumes', () => {
  const named = Object.keys(compose.volumes ?? {});
  expect(named).toEqual(expect.arrayContaining(['mysql-data', 'aimsflow-data']));
  const mounts = Object.values(services).flatMap((s) => s.volumes ?? []);
  for (const volume of named) expect(mounts.some((m) => m.startsWith(`${volume}:`))).toBe(true);
  expect(services.mysql.volumes).toContain('mysql-data:/var/lib/mysql');
});

test('no secret has a default that anyone reading this file would know', () => {
  // `${VAR:-value}` with a value would run a deployment on a published secret.
  const defaulted = [...text.matchAll(/\$\{(\w*(?:PASSWORD|SECRET|PWD)\w*):-([^}]*)\}/g)].filter(
    ([, , v]) => v,
  );
  expect(defaulted.map(([m]) => m)).toEqual([]);
  // Passwords are required: compose refuses to start and names the variable.
  for (const name of ['MYSQL_ROOT_PASSWORD', 'AIMSFLOW_DB_PASSWORD'])
    expect(text).toMatch(new RegExp(`\\$\\{${name}:\\?[^}]*${name}[^}]*\\}`));
  // The approval secret is generated on first start into the volume every replica mounts.
  for (const name of ['api', 'worker']) {
    expect(services[name].environment?.APPROVAL_SECRET).toBe('${APPROVAL_SECRET:-}');
    expect(services[name].environment?.DATA_DIR).toBe('/app/data');
    expect(services[name].volumes).toContain('aimsflow-data:/app/data');
  }
});
