/**
 * A real SMTP server inside the test process (smtp-server) that keeps every message it
 * receives, parsed with mailparser, with the approval links read out of the text part.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  messageId: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Our X-Aimsflow-* headers: programme, mail id, kind, request, gate. */
  programmeId: string;
  mailId: string;
  kind: string;
  requestId?: string;
  gate?: string;
  links?: { approve: string; reject: string; changes: string };
  parsed: ParsedMail;
}

function header(parsed: ParsedMail, name: string): string | undefined {
  const value = parsed.headers.get(name);
  return typeof value === 'string' ? value : undefined;
}

function linksOf(text: string): ReceivedMail['links'] {
  const find = (label: string) => new RegExp(`${label}:\\s+(http\\S+)`).exec(text)?.[1];
  const approve = find('Approve');
  const reject = find('Reject');
  const changes = find('Request changes');
  return approve && reject && changes ? { approve, reject, changes } : undefined;
}

export class MailCatcher {
  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
    /** Every message received, in order of arrival. */
    readonly messages: ReceivedMail[],
  ) {}

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<MailCatcher> {
    const received: ReceivedMail[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _session, callback) {
        simpleParser(stream).then(
          (parsed) => {
            const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
            received.push({
              messageId: parsed.messageId ?? '',
              to: to?.value[0]?.address ?? '',
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              programmeId: header(parsed, 'x-aimsflow-programme') ?? '',
              mailId: header(parsed, 'x-aimsflow-mail') ?? '',
              kind: header(parsed, 'x-aimsflow-kind') ?? '',
              requestId: header(parsed, 'x-aimsflow-request'),
              gate: header(parsed, 'x-aimsflow-gate'),
              links: linksOf(parsed.text ?? ''),
              parsed,
            });
            callback();
          },
          (err: Error) => callback(err),
        );
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return new MailCatcher(server, (server.server.address() as AddressInfo).port, received);
  }

  /** Polls (bounded) for a message matching the predicate; the newest one wins. */
  async waitFor(match: (m: ReceivedMail) => boolean, what: string, tries = 600): Promise<ReceivedMail> {
    for (let i = 0; i < tries; i++) {
      const found = this.messages.filter(match).at(-1);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(
      `no mail: ${what}; received: ${this.messages.map((m) => `${m.kind} ${m.to} ${m.gate ?? ''}`).join(', ')}`,
    );
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
