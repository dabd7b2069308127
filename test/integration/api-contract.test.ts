/**
 * The API against its own description: schemathesis (PyPI, installed by `npm run tools`) reads
 * /openapi.json from the real stack (Temporal dev server, worker, API, SQLite), generates valid
 * and invalid requests for every operation and runs all its checks on the answers: documented
 * status codes, media types, headers and response schemas, 4xx for invalid input, 2xx for valid
 * input, 405 with Allow for undocumented methods, 401 without the key. Seeded and bounded, so a
 * run is repeatable; test/contract/ holds its configuration and hooks.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isExecutable, TOOLS_INSTALL_HINT, toolsBinDir } from '../../infra/temporal-binaries';
import type { InputAccepted } from '../../domain/views';
import { deriveNonce, signToken, TOKEN_VERSION } from '../../services/approval-links/tokens';
import { sqliteTarget } from '../support/databases';
import { scopeBody } from '../support/fixtures';
import { http, HttpJourneyPort } from '../support/http-port';
import { startStack, type Stack } from '../support/stack';
import { useLocalTemporal } from '../support/temporal';

const temporal = useLocalTemporal();
const db = sqliteTarget();
const CONTRACT_DIR = path.join(__dirname, '..', 'contract');
const SCHEMATHESIS = path.join(toolsBinDir(), 'schemathesis');
/** Fixed, so a failure found once is found again by the next run. */
const SEED = 20250101;
/** Examples per operation and phase: enough to reach every branch of the description, quick on 2 cores. */
const MAX_EXAMPLES = 10;

interface Run {
  code: number | null;
  output: string;
}

/** The whole run's budget; the test allows a little more for the stack around it. */
const RUN_TIMEOUT_MS = 240_000;

/**
 * Runs schemathesis without blocking the event loop (the API it tests lives in this process),
 * in a scratch folder for what Hypothesis writes, and stops it when it overruns its budget.
 */
function schemathesis(args: string[], env: Record<string, string>, cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(SCHEMATHESIS, args, {
      cwd,
      env: { ...process.env, ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: AbortSignal.timeout(RUN_TIMEOUT_MS),
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.once('error', (err) =>
      err.name === 'AbortError'
        ? resolve({
            code: null,
            output: `${Buffer.concat(chunks).toString('utf8')}\n(stopped after ${RUN_TIMEOUT_MS} ms)`,
          })
        : reject(err),
    );
    child.once('close', (code) => resolve({ code, output: Buffer.concat(chunks).toString('utf8') }));
  });
}

describe('the API matches its OpenAPI description', () => {
  let stack: Stack;
  let scanRoot: string;
  let scratch: string;
  const fixture: Record<string, string> = {};

  beforeAll(async () => {
    if (!isExecutable(SCHEMATHESIS)) throw new Error(`schemathesis is not installed: ${TOOLS_INSTALL_HINT}`);
    // Scans may only read this empty folder: a generated path can never walk the machine.
    scanRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'aimsflow-contract-scan-'));
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'aimsflow-contract-run-'));
    stack = await startStack({
      address: temporal.env.address,
      databaseUrl: await db.freshDatabase('contract'),
      workflowBundle: temporal.bundle,
      scanRoots: [scanRoot],
      // The run sends thousands of requests without or with a wrong key (all from one address)
      // and expects each to be a 401; the limit itself is unit-tested.
      authFailureLimit: { limit: 100_000, windowMs: 60_000 },
    });
    const base = () => stack.baseUrl();
    const admin = stack.authHeader();
    const create = async (name: string) => {
      const res = await http(base(), 'POST', '/programmes', { organisation: 'Contract Ltd', name }, admin);
      if (res.status !== 201) throw new Error(`programme not created: ${JSON.stringify(res.body)}`);
      const id = (res.body as { id: string }).id;
      await new HttpJourneyPort(base, id, admin).waitForStep('SCOPING');
      return id;
    };
    fixture.PROGRAMME_ID = await create('Contract');
    fixture.WITHDRAWN_PROGRAMME_ID = await create('Withdrawn by the contract test');

    // A stored evidence file, so that its routes (and its download) answer for real.
    const form = new FormData();
    form.append(
      'metadata',
      JSON.stringify({ title: 'Logging policy', owner: 'lead@example.com', requirementIds: ['A.6.2.8'] }),
    );
    form.append('file', new Blob(['Logs are kept for 90 days.\n'], { type: 'text/plain' }), 'logging.txt');
    const upload = await fetch(`${base()}/programmes/${fixture.PROGRAMME_ID}/evidence/files`, {
      method: 'POST',
      body: form,
      headers: admin,
    });
    const evidence = (await upload.json()) as { id?: string };
    if (upload.status !== 201 || !evidence.id) throw new Error(`evidence not stored: ${upload.status}`);
    fixture.EVIDENCE_ID = evidence.id;

    // A genuine approval link (as the worker would mail it) to the scope's open request, so that
    // the link routes show their page rather than only refusing forged tokens.
    const scope = await http(base(), 'PUT', `/programmes/${fixture.PROGRAMME_ID}/scope`, scopeBody(), admin);
    const view = (scope.body as Partial<InputAccepted> | undefined)?.view;
    const pending = view?.pendingApprovals.find((p) => p.gate === 'scope');
    if (scope.status !== 200 || !view || !pending?.request || !pending.approverEmail)
      throw new Error(`scope not submitted for approval: ${JSON.stringify(scope.body)}`);
    const { requestId, artefactSha256 } = pending.request;
    fixture.APPROVAL_TOKEN = signToken(
      {
        v: TOKEN_VERSION,
        programmeId: fixture.PROGRAMME_ID,
        stepKey: view.stepKey,
        gate: 'scope',
        approver: pending.approverEmail,
        artefactSha256,
        requestId,
        nonce: deriveNonce(stack.approvalSecret, fixture.PROGRAMME_ID, requestId, pending.approverEmail),
        exp: Math.floor(Date.now() / 1000) + 3600,
      },
      stack.approvalSecret,
    );

    // A key of its own for the revoke operation, so that no generated request revokes the key
    // the run authenticates with.
    fixture.SPARE_KEY_ID = (
      await stack.apiKeys().create({ name: 'contract spare', role: 'auditor', createdBy: 'test' })
    ).info.id;
  });

  afterAll(async () => {
    await stack?.stop();
    await db.cleanup();
    for (const dir of [scanRoot, scratch]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test(
    'schemathesis finds no difference between the description and the behaviour',
    async () => {
      const started = Date.now();
      const run = await schemathesis(
        [
          '--config-file',
          path.join(CONTRACT_DIR, 'schemathesis.toml'),
          'run',
          `${stack.baseUrl()}/openapi.json`,
          '--checks',
          'all',
          '--seed',
          String(SEED),
          '--max-examples',
          String(MAX_EXAMPLES),
          // One worker: the machine is small and the API shares this process.
          '--workers',
          '1',
        ],
        {
          ...fixture,
          API_KEY: stack.authHeader().authorization.replace(/^Bearer /, ''),
          SCHEMATHESIS_HOOKS: path.join(CONTRACT_DIR, 'hooks.py'),
        },
        scratch,
      );
      const seconds = Math.round((Date.now() - started) / 1000);
      // The summary names every failing operation and check, with a curl line to reproduce it.
      if (run.code !== 0)
        throw new Error(`schemathesis exited ${run.code} after ${seconds} s:\n${run.output}`);
      expect(run.code).toBe(0);
    },
    RUN_TIMEOUT_MS + 30_000,
  );
});
