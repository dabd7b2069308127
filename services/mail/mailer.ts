/**
 * Mail transport. With SMTP_URL (smtp://host:port, smtps://user:pass@host) messages go to that
 * server; without it they are written as .eml files to the outbox folder (<DATA_DIR>/outbox), so
 * the quick start needs no mail server: open a file with any mail client, or read its links in
 * the worker log.
 */
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  /** RFC 5322 Message-ID, `<...@...>`; deterministic, which makes the outbox file name stable too. */
  messageId: string;
  to: { name: string; email: string };
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  /** Where mail goes, for the log: the SMTP host or the outbox folder (never a password). */
  readonly target: string;
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export interface MailerOptions {
  smtpUrl?: string;
  outboxDir: string;
  from: string;
}

/** Message-IDs become file names: anything but a safe character becomes '-'. */
export function outboxFileName(messageId: string): string {
  return `${messageId.replace(/^<|>$/g, '').replace(/[^A-Za-z0-9._@-]/g, '-')}.eml`;
}

function describeSmtp(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ''}`;
  } catch {
    return 'smtp (unparseable URL)';
  }
}

export function createMailer(options: MailerOptions): Mailer {
  const envelope = (mail: OutgoingMail) => ({
    from: options.from,
    to: { name: mail.to.name, address: mail.to.email },
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId,
    headers: mail.headers,
  });
  if (options.smtpUrl) {
    const transport = nodemailer.createTransport(options.smtpUrl);
    return {
      kind: 'smtp',
      target: describeSmtp(options.smtpUrl),
      async send(mail) {
        await transport.sendMail(envelope(mail));
      },
      close: () => transport.close(),
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'outbox',
    target: options.outboxDir,
    async send(mail) {
      const info = await transport.sendMail(envelope(mail));
      const message = info.message;
      if (!Buffer.isBuffer(message)) throw new Error('the stream transport did not return the message');
      await fs.promises.mkdir(options.outboxDir, { recursive: true });
      const file = path.join(options.outboxDir, outboxFileName(mail.messageId));
      // Written under a temporary name and renamed, so a reader never sees half a message.
      const temp = `${file}.tmp`;
      await fs.promises.writeFile(temp, message);
      await fs.promises.rename(temp, file);
    },
    close: () => transport.close(),
  };
}
