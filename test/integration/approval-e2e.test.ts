/**
 * End to end, as approvers live it: a programme runs from its start to the certificate on a real
 * Temporal dev server, worker, API and database; every approval gate is decided by opening the
 * link in the e-mail a real SMTP server received, in headless Chromium, and pressing Approve on
 * the confirmation page. Everything else goes through the HTTP API, as a programme manager would.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundle } from '@temporalio/worker';
import type { DecisionBody } from '../../domain/schemas';
import { launchChromium, type Browser } from '../support/browser';
import { testDatabases } from '../support/databases';
import { PEOPLE } from '../support/fixtures';
import { http, HttpJourneyPort } from '../support/http-port';
import { grantCertificate, runToCertification } from '../support/journey';
import { MailCatcher, type ReceivedMail } from '../support/mail';
import { startStack, type Stack } from '../support/stack';
import { createLocalEnv } from '../support/temporal';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
let smtp: MailCatcher;
let browser: Browser;
let stack: Stack;
// One database is enough here: approval-links.test.ts covers the links on every database.
const db = testDatabases()[0];

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  [env, bundle, smtp, browser] = await Promise.all([
    createLocalEnv(),
    bundleWorkflowCode({
      workflowsPath: require.resolve('../../workflows'),
      logger: new DefaultLogger('WARN'),
    }),
    MailCatcher.start(),
    launchChromium(),
  ]);
  stack = await startStack({
    address: env.address,
    databaseUrl: await db.freshDatabase('e2e'),
    workflowBundle: bundle,
    smtpUrl: smtp.url,
  });
});

afterAll(async () => {
  await stack?.stop();
  await db?.cleanup();
  await browser?.close();
  await smtp?.stop();
  await env?.teardown();
});

/** Inputs go through the API; decisions only through the e-mailed link, in the browser. */
class BrowserApprover extends HttpJourneyPort {
  readonly clicked: ReceivedMail[] = [];

  override async decide(decision: DecisionBody): Promise<unknown> {
    const mail = await smtp.waitFor(
      (m) =>
        m.programmeId === this.programmeId &&
        m.kind === 'approval-request' &&
        m.gate === decision.gate &&
        m.to === decision.approver &&
        !this.clicked.includes(m),
      `${decision.gate} request to ${decision.approver}`,
    );
    this.clicked.push(mail);
    const page = await browser.context.newPage();
    try {
      await page.goto(mail.links?.approve as string);
      await page.getByRole('heading', { name: 'Confirm your decision' }).waitFor();
      await page.getByRole('button', { name: 'Approve' }).click();
      const result = page.locator('#result');
      await result.waitFor();
      expect(await result.getAttribute('data-outcome')).toBe('approved');
    } finally {
      await page.close();
    }
    return undefined;
  }
}

test('a programme reaches its certificate with every approval gate decided by clicking the e-mailed link', async () => {
  const started = Date.now();
  const res = await http(
    stack.baseUrl(),
    'POST',
    '/programmes',
    // The roadmap's request goes out once its edits have settled: a second here, not half an hour.
    { organisation: 'Acme Ltd', name: 'AIMS by mail', config: { approvalSettle: 'PT1S' } },
    stack.authHeader(),
  );
  expect(res.status).toBe(201);
  const programme = new BrowserApprover(
    () => stack.baseUrl(),
    (res.body as { id: string }).id,
    stack.authHeader(),
  );

  await runToCertification(programme);
  await grantCertificate(programme, 'AIMS-MAIL-001');
  const certified = await programme.waitFor(
    (p) => p.step === 'SURVEILLANCE_1' && p.accepts.length > 0,
    'certified and in surveillance',
  );
  expect(certified.certificate).toMatchObject({ number: 'AIMS-MAIL-001', status: 'ACTIVE' });

  const gates = [
    'scope',
    'roadmap',
    'ai_policy',
    'risk_treatment_plan',
    'soa',
    'management_review',
    'certification_body',
  ];
  expect(programme.clicked.map((m) => [m.gate, m.to])).toEqual([
    ['scope', PEOPLE.sponsor.email],
    ['roadmap', PEOPLE.sponsor.email],
    ['ai_policy', PEOPLE.topManagement.email],
    ['risk_treatment_plan', PEOPLE.sponsor.email],
    ['soa', PEOPLE.topManagement.email],
    ['management_review', PEOPLE.topManagement.email],
    ['certification_body', PEOPLE.sponsor.email],
  ]);
  for (const mail of programme.clicked) {
    // Every request mail has both parts, and its record link serves the version it asks about.
    expect(mail.text).toMatch(/What you are asked to approve:/);
    expect(mail.html).toMatch(/>Approve<\/a>/);
  }

  const items = async (path: string) =>
    (
      (
        await http(
          stack.baseUrl(),
          'GET',
          `/programmes/${programme.programmeId}/${path}`,
          undefined,
          stack.authHeader(),
        )
      ).body as {
        items: Record<string, unknown>[];
      }
    ).items;
  const decisions = await items('decisions');
  expect(decisions.map((d) => d.gate)).toEqual(gates);
  for (const d of decisions) {
    expect(d).toMatchObject({
      outcome: 'approved',
      channel: 'email',
      artefactSha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
      clientIp: expect.stringMatching(/127\.0\.0\.1/) as unknown,
      userAgent: expect.stringMatching(/Chrome/) as unknown,
    });
  }
  // What was approved is exactly what is stored: the hashes match the artefact records.
  const artefacts = await items('artefacts');
  const stored = (kind: string, key = '') => artefacts.find((a) => a.kind === kind && a.key === key)?.sha256;
  expect(Object.fromEntries(decisions.map((d) => [d.gate, d.artefactSha256]))).toMatchObject({
    scope: stored('scope'),
    ai_policy: stored('policy', 'ai-policy'),
    risk_treatment_plan: stored('riskTreatmentPlan'),
    soa: stored('soa'),
    management_review: stored('managementReview'),
    certification_body: stored('certificationBody'),
  });
  const sent = await stack.approvalStore().listSent(programme.programmeId);
  expect(sent.filter((m) => m.kind === 'approval-request')).toHaveLength(gates.length);
  process.stdout.write(`e2e: start to certificate, 7 gates by browser, ${Date.now() - started} ms\n`);
});
