/**
 * Mail and page templates, the outbox transport, and the mail activities' idempotency (with an
 * in-memory sent-log; the database one is exercised by the integration suites).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import type { ApprovalMail, NoticeMail } from '../../domain/contracts/notifications';
import { createNotificationActivities, messageIdFor } from '../../activities/notifications';
import { confirmPage, problemPage, resultPage, type LinkProblem } from '../../api/approval-pages/pages';
import { verifyToken } from '../../services/approval-links/tokens';
import type { MailLog, SentMail } from '../../db/approval-store';
import type { RoadmapTask } from '../../domain/records';
import { NOTICE_KINDS } from '../../domain/vocabulary';
import type { NoticeRecords } from '../../activities/notifications';
import { createMailer, outboxFileName } from '../../services/mail/mailer';
import { mailTemplateSet } from '../../services/mail/templates';

const SECRET = 'mail-test-secret-mail-test-secret-0123';

function memoryLog(): MailLog & { rows: SentMail[] } {
  const rows: SentMail[] = [];
  return {
    rows,
    wasSent: (id) => Promise.resolve(rows.some((r) => r.messageId === id)),
    recordSent: (mail) => {
      rows.push(mail);
      return Promise.resolve();
    },
    listSent: (programmeId) => Promise.resolve(rows.filter((r) => r.programmeId === programmeId)),
  };
}

/**
 * The records the mail activities read the texts from that workflows do not carry: the scope
 * whose summary the approval mail shows, and the task a notice is about.
 */
const scopeBody = {
  statement: 'covers <script>alert(1)</script> & more',
  aiSystems: [{ id: 'chatbot', name: 'Support chatbot', type: 'feature', inScope: true }],
  aiRoles: ['provider'],
  boundaries: 'EU operations',
  locations: ['Dublin'],
};

const task: RoadmapTask = {
  id: 'T-1',
  requirementId: '7.2',
  title: 'Train the <ML> team',
  owner: 'lead@acme.test',
  deadline: '2027-03-01',
  status: 'open',
};

function memoryRecords(): NoticeRecords {
  return {
    getArtefact: (programmeId, kind, key, version) =>
      Promise.resolve(
        programmeId === 'p-1' && kind === 'scope' && key === '' && version === 1
          ? { kind, key, version, body: scopeBody }
          : null,
      ),
    listAssessments: () => Promise.resolve([]),
    listTasks: () => Promise.resolve([task]),
    getTask: (programmeId, id) => Promise.resolve(programmeId === 'p-1' && id === task.id ? task : null),
    getFinding: () => Promise.resolve(null),
  };
}

const approvalMail = (over: Partial<ApprovalMail> = {}): ApprovalMail => ({
  mailId: 'c1.SCOPING.1/scope/v1/r1/request',
  kind: 'request',
  programmeId: 'p-1',
  organisation: 'Acme <Ltd> & Co',
  stepKey: 'c1.SCOPING.1',
  stepTitle: 'Scoping and executive alignment',
  requestId: 'c1.SCOPING.1/scope/v1/r1',
  gate: 'scope',
  title: 'AIMS scope',
  artefact: 'scope',
  artefactVersion: 1,
  approvalVersion: 1,
  artefactSha256: 'b'.repeat(64),
  artefactLocation: { kind: 'scope', key: '' },
  quorum: 1,
  recipients: [
    { name: 'Sam Sponsor', email: 'sponsor@acme.test', role: 'sponsor' },
    { name: 'Cleo Chief', email: 'ceo@acme.test', role: 'topManagement' },
  ],
  sentAt: '2027-01-01T00:00:00.000Z',
  linkExpiresAt: '2999-01-31T00:00:00.000Z',
  dueAt: '2027-01-15T00:00:00.000Z',
  maxReminders: 2,
  ...over,
});

let outbox: string;
beforeEach(() => {
  outbox = fs.mkdtempSync(path.join(os.tmpdir(), 'aimsflow-outbox-test-'));
});
afterEach(() => fs.rmSync(outbox, { recursive: true, force: true }));

function activities(log = memoryLog()) {
  const mailer = createMailer({ outboxDir: outbox, from: 'aimsflow <aimsflow@test.invalid>' });
  return {
    log,
    acts: createNotificationActivities({
      mailer,
      mailLog: log,
      secret: SECRET,
      publicBaseUrl: () => 'https://aims.example.com/',
      records: memoryRecords(),
    }),
  };
}

async function readOutbox() {
  const files = fs.readdirSync(outbox).sort();
  return Promise.all(files.map(async (f) => simpleParser(fs.readFileSync(path.join(outbox, f)))));
}

describe('approval mail', () => {
  it('writes one .eml per approver to the outbox, with text and HTML parts and links bound to them', async () => {
    const { acts } = activities();
    expect(await acts.sendApprovalMail(approvalMail())).toEqual({ sent: 2, skipped: 0 });
    const files = fs.readdirSync(outbox);
    expect(files.sort()).toEqual(
      ['sponsor@acme.test', 'ceo@acme.test']
        .map((e) => outboxFileName(messageIdFor('p-1', approvalMail().mailId, e)))
        .sort(),
    );
    const mails = await readOutbox();
    for (const mail of mails) {
      const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
      const email = to?.value[0]?.address as string;
      expect(mail.subject).toBe('Decision needed on AIMS scope v1 (Acme <Ltd> & Co)');
      expect(mail.text).toContain('Statement: covers <script>alert(1)</script> & more');
      expect(mail.text).toContain('https://aims.example.com/programmes/p-1/artefacts/scope?key=&version=1');
      expect(mail.html).toContain('Statement: covers &lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
      expect(mail.html).not.toContain('<script>');
      expect(mail.headers.get('x-aimsflow-request')).toBe('c1.SCOPING.1/scope/v1/r1');
      const links = ['Approve', 'Reject', 'Request changes'].map(
        (label) => new RegExp(`${label}:\\s+(\\S+)`).exec(mail.text ?? '')?.[1] as string,
      );
      const outcomes = links.map((url) => {
        expect(url.startsWith('https://aims.example.com/approvals/')).toBe(true);
        const check = verifyToken(url.split('/').pop() as string, SECRET, Date.now());
        if (!check.ok) throw new Error(check.reason);
        expect(check.payload).toMatchObject({
          approver: email,
          requestId: 'c1.SCOPING.1/scope/v1/r1',
          gate: 'scope',
        });
        return [check.payload.intendedOutcome, check.payload.nonce];
      });
      expect(outcomes.map(([o]) => o)).toEqual(['approved', 'rejected', 'changes_requested']);
      // All three links of one message share the nonce: one decision per person per request.
      expect(new Set(outcomes.map(([, n]) => n)).size).toBe(1);
    }
  });

  it('sends nothing twice when an activity is retried, but a reminder is a new message', async () => {
    const { acts, log } = activities();
    await acts.sendApprovalMail(approvalMail());
    expect(await acts.sendApprovalMail(approvalMail())).toEqual({ sent: 0, skipped: 2 });
    expect(fs.readdirSync(outbox)).toHaveLength(2);
    const reminder = approvalMail({
      kind: 'reminder',
      reminder: 1,
      mailId: `${approvalMail().mailId}/reminder/1`,
    });
    expect(await acts.sendApprovalMail(reminder)).toEqual({ sent: 2, skipped: 0 });
    expect(log.rows.map((r) => r.kind)).toEqual([
      'approval-request',
      'approval-request',
      'approval-reminder',
      'approval-reminder',
    ]);
    const subjects = (await readOutbox()).map((m) => m.subject);
    expect(
      subjects.filter((s) => s?.startsWith('Reminder 1 of 2: Decision needed on AIMS scope v1')),
    ).toHaveLength(2);
  });

  it('counts versions as the approver does: the first one sent is v1, whatever edits made the record v4', async () => {
    const { acts } = activities();
    await acts.sendApprovalMail(
      approvalMail({
        mailId: 'c1.GAP_ANALYSIS.1/roadmap/v4/r1/request',
        title: 'Gap analysis and roadmap',
        artefact: 'roadmap',
        artefactVersion: 4,
        approvalVersion: 1,
        artefactLocation: undefined,
      }),
    );
    const mail = (await readOutbox()).find((m) => m.subject?.includes('Gap analysis and roadmap'));
    expect(mail?.subject).toBe('Decision needed on Gap analysis and roadmap v1 (Acme <Ltd> & Co)');
    expect(mail?.text).toContain('Gap analysis and roadmap, version 1 (record version 4)');
  });

  it('says why it comes: escalation, reassignment, resend, quorum', () => {
    const t = mailTemplateSet();
    const base = { title: 'SoA', version: 3, organisation: 'Acme', summary: [], links: {}, maxReminders: 2 };
    expect(t.subject('approval', { ...base, isEscalation: true })).toBe(
      'Escalated to you: Decision needed on SoA v3 (Acme)',
    );
    expect(t.subject('approval', { ...base, isReassigned: true })).toMatch(/^Now assigned to you:/);
    expect(t.text('approval', { ...base, isResend: true })).toMatch(/sent this request again/);
    expect(t.text('approval', { ...base, quorumText: 'This gate needs 2 approvals' })).toMatch(
      /needs 2 approvals/,
    );
    expect(t.text('approval', base)).not.toMatch(/reminder|Escalated|again/i);
  });
});

describe('notices', () => {
  const facts: Record<string, string> = {
    stepTitle: 'Internal audit',
    stage: 'INTERNAL_AUDIT',
    cycle: '1',
    // The task's title comes from its record (memoryRecords), as the activity reads it.
    taskId: 'T-1',
    requirementId: '7.2',
    deadline: '2027-03-01',
    dueOn: '2027-11-28',
    audit: 'surveillance audit',
    certificateNumber: 'AIMS-1',
    expiresOn: '2030-01-01',
    gateTitle: 'AI policy',
    version: '2',
    dueAt: '2027-01-15T00:00:00.000Z',
    waitingFor: 'ceo@acme.test',
  };

  it.each(NOTICE_KINDS)('%s renders a subject, a text and an HTML part from its templates', async (kind) => {
    const { acts } = activities();
    const notice: NoticeMail = {
      noticeId: `${kind}/1`,
      kind,
      programmeId: 'p-1',
      organisation: 'Acme',
      recipients: [{ name: 'Lee Lead', email: 'lead@acme.test' }],
      sentAt: '2027-01-01T00:00:00.000Z',
      facts,
    };
    expect(await acts.sendNotice(notice)).toEqual({ sent: 1, skipped: 0 });
    expect(await acts.sendNotice(notice)).toEqual({ sent: 0, skipped: 1 });
    const [mail] = await readOutbox();
    expect(mail.subject).toMatch(/\(Acme\)$/);
    expect(mail.text).toMatch(/^Hello Lee Lead,/);
    expect(`${mail.subject} ${mail.text}`).not.toMatch(/\{\{|undefined/);
    expect(mail.html).toContain('Hello Lee Lead');
    if (kind === 'taskAssigned') expect(mail.html).toContain('Train the &lt;ML&gt; team');
  });
});

describe('approval pages', () => {
  it('show what is to be approved, escaped safely, with the clicked choice first', () => {
    const html = confirmPage({
      organisation: 'Acme',
      programmeName: 'AIMS <2027>',
      stepTitle: 'Scoping',
      gateTitle: 'AIMS scope',
      version: 2,
      sha256: 'c'.repeat(64),
      summary: ['<img src=x onerror=alert(1)>'],
      artefactUrl: '/programmes/p-1/artefacts/scope?key=&version=2',
      approverName: 'Sam',
      dueAt: '2027-01-15',
      overdue: true,
      intended: 'rejected',
    });
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(html).not.toContain('<img');
    expect(html).toContain('AIMS &lt;2027&gt;');
    expect(html).toMatch(/This decision is overdue/);
    const buttons = [...html.matchAll(/<button type="submit" name="outcome" value="([a-z_]+)"/g)].map(
      (m) => m[1],
    );
    expect(buttons).toEqual(['rejected', 'approved', 'changes_requested']);
    expect(html).toMatch(/<form method="post">/);
  });

  it('advise only what can still be done: no resend after a decision or once the request is replaced', () => {
    const advice = (code: LinkProblem) => problemPage(code).html;
    for (const code of ['used', 'decided', 'superseded'] as const)
      expect({ code, resend: /send the request again/.test(advice(code)) }).toEqual({ code, resend: false });
    expect(advice('used')).toMatch(/Your decision stands/);
    expect(advice('expired')).toMatch(/send the request again/);
    expect(advice('wrong-approver')).toMatch(/reassign the request to you/);
  });

  it('give each refusal its status', () => {
    const expected: Record<LinkProblem, number> = {
      invalid: 400,
      expired: 410,
      used: 409,
      superseded: 409,
      decided: 409,
      'wrong-approver': 403,
      'not-found': 404,
      'not-accepted': 409,
      'form-invalid': 403,
      unavailable: 503,
    };
    for (const [code, status] of Object.entries(expected)) {
      const page = problemPage(code as LinkProblem, 'detail <b>');
      expect(page.status).toBe(status);
      expect(page.html).toContain(`data-problem="${code}"`);
      expect(page.html).toContain('detail &lt;b&gt;');
    }
    expect(
      resultPage({
        organisation: 'Acme',
        outcome: 'changes_requested',
        gateTitle: 'SoA',
        version: 1,
        approver: 'ceo@acme.test',
        decidedAt: '2027-01-01T00:00:00Z',
        sha256: 'd'.repeat(64),
      }),
    ).toMatch(/You <strong>requested changes to<\/strong> SoA, version 1/);
  });
});
