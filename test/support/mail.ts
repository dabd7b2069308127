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

/**
 * The next message is held in the DATA phase: fully transmitted, but not acknowledged until
 * `release()`. If the client's connection closes first (its process was killed), the message
 * was never accepted: it lands in `abandoned`, not in `messages`.
 */
export interface HeldMail {
  /** Resolves with the message once it has been transmitted and is being held. */
  readonly arrived: Promise<ReceivedMail>;
  /** Resolves once the sender's connection closed while the message was held. */
  readonly abandoned: Promise<ReceivedMail>;
  release(): void;
}

interface HoldControl {
  next?: { arrive: (m: ReceivedMail) => void; abandon: (m: ReceivedMail) => void; released: Promise<void> };
  closeWatchers: Map<string, () => void>;
  abandoned: ReceivedMail[];
}

export class MailCatcher {
  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
    /** Every message received, in order of arrival. */
    readonly messages: ReceivedMail[],
    private readonly holds: HoldControl,
  ) {}

  /** Messages that were held and whose sender went away before they were acknowledged. */
  get abandoned(): readonly ReceivedMail[] {
    return this.holds.abandoned;
  }

  /** Holds the next message in the DATA phase (see HeldMail). */
  holdNext(): HeldMail {
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let arrive = (_m: ReceivedMail): void => undefined;
    let abandon = (_m: ReceivedMail): void => undefined;
    const arrived = new Promise<ReceivedMail>((resolve) => (arrive = resolve));
    const abandoned = new Promise<ReceivedMail>((resolve) => (abandon = resolve));
    this.holds.next = { arrive, abandon, released };
    return { arrived, abandoned, release };
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<MailCatcher> {
    const received: ReceivedMail[] = [];
    const holds: HoldControl = { closeWatchers: new Map(), abandoned: [] };
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onClose(session) {
        holds.closeWatchers.get(session.id)?.();
      },
      onData(stream, session, callback) {
        simpleParser(stream).then(
          (parsed) => {
            const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
            const mail: ReceivedMail = {
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
            };
            const hold = holds.next;
            if (!hold) {
              received.push(mail);
              callback();
              return;
            }
            holds.next = undefined;
            let settled = false;
            holds.closeWatchers.set(session.id, () => {
              if (settled) return;
              settled = true;
              holds.abandoned.push(mail);
              hold.abandon(mail);
            });
            void hold.released.then(() => {
              if (settled) return;
              settled = true;
              received.push(mail);
              callback();
            });
            hold.arrive(mail);
          },
          (err: Error) => callback(err),
        );
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return new MailCatcher(server, (server.server.address() as AddressInfo).port, received, holds);
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
