/**
 * The mail activities: render a template, mint the approval links, hand the message to the
 * transport, and note it in the sent-log. A message's id derives from the workflow's mail id
 * and the recipient, so a retry (or a replayed workflow asking again) finds it in the log and
 * sends nothing. Once the mail server has accepted a message, noting it is retried until the
 * activity's own deadline (a database outage of less than that sends nothing twice); what
 * remains is a crash of the worker between the two, or a database down for longer, after which
 * the retried activity sends that one message again.
 */
import { createHash } from 'node:crypto';
import { asyncLocalStorage } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { MailLog } from '../db/approval-store';
import type { ProgrammeRepository } from '../db/repository';
import { NOTICES } from '../domain/notices';
import { artefactSummary, type ArtefactReader } from '../services/artefact-bodies';
import type { ApprovalOutcome } from '../domain/schemas';
import type { Mailer } from '../services/mail/mailer';
import { mailTemplateSet, type TemplateSet } from '../services/mail/templates';
import { approvalLinks, artefactUrl, programmeUrl } from '../services/approval-links/links';
import { deriveNonce, signToken, TOKEN_VERSION } from '../services/approval-links/tokens';
import type {
  ApprovalMail,
  MailResult,
  NoticeMail,
  NotificationActivities,
} from '../domain/contracts/notifications';

export interface NotificationDeps {
  mailer: Mailer;
  mailLog: MailLog;
  /** Signs the approval links (see approvals/tokens.ts). */
  secret: string;
  /** Base of every link in a message, e.g. https://aims.example.com; read at send time. */
  publicBaseUrl: () => string;
  /**
   * Where the texts come from that workflows do not carry: an artefact's summary, a task's
   * title, a finding's description. Without it messages go out with the facts alone.
   */
  records?: NoticeRecords;
  logger?: Logger;
  templates?: TemplateSet;
}

const LOG_RETRY_FIRST_MS = 250;
const LOG_RETRY_MAX_MS = 2000;
/** Outside an activity (direct calls), how long noting a sent message may be retried. */
const LOG_RETRY_DEFAULT_MS = 30_000;
/** Stop this long before the activity's start-to-close timeout, so the failure is ours, not a timeout. */
const LOG_RETRY_MARGIN_MS = 5000;

/** Until when a sent message's log entry may be retried: the current attempt's deadline, less a margin. */
function logDeadline(sentAt: number): number {
  const info = asyncLocalStorage.getStore()?.info;
  if (!info?.startToCloseTimeoutMs) return sentAt + LOG_RETRY_DEFAULT_MS;
  return info.currentAttemptScheduledTimestampMs + info.startToCloseTimeoutMs - LOG_RETRY_MARGIN_MS;
}

/** Mail ids (request and step ids) repeat across programmes, so the programme is part of the message id. */
export function messageIdFor(programmeId: string, mailId: string, recipient: string): string {
  const digest = createHash('sha256')
    .update(`${programmeId}\n${mailId}\n${recipient.trim().toLowerCase()}`)
    .digest('hex');
  return `<${digest.slice(0, 40)}@aimsflow>`;
}

const day = (iso: string) => iso.slice(0, 10);
const minute = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/** What the mail activities read from the records. */
export type NoticeRecords = ArtefactReader & Pick<ProgrammeRepository, 'getTask' | 'getFinding'>;

/** The text of the record a notice is about, added to its template variables. */
async function noticeFacts(
  records: NoticeRecords | undefined,
  notice: NoticeMail,
): Promise<Record<string, string>> {
  const about = NOTICES[notice.kind].about;
  if (!records || !about) return notice.facts;
  if (about === 'task') {
    const task = await records.getTask(notice.programmeId, notice.facts.taskId ?? '');
    return task ? { ...notice.facts, taskTitle: task.title } : notice.facts;
  }
  const finding = await records.getFinding(notice.programmeId, notice.facts.findingId ?? '');
  return finding ? { ...notice.facts, description: finding.description } : notice.facts;
}

export function createNotificationActivities(deps: NotificationDeps): NotificationActivities {
  const templates = () => deps.templates ?? mailTemplateSet();
  const base = () => deps.publicBaseUrl().replace(/\/+$/, '');

  async function deliver(
    programmeId: string,
    mailId: string,
    kind: string,
    to: { name: string; email: string },
    render: () => { subject: string; text: string; html: string },
    headers: Record<string, string>,
  ): Promise<boolean> {
    const messageId = messageIdFor(programmeId, mailId, to.email);
    if (await deps.mailLog.wasSent(messageId)) return false;
    const { subject, text, html } = render();
    await deps.mailer.send({
      messageId,
      to,
      subject,
      text,
      html,
      headers: {
        // RFC 3834: keeps auto-responders from answering.
        'Auto-Submitted': 'auto-generated',
        'X-Aimsflow-Programme': programmeId,
        'X-Aimsflow-Mail': mailId,
        'X-Aimsflow-Kind': kind,
        ...headers,
      },
    });
    const sent = {
      messageId,
      programmeId,
      mailId,
      kind,
      recipient: to.email,
      subject,
      sentAt: new Date().toISOString(),
    };
    // The message is out: failing now would send it again on the retry, so keep trying to note it.
    const deadline = logDeadline(Date.now());
    for (let wait = LOG_RETRY_FIRST_MS; ; wait = Math.min(wait * 2, LOG_RETRY_MAX_MS)) {
      try {
        await deps.mailLog.recordSent(sent);
        return true;
      } catch (err) {
        if (Date.now() + wait > deadline) throw err;
        deps.logger?.warn({ err, messageId }, 'sent, but could not note it in the mail log yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  async function sendNotice(notice: NoticeMail): Promise<MailResult> {
    const result: MailResult = { sent: 0, skipped: 0 };
    const name = `notice-${notice.kind}`;
    const facts = await noticeFacts(deps.records, notice);
    for (const person of notice.recipients) {
      const data = {
        organisation: notice.organisation,
        recipientName: person.name,
        facts,
        programmeUrl: programmeUrl(base(), notice.programmeId),
        tasksUrl: `${programmeUrl(base(), notice.programmeId)}/tasks`,
        approvalsUrl: `${programmeUrl(base(), notice.programmeId)}/approvals`,
        subject: '',
      };
      const sent = await deliver(
        notice.programmeId,
        notice.noticeId,
        notice.kind,
        person,
        () => {
          const subject = templates().subject(name, data);
          return { ...templates().mail(name, { ...data, subject }), subject };
        },
        {},
      );
      if (sent) result.sent++;
      else result.skipped++;
    }
    return result;
  }

  return {
    async sendApprovalMail(mail: ApprovalMail): Promise<MailResult> {
      const result: MailResult = { sent: 0, skipped: 0 };
      const exp = Math.floor(Date.parse(mail.linkExpiresAt) / 1000);
      const summary = deps.records
        ? await artefactSummary(deps.records, mail.programmeId, mail.artefact, mail.artefactVersion)
        : [];
      for (const approver of mail.recipients) {
        const nonce = deriveNonce(deps.secret, mail.programmeId, mail.requestId, approver.email);
        const token = (intendedOutcome: ApprovalOutcome) =>
          signToken(
            {
              v: TOKEN_VERSION,
              programmeId: mail.programmeId,
              stepKey: mail.stepKey,
              gate: mail.gate,
              approver: approver.email,
              artefactSha256: mail.artefactSha256,
              requestId: mail.requestId,
              nonce,
              exp,
              intendedOutcome,
            },
            deps.secret,
          );
        const links = approvalLinks(base(), token);
        const data = {
          organisation: mail.organisation,
          approverName: approver.name,
          stepTitle: mail.stepTitle,
          title: mail.title,
          version: mail.approvalVersion,
          // The record's own version, when edits made it differ from what the approver counts.
          recordVersion: mail.artefactVersion !== mail.approvalVersion ? mail.artefactVersion : undefined,
          sha256: mail.artefactSha256,
          summary,
          submittedBy: mail.submittedBy,
          quorumText:
            mail.quorum > 1
              ? `This gate needs ${mail.quorum} approvals; one rejection decides it.`
              : undefined,
          artefactUrl: artefactUrl(base(), mail.programmeId, mail.artefactLocation, mail.artefactVersion),
          links,
          isReminder: mail.kind === 'reminder',
          isEscalation: mail.kind === 'escalation',
          isResend: mail.kind === 'resend',
          isReassigned: mail.kind === 'reassigned',
          reminder: mail.reminder,
          maxReminders: mail.maxReminders,
          linkExpires: minute(mail.linkExpiresAt),
          dueOn: day(mail.dueAt),
          subject: '',
        };
        const sent = await deliver(
          mail.programmeId,
          mail.mailId,
          `approval-${mail.kind}`,
          approver,
          () => {
            const subject = templates().subject('approval', data);
            return { ...templates().mail('approval', { ...data, subject }), subject };
          },
          { 'X-Aimsflow-Request': mail.requestId, 'X-Aimsflow-Gate': mail.gate },
        );
        if (!sent) {
          result.skipped++;
          continue;
        }
        result.sent++;
        if (deps.mailer.kind === 'outbox') {
          // Without a mail server the log is where the quick start finds its links.
          deps.logger?.info(
            { to: approver.email, gate: mail.gate, requestId: mail.requestId, kind: mail.kind, ...links },
            'approval request written to the outbox',
          );
        }
      }
      return result;
    },

    sendNotice,

    async sendNotices(notices: NoticeMail[]): Promise<MailResult> {
      const result: MailResult = { sent: 0, skipped: 0 };
      for (const notice of notices) {
        const one = await sendNotice(notice);
        result.sent += one.sent;
        result.skipped += one.skipped;
      }
      return result;
    },
  };
}

/**
 * For workers built without mail (e.g. embedded in another tool): messages are dropped, with one
 * warning, so that approval timers and the journey still run. worker/main.ts always wires a mailer.
 */
export function createDroppingNotificationActivities(logger?: Logger): NotificationActivities {
  let warned = false;
  const drop = (recipients: number): Promise<MailResult> => {
    if (!warned) {
      warned = true;
      logger?.warn('this worker has no mailer: approval requests and notices are not sent');
    }
    return Promise.resolve({ sent: 0, skipped: recipients });
  };
  return {
    sendApprovalMail: (mail) => drop(mail.recipients.length),
    sendNotice: (notice) => drop(notice.recipients.length),
    sendNotices: (notices) => drop(notices.reduce((n, x) => n + x.recipients.length, 0)),
  };
}
