/**
 * Operations on the real service: a Temporal dev server, the real worker and API, each test
 * database. The domain gauges and the approval counts come from real records; the diagram of a
 * live programme is opened in headless Chromium and must highlight what the workflow says.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundle } from '@temporalio/worker';
import { chromium, type Browser } from 'playwright-core';
import { OpsStats } from '../../db/ops-stats';
import type { StageInput } from '../../domain/schemas';
import { testDatabases } from '../support/databases';
import { scopeBody } from '../support/fixtures';
import { http, HttpJourneyPort } from '../support/http-port';
import { completeScoping } from '../support/journey';
import { startStack, type Stack } from '../support/stack';
import { createLocalEnv } from '../support/temporal';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  env = await createLocalEnv();
  bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: new DefaultLogger('WARN'),
  });
});

afterAll(async () => {
  await env?.teardown();
});

describe.each(testDatabases())('on $name', (db) => {
  let stack: Stack;
  const api = (method: string, p: string, body?: unknown) =>
    http(stack.baseUrl(), method, p, body, stack.authHeader());

  async function newProgramme(organisation: string): Promise<HttpJourneyPort> {
    const res = await api('POST', '/programmes', { organisation, name: 'AIMS certification' });
    expect(res.status).toBe(201);
    return new HttpJourneyPort(() => stack.baseUrl(), (res.body as { id: string }).id, stack.authHeader());
  }

  let advanced: HttpJourneyPort;
  let waiting: HttpJourneyPort;

  beforeAll(async () => {
    stack = await startStack({
      address: env.address,
      databaseUrl: await db.freshDatabase('ops'),
      workflowBundle: bundle,
    });
    // One programme past scoping, one whose scope awaits the sponsor's approval.
    advanced = await newProgramme('Acme Ltd');
    await completeScoping(advanced);
    await advanced.waitForStep('GAP_ANALYSIS');
    waiting = await newProgramme('Beta plc');
    await waiting.waitForStep('SCOPING');
    await waiting.submit({ kind: 'scope', ...scopeBody() } as StageInput);
  });

  afterAll(async () => {
    await stack?.stop();
    await db.cleanup();
  });

  test('/metrics counts programmes by stage and the approval awaiting a decision', async () => {
    const res = await fetch(`${stack.baseUrl()}/metrics`, { headers: stack.authHeader('operator') });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('aimsflow_programmes{stage="GAP_ANALYSIS",status="ACTIVE"} 1');
    expect(text).toContain('aimsflow_programmes{stage="SCOPING",status="ACTIVE"} 1');
    expect(text).toContain('aimsflow_approvals_pending 1');
    expect(text).toContain('aimsflow_approvals_overdue 0');
    expect(text).toContain('aimsflow_ops_up 1');
    expect(text).toMatch(/aimsflow_http_requests_total\{method="POST",route="\/programmes",status="201"\} 2/);
  });

  test('an approval counts as overdue once it has waited longer than the threshold', async () => {
    const later = Date.now() + 15 * 24 * 3600 * 1000;
    const stats = new OpsStats(stack.dataSource(), { approvalOverdueAfter: 'P14D', now: () => later });
    const snapshot = await stats.snapshot();
    expect(snapshot).toMatchObject({ pendingApprovals: 1, overdueApprovals: 1, overdueProgrammes: 0 });
    await waiting.decide({ gate: 'scope', outcome: 'approved', approver: scopeBody().sponsor.email });
    await waiting.waitForStep('GAP_ANALYSIS');
    expect(await stats.snapshot()).toMatchObject({ pendingApprovals: 0, overdueApprovals: 0 });
  });

  test('/process.bpmn is served as XML', async () => {
    const res = await fetch(`${stack.baseUrl()}/process.bpmn`, { headers: stack.authHeader('operator') });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(await res.text()).toContain('<bpmn:process id="Process_aimsflow"');
  });

  // The page reads the programme's state from each database, so it is checked on each.
  test('the live diagram highlights the current and completed steps in a browser', async () => {
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      // An operator watching the programme: the page is behind an API key like every other.
      const page = await browser.newPage({
        viewport: { width: 1600, height: 1000 },
        extraHTTPHeaders: stack.authHeader('operator'),
      });
      const response = await page.goto(`${stack.baseUrl()}/programmes/${advanced.programmeId}/diagram.html`);
      expect(response?.status()).toBe(200);
      const stateOf = (id: string) => page.locator(`[data-element-id="${id}"]`).getAttribute('data-state');
      const paintOf = (id: string) =>
        page.locator(`[data-element-id="${id}"] .shape`).evaluate((el) => {
          // Runs in the page, where getComputedStyle exists (this project compiles without DOM types).
          const css = (
            globalThis as unknown as { getComputedStyle(e: unknown): { fill: string; stroke: string } }
          ).getComputedStyle(el);
          return [css.fill, css.stroke];
        });
      expect(await stateOf('Task_GAP_ANALYSIS')).toBe('current');
      expect(await stateOf('Task_SCOPING')).toBe('completed');
      expect(await stateOf('Task_IMPLEMENTATION')).toBe('pending');
      expect(await paintOf('Task_GAP_ANALYSIS')).toEqual(['rgb(219, 234, 254)', 'rgb(29, 78, 216)']);
      expect(await paintOf('Task_SCOPING')).toEqual(['rgb(209, 250, 229)', 'rgb(4, 120, 87)']);
      // The reasons are in the page, not only in tooltips.
      await expect(
        page.getByText('allRequirementsAssessed:', { exact: false }).count(),
      ).resolves.toBeGreaterThan(0);
      const shot = path.join(os.tmpdir(), 'aimsflow-diagram.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(fs.statSync(shot).size).toBeGreaterThan(10_000);
    } finally {
      await browser?.close();
    }
  });
});
