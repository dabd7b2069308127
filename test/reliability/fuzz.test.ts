/**
 * The API fuzzed from its own OpenAPI document on the real stack (Temporal dev server, worker,
 * API, database, an SMTP server). For every operation: schema-valid requests (json-schema-faker)
 * and invalid ones (fast-check mutations of valid ones: wrong types, missing and extra fields,
 * bad enums, over-long strings, malformed JSON, wrong media types, hostile path parameters and
 * keys). Whether a request is valid is judged by the document itself (ajv), not by the server.
 *
 * Proves: no 5xx at all; every invalid request is a 4xx application/problem+json with type,
 * title and status (on approval links, which a browser reads, a 4xx refusal page); and the invalid requests change nothing: every table's rows and every
 * workflow's history are the same before and after them.
 *
 * FUZZ_SEED and FUZZ_REQUESTS override the fixed seed and the request count.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { canonicalJson } from '../../db/canonical-json';
import { testDatabases } from '../support/databases';
import { scopeBody } from '../support/fixtures';
import { MailCatcher } from '../support/mail';
import { startStack, type Stack } from '../support/stack';
import { useLocalTemporal } from '../support/temporal';
import { Client, isProblem, type Answer } from './harness';
import { generateSample } from './json-schema-faker';

const SEED = Number(process.env.FUZZ_SEED ?? 20251128);
const TOTAL = Number(process.env.FUZZ_REQUESTS ?? 5200);
/** Schema-valid requests per operation: they reach Temporal and the database, so they cost most. */
const VALID_PER_OPERATION = 5;
const CONCURRENCY = 8;

const temporal = useLocalTemporal();

type Schema = Record<string, unknown>;

interface Param {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: Schema;
}

interface Operation {
  method: string;
  path: string;
  params: Param[];
  body?: { contentType: string; schema: Schema };
  /** Approval links: an approver's browser reads the answer, so a refusal is an HTML page. */
  pages: boolean;
}

interface Planned {
  op: Operation;
  url: string;
  headers: Record<string, string>;
  body?: string | FormData;
  invalid: boolean;
  mutation: string;
}

interface Outcome {
  planned: Planned;
  answer: Answer;
}

/** mulberry32: every choice below follows from the seed. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick<T>(items: readonly T[]): T {
      return items[Math.floor(next() * items.length)];
    },
    chance: (p: number) => next() < p,
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function sample<T>(arbitrary: fc.Arbitrary<T>, seed: number): T {
  return fc.sample(arbitrary, { seed, numRuns: 1 })[0];
}

/** Values that break a string parameter: traversal, encodings, Unicode, control bytes, length. */
const hostileString = fc.oneof(
  fc.constantFrom(
    '../../../etc/passwd',
    '..\\..\\windows\\win.ini',
    '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/absolute/path',
    '..',
    '.',
    ' ',
    'a b',
    '\u0000',
    'null',
    '\u202eevil',
    '😀',
    'ﬁle',
    'Ω≈ç√',
    '<script>alert(1)</script>',
    "' OR 1=1 --",
  ),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
  fc.integer({ min: 129, max: 4000 }).map((n) => 'a'.repeat(n)),
);

const wrongTypeValue = (type: unknown) =>
  type === 'string'
    ? fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}))
    : type === 'array'
      ? fc.oneof(fc.string(), fc.integer(), fc.constant({}))
      : type === 'object'
        ? fc.oneof(fc.string(), fc.integer(), fc.constant([]))
        : fc.oneof(fc.string(), fc.constant([]), fc.constant({ nested: true }));

describe('OpenAPI fuzz', () => {
  const targets = testDatabases();
  // MariaDB when TEST_MYSQL_URL is set (as in CI), else SQLite: one full run keeps it in budget.
  const db = targets[targets.length - 1];
  let mail: MailCatcher;
  let stack: Stack;
  let api: Client;
  let scanRoot: string;
  const programmeIds: string[] = [];

  beforeAll(async () => {
    scanRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'aimsflow-fuzz-root-'));
    mail = await MailCatcher.start();
    stack = await startStack({
      address: temporal.env.address,
      databaseUrl: await db.freshDatabase('fuzz'),
      workflowBundle: temporal.bundle,
      smtpUrl: mail.url,
      scanRoots: [scanRoot],
    });
    api = new Client(stack);
    for (const organisation of ['Fuzz One', 'Fuzz Two', 'Fuzz Three']) {
      const created = await api.send('POST', '/programmes', { organisation, name: 'AIMS' });
      expect(created.status).toBe(201);
      programmeIds.push((created.json as { id: string }).id);
    }
    for (const id of programmeIds) await api.waitForStep(id, 'SCOPING');
    // One programme a step further, so that more inputs meet a live stage.
    expect((await api.send('PUT', `/programmes/${programmeIds[0]}/scope`, scopeBody())).status).toBe(200);
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
    await mail?.stop();
    for (const t of targets) await t.cleanup();
    fs.rmSync(scanRoot, { recursive: true, force: true });
  });

  /** Every table's row count and a hash of its sorted rows. */
  async function databaseFingerprint(): Promise<Record<string, string>> {
    const ds = stack.dataSource();
    const tables = [...new Set(ds.entityMetadatas.map((m) => m.tableName)), 'schema_migrations'].sort();
    const out: Record<string, string> = {};
    for (const table of tables) {
      const rows: Record<string, unknown>[] = await ds.query(`SELECT * FROM ${table}`);
      // A refused request still authenticated with a real key, which notes when it was last used.
      const kept = rows.map((r) => (table === 'api_keys' ? { ...r, last_used_at: null } : r));
      const sorted = kept.map((r) => canonicalJson(r)).sort();
      out[table] = `${rows.length}:${createHash('sha256').update(sorted.join('\n')).digest('hex')}`;
    }
    return out;
  }

  /** Every workflow of this stack with its status and history length. */
  async function temporalFingerprint(): Promise<Record<string, string>> {
    const client = stack.client();
    const out: Record<string, string> = {};
    for await (const w of client.workflow.list({ query: `TaskQueue="${stack.taskQueue}"` })) {
      const d = await client.workflow.getHandle(w.workflowId, w.runId).describe();
      out[`${w.workflowId}/${w.runId}`] = `${d.status.name}:${d.historyLength}`;
    }
    return out;
  }

  const fingerprint = async () => ({
    db: await databaseFingerprint(),
    temporal: await temporalFingerprint(),
  });

  /** Waits (bounded) until the valid requests' consequences (reports, mail, stage moves) settle. */
  async function quiescent(): Promise<Awaited<ReturnType<typeof fingerprint>>> {
    let last = await fingerprint();
    let stable = 0;
    for (let i = 0; i < 240 && stable < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const now = await fingerprint();
      stable = canonicalJson(now) === canonicalJson(last) ? stable + 1 : 0;
      last = now;
    }
    if (stable < 3) throw new Error('the stack did not settle after the valid requests');
    return last;
  }

  test(`${TOTAL}+ generated requests: no 5xx, invalid ones are 4xx problems and change nothing`, async () => {
    const started = Date.now();
    console.log(`fuzz seed ${SEED} (FUZZ_SEED), ${TOTAL} requests (FUZZ_REQUESTS), database ${db.name}`);
    const doc = (await api.send('GET', '/openapi.json')).json as {
      paths: Record<string, Record<string, Schema>>;
      components: { schemas: Record<string, Schema>; parameters: Record<string, Schema> };
    };

    const ajv = new Ajv2020({ strict: false, allErrors: false });
    const ajvCoercing = new Ajv2020({ strict: false, coerceTypes: true });
    for (const a of [ajv, ajvCoercing]) {
      addFormats(a);
      a.addFormat('binary', true);
      a.addSchema({ $id: 'urn:aimsflow:openapi', components: doc.components });
    }
    const validator = (a: Ajv2020, schema: Schema) => {
      const key = canonicalJson(schema);
      const cached = a.getSchema(`urn:fuzz:${createHash('sha256').update(key).digest('hex')}`);
      if (cached) return cached;
      const rebased = JSON.parse(
        key.replace(/"#\/components\//g, '"urn:aimsflow:openapi#/components/'),
      ) as Schema;
      a.addSchema({ ...rebased, $id: `urn:fuzz:${createHash('sha256').update(key).digest('hex')}` });
      return a.getSchema(`urn:fuzz:${createHash('sha256').update(key).digest('hex')}`)!;
    };
    const bodyValid = (schema: Schema, value: unknown) => validator(ajv, schema)(value) === true;
    const paramValid = (schema: Schema, value: string) => validator(ajvCoercing, schema)(value) === true;
    const resolve = (schema: Schema): Schema => {
      const ref = schema.$ref;
      if (typeof ref !== 'string' || !ref.startsWith('#/components/schemas/')) return schema;
      return doc.components.schemas[ref.slice('#/components/schemas/'.length)] ?? schema;
    };

    const operations: Operation[] = Object.entries(doc.paths).flatMap(([p, item]) =>
      Object.entries(item).map(([method, op]) => {
        const params = ((op.parameters as Schema[] | undefined) ?? []).map((raw) => {
          const ref = raw.$ref;
          const param = typeof ref === 'string' ? doc.components.parameters[ref.split('/').pop() ?? ''] : raw;
          return param as unknown as Param;
        });
        const content = (op.requestBody as { content?: Record<string, { schema: Schema }> } | undefined)
          ?.content;
        const [contentType, media] = Object.entries(content ?? {})[0] ?? [];
        return {
          method: method.toUpperCase(),
          path: p,
          params,
          pages: op['x-access'] === 'approval-link',
          ...(media ? { body: { contentType, schema: media.schema } } : {}),
        };
      }),
    );
    expect(operations.length).toBeGreaterThan(50);

    const rng = random(SEED);
    let seq = 0;
    const seed = () => rng.int(2 ** 31);
    const fake = (schema: Schema): unknown =>
      generateSample(
        { ...schema, components: doc.components },
        { seed: seed(), maxItems: 3, optionalsProbability: 0.6 },
      );
    /** A schema-valid body, or undefined when the faker cannot produce one the document accepts. */
    function validBody(op: Operation): unknown {
      for (let attempt = 0; attempt < 8; attempt++) {
        const value = fake(op.body!.schema);
        // Programme timings that fire within seconds would keep changing data under the invalid batch.
        if (op.path === '/programmes' && isRecord(value)) delete value.config;
        if (bodyValid(op.body!.schema, value)) return value;
      }
      return undefined;
    }
    function pathValue(op: Operation, param: Param): string {
      if (param.name === 'id') {
        // Only the third programme may be withdrawn; the others stay live for stage inputs.
        const pool = op.path.endsWith('/withdrawal') ? [programmeIds[2]] : programmeIds;
        if (rng.chance(0.85)) return rng.pick(pool);
      }
      return String(fake(param.schema));
    }

    interface Parts {
      pathValues: Record<string, string>;
      query: Record<string, string>;
      headers: Record<string, string>;
      body?: unknown;
      rawBody?: string | FormData;
      contentType?: string;
      invalid: boolean;
      mutation: string;
    }

    function build(op: Operation, parts: Parts): Planned {
      const url =
        op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
          const value = parts.pathValues[name];
          return parts.mutation === 'raw-path-escape' && name === Object.keys(parts.pathValues)[0]
            ? value
            : encodeURIComponent(value);
        }) + (Object.keys(parts.query).length > 0 ? `?${new URLSearchParams(parts.query).toString()}` : '');
      const headers = { ...parts.headers };
      let body: string | FormData | undefined = parts.rawBody;
      if (body === undefined && parts.body !== undefined && op.body) {
        if (op.body.contentType === 'application/x-www-form-urlencoded' && isRecord(parts.body)) {
          body = new URLSearchParams(
            Object.entries(parts.body).map(([k, v]): [string, string] => [k, String(v)]),
          ).toString();
        } else body = JSON.stringify(parts.body);
        headers['content-type'] = parts.contentType ?? op.body.contentType;
      } else if (parts.contentType) headers['content-type'] = parts.contentType;
      return { op, url, headers, body, invalid: parts.invalid, mutation: parts.mutation };
    }

    /** Path, query, key and body of a request the document accepts. */
    function validParts(op: Operation): Parts | undefined {
      const pathValues: Record<string, string> = {};
      const query: Record<string, string> = {};
      const headers: Record<string, string> = {};
      for (const param of op.params) {
        if (param.in === 'path') pathValues[param.name] = pathValue(op, param);
        else if (param.in === 'query' && (param.required || rng.chance(0.5)))
          query[param.name] = String(fake(param.schema));
        else if (param.in === 'header' && rng.chance(0.5)) headers[param.name] = `fuzz-${SEED}-${seq++}`;
      }
      const paramsOk = op.params.every((param) => {
        const value =
          param.in === 'path'
            ? pathValues[param.name]
            : param.in === 'query'
              ? query[param.name]
              : headers[param.name];
        return value === undefined ? !param.required : paramsOkFor(param, value);
      });
      if (!paramsOk) return undefined;
      if (!op.body) return { pathValues, query, headers, invalid: false, mutation: 'valid' };
      if (op.body.contentType === 'multipart/form-data') {
        const metadata = fake(doc.components.schemas.EvidenceMetadata);
        const form = new FormData();
        form.append('metadata', JSON.stringify(metadata));
        form.append('file', new Blob(['fuzzed evidence\n'], { type: 'text/plain' }), 'notes.txt');
        return { pathValues, query, headers, rawBody: form, invalid: false, mutation: 'valid' };
      }
      const body = validBody(op);
      if (body === undefined) return undefined;
      return { pathValues, query, headers, body, invalid: false, mutation: 'valid' };
    }
    const paramsOkFor = (param: Param, value: string) => paramValid(param.schema, value);

    type Mutator = (op: Operation, base: Parts) => Parts | undefined;
    const firstProperty = (schema: Schema) => {
      const s = resolve(schema);
      return isRecord(s.properties)
        ? (s as { properties: Record<string, Schema>; required?: string[]; additionalProperties?: unknown })
        : undefined;
    };
    const judged = (op: Operation, parts: Parts): Parts => {
      // The document decides: a mutation that happens to stay valid is counted as valid.
      const paramsOk = op.params.every((param) => {
        const value =
          param.in === 'path'
            ? parts.pathValues[param.name]
            : param.in === 'query'
              ? parts.query[param.name]
              : parts.headers[param.name];
        return value === undefined ? !param.required : paramsOkFor(param, value);
      });
      const bodyOk =
        !op.body || parts.rawBody !== undefined
          ? parts.invalid === false
          : (parts.contentType ?? op.body.contentType) === op.body.contentType &&
            bodyValid(op.body.schema, parts.body);
      return { ...parts, invalid: !(paramsOk && bodyOk) };
    };

    const mutators: Record<string, { weight: number; apply: Mutator }> = {
      'path-param': {
        weight: 3,
        apply: (_op, base) => {
          const names = Object.keys(base.pathValues);
          if (names.length === 0) return undefined;
          const name = rng.pick(names);
          return { ...base, pathValues: { ...base.pathValues, [name]: sample(hostileString, seed()) } };
        },
      },
      'raw-path-escape': {
        weight: 0.5,
        apply: (_op, base) => {
          const names = Object.keys(base.pathValues);
          if (names.length === 0) return undefined;
          return {
            ...base,
            pathValues: {
              ...base.pathValues,
              [names[0]]: rng.pick(['%zz', '%E0%A4%A', '%', 'a%2', '%C0%AE%C0%AE']),
            },
            invalid: true,
          };
        },
      },
      'query-param': {
        weight: 2,
        apply: (op, base) => {
          const query = op.params.filter((p) => p.in === 'query');
          if (query.length === 0) return undefined;
          const param = rng.pick(query);
          const value = rng.pick([
            '-1',
            'abc',
            '1e309',
            '',
            '0',
            '999999999999',
            'NOT_A_VALUE',
            sample(hostileString, seed()),
          ]);
          return { ...base, query: { ...base.query, [param.name]: value } };
        },
      },
      'idempotency-key': {
        weight: 1,
        apply: (op, base) => {
          if (!op.params.some((p) => p.in === 'header')) return undefined;
          const value = rng.pick(['has space', 'x'.repeat(201), 'cl\u00e9', '']);
          return { ...base, headers: { ...base.headers, 'idempotency-key': value } };
        },
      },
      'not-an-object': {
        weight: 1,
        apply: (op, base) =>
          op.body?.contentType === 'application/json'
            ? {
                ...base,
                body: sample(
                  fc.oneof(
                    fc.integer(),
                    fc.string(),
                    fc.constant(null),
                    fc.array(fc.integer(), { maxLength: 3 }),
                    fc.boolean(),
                  ),
                  seed(),
                ),
              }
            : undefined,
      },
      'missing-required': {
        weight: 2,
        apply: (op, base) => {
          if (!op.body || !isRecord(base.body)) return undefined;
          const schema = firstProperty(op.body.schema);
          const required = schema?.required ?? [];
          if (required.length === 0) return undefined;
          const body = { ...base.body };
          delete body[rng.pick(required)];
          return { ...base, body };
        },
      },
      'extra-property': {
        weight: 1,
        apply: (op, base) => {
          if (
            !op.body ||
            !isRecord(base.body) ||
            firstProperty(op.body.schema)?.additionalProperties !== false
          )
            return undefined;
          return {
            ...base,
            body: {
              ...base.body,
              [sample(fc.constantFrom('__proto__x', 'isAdmin', 'extra', 'constructor_'), seed())]: 1,
            },
          };
        },
      },
      'wrong-type': {
        weight: 2,
        apply: (op, base) => {
          if (!op.body || !isRecord(base.body)) return undefined;
          const schema = firstProperty(op.body.schema);
          const names = Object.keys(schema?.properties ?? {});
          if (names.length === 0 || !schema) return undefined;
          const name = rng.pick(names);
          const type = resolve(schema.properties[name]).type;
          return { ...base, body: { ...base.body, [name]: sample(wrongTypeValue(type), seed()) } };
        },
      },
      'bad-enum': {
        weight: 1,
        apply: (op, base) => {
          if (!op.body || !isRecord(base.body)) return undefined;
          const schema = firstProperty(op.body.schema);
          const names = Object.entries(schema?.properties ?? {}).filter(([, s]) =>
            Array.isArray(resolve(s).enum),
          );
          if (names.length === 0) return undefined;
          return { ...base, body: { ...base.body, [rng.pick(names)[0]]: 'NOT_AN_ENUM_VALUE' } };
        },
      },
      'too-long': {
        weight: 1,
        apply: (op, base) => {
          if (!op.body || !isRecord(base.body)) return undefined;
          const schema = firstProperty(op.body.schema);
          const names = Object.entries(schema?.properties ?? {}).filter(([, s]) => {
            const max = resolve(s).maxLength;
            return typeof max === 'number' && max <= 20_000;
          });
          if (names.length === 0) return undefined;
          const [name, s] = rng.pick(names);
          return { ...base, body: { ...base.body, [name]: 'x'.repeat(Number(resolve(s).maxLength) + 1) } };
        },
      },
      'huge-body': {
        weight: 0.05,
        apply: (op, base) =>
          op.body
            ? {
                ...base,
                rawBody: JSON.stringify({ padding: 'x'.repeat(1024 * 1024 + 10) }),
                contentType: 'application/json',
                invalid: true,
              }
            : undefined,
      },
      'malformed-json': {
        weight: 1,
        apply: (op, base) =>
          op.body?.contentType === 'application/json'
            ? {
                ...base,
                rawBody: rng.pick([
                  '{',
                  '{"a":',
                  '[1,2',
                  '{"a":1}}',
                  "{'a':1}",
                  'NaN',
                  '\u0000',
                  '{"a":"\\u12"}',
                  `${JSON.stringify(base.body ?? {})},`,
                ]),
                contentType: 'application/json',
                invalid: true,
              }
            : undefined,
      },
      'wrong-content-type': {
        weight: 1,
        apply: (op, base) =>
          op.body
            ? {
                ...base,
                rawBody: JSON.stringify(base.body ?? {}),
                contentType: rng
                  .pick([
                    'text/plain',
                    'application/xml',
                    'application/x-www-form-urlencoded',
                    'multipart/form-data; boundary=x',
                    'application/json-patch',
                  ])
                  .replace(op.body.contentType, 'text/plain'),
                invalid: true,
              }
            : undefined,
      },
      'multipart-missing-metadata': {
        weight: 2,
        apply: (op, base) => {
          if (op.body?.contentType !== 'multipart/form-data') return undefined;
          const form = new FormData();
          if (rng.chance(0.5)) form.append('file', new Blob(['x'], { type: 'text/plain' }), 'notes.txt');
          if (rng.chance(0.5)) form.append('metdata', '{}');
          return { ...base, rawBody: form, invalid: true };
        },
      },
    };

    // Plan: the valid requests of every operation, then invalid ones spread over the operations.
    const valid: Planned[] = [];
    const bases = new Map<Operation, Parts>();
    for (const op of operations) {
      for (let i = 0; i < VALID_PER_OPERATION; i++) {
        const parts = validParts(op);
        if (!parts) continue;
        if (!bases.has(op) && (!op.body || parts.body !== undefined || parts.rawBody !== undefined))
          bases.set(op, parts);
        valid.push(build(op, parts));
      }
    }
    const mutable = operations.filter(
      (op) => bases.has(op) && Object.values(mutators).some((m) => m.apply(op, bases.get(op)!)),
    );
    const invalid: Planned[] = [];
    const stillValid: Planned[] = [];
    const names = Object.keys(mutators);
    while (invalid.length + stillValid.length + valid.length < TOTAL) {
      const op = mutable[(invalid.length + stillValid.length) % mutable.length];
      const base = validParts(op) ?? bases.get(op)!;
      const applicable = names.filter((n) => mutators[n].apply(op, base) !== undefined);
      const total = applicable.reduce((s, n) => s + mutators[n].weight, 0);
      let r = rng.next() * total;
      const name = applicable.find((n) => (r -= mutators[n].weight) < 0) ?? applicable[0];
      const mutated = mutators[name].apply(op, base)!;
      const parts = mutated.invalid
        ? { ...mutated, mutation: name }
        : { ...judged(op, mutated), mutation: name };
      (parts.invalid ? invalid : stillValid).push(build(op, parts));
    }

    const client = new Client(stack);
    async function runAll(plan: Planned[]): Promise<Outcome[]> {
      const outcomes: Outcome[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < plan.length) {
            const planned = plan[next++];
            const answer = await client.raw({
              method: planned.op.method,
              path: planned.url,
              headers: planned.headers,
              body: planned.body,
            });
            outcomes.push({ planned, answer });
          }
        }),
      );
      return outcomes;
    }
    const describeOutcome = ({ planned, answer }: Outcome) =>
      `${planned.op.method} ${planned.url.slice(0, 120)} [${planned.mutation}] -> ${answer.status} ${answer.text.slice(0, 200)}`;

    const beforeValid = await fingerprint();
    const validOutcomes = await runAll([...valid, ...stillValid]);
    const settled = await quiescent();
    // The fingerprint sees writes: the valid requests made some (programmes, evidence, scans ...).
    expect(canonicalJson(settled.db)).not.toBe(canonicalJson(beforeValid.db));

    const invalidOutcomes = await runAll(invalid);
    const after = await fingerprint();

    const all = [...validOutcomes, ...invalidOutcomes];
    const serverErrors = all.filter((o) => o.answer.status >= 500).map(describeOutcome);
    const refusalPage = ({ planned, answer }: Outcome) =>
      planned.op.pages &&
      (answer.headers.get('content-type') ?? '').startsWith('text/html') &&
      /data-problem="[a-z-]+"/.test(answer.text);
    const notProblems = invalidOutcomes
      .filter(
        (o) => !(o.answer.status >= 400 && o.answer.status < 500 && (isProblem(o.answer) || refusalPage(o))),
      )
      .map(describeOutcome);
    const byStatus = all.reduce<Record<string, number>>(
      (acc, o) => ({ ...acc, [o.answer.status]: (acc[o.answer.status] ?? 0) + 1 }),
      {},
    );
    const byMutation = invalidOutcomes.reduce<Record<string, number>>(
      (acc, o) => ({ ...acc, [o.planned.mutation]: (acc[o.planned.mutation] ?? 0) + 1 }),
      {},
    );
    console.log(
      [
        `fuzz seed ${SEED}: ${all.length} requests over ${operations.length} operations in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        `  schema-valid ${validOutcomes.length}, invalid ${invalidOutcomes.length}`,
        `  statuses ${JSON.stringify(byStatus)}`,
        `  invalid by mutation ${JSON.stringify(byMutation)}`,
      ].join('\n'),
    );

    expect(all.length).toBeGreaterThanOrEqual(Math.min(TOTAL, 5000));
    expect(serverErrors.slice(0, 20)).toEqual([]);
    expect(notProblems.slice(0, 20)).toEqual([]);
    expect(after.db).toEqual(settled.db);
    expect(after.temporal).toEqual(settled.temporal);
  }, 600_000);
});
