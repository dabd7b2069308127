/**
 * Two registers behind approvals by e-mail: the nonces of approval links that have decided
 * (a link works once), and the messages sent (an activity retried after a crash does not send
 * a message twice). Both are insert-only and keyed by their natural id, so writing twice is a
 * no-op.
 */
import { EntitySchema, type DataSource, type EntityManager } from 'typeorm';
import type { DatabaseKind } from './database-url';
import { entityColumns } from './entities';
import { isDuplicateKeyError } from './errors';
import { sqliteQueueFor, type SerialQueue } from './serial-queue';

export interface LinkUse {
  nonce: string;
  programmeId: string;
  requestId: string;
  gate: string;
  approver: string;
  outcome: string;
  usedAt: string;
  clientIp: string | null;
  userAgent: string | null;
}

export interface SentMail {
  messageId: string;
  programmeId: string;
  mailId: string;
  kind: string;
  recipient: string;
  subject: string;
  sentAt: string;
}

export const LINK_USE_ENTITY = 'ApprovalLinkUse';
export const SENT_MAIL_ENTITY = 'SentMail';

export function buildApprovalEntities(kind: DatabaseKind): EntitySchema[] {
  const c = entityColumns(kind);
  const linkUse = new EntitySchema<LinkUse>({
    name: LINK_USE_ENTITY,
    tableName: 'approval_link_uses',
    columns: {
      nonce: c.id('nonce', 64),
      programmeId: c.text('programme_id', 64),
      requestId: c.text('request_id', 200),
      gate: c.text('gate', 100),
      approver: c.text('approver', 320),
      outcome: c.text('outcome', 40),
      usedAt: c.timestamp('used_at'),
      clientIp: c.text('client_ip', 64, true),
      userAgent: c.text('user_agent', 500, true),
    },
    indices: [{ name: 'IDX_approval_link_uses_programme', columns: ['programmeId'] }],
  });
  const sentMail = new EntitySchema<SentMail>({
    name: SENT_MAIL_ENTITY,
    tableName: 'mail_log',
    columns: {
      messageId: c.id('message_id', 200),
      programmeId: c.text('programme_id', 64),
      mailId: c.text('mail_id', 300),
      kind: c.text('kind', 40),
      recipient: c.text('recipient', 320),
      subject: c.longText('subject'),
      sentAt: c.timestamp('sent_at'),
    },
    indices: [{ name: 'IDX_mail_log_programme', columns: ['programmeId', 'sentAt'] }],
  });
  return [linkUse, sentMail];
}

/** What the API needs: has this link decided already, and record that it has. */
export interface LinkUseStore {
  findLinkUse(nonce: string): Promise<LinkUse | null>;
  /** Records the use; false when the nonce was recorded already (by a concurrent request). */
  recordLinkUse(use: LinkUse): Promise<boolean>;
}

/** What the mail activities need: was this message sent, and record that it was. */
export interface MailLog {
  wasSent(messageId: string): Promise<boolean>;
  recordSent(mail: SentMail): Promise<void>;
  listSent(programmeId: string): Promise<SentMail[]>;
}

export class ApprovalStore implements LinkUseStore, MailLog {
  private readonly queue: SerialQueue | null;

  constructor(private readonly dataSource: DataSource) {
    this.queue = sqliteQueueFor(dataSource);
  }

  findLinkUse(nonce: string): Promise<LinkUse | null> {
    return this.run((em) => em.getRepository<LinkUse>(LINK_USE_ENTITY).findOneBy({ nonce }));
  }

  recordLinkUse(use: LinkUse): Promise<boolean> {
    return this.run((em) =>
      this.insertUnlessExists(em, LINK_USE_ENTITY, {
        ...use,
        userAgent: use.userAgent?.slice(0, 500) ?? null,
      }),
    );
  }

  async wasSent(messageId: string): Promise<boolean> {
    return this.run((em) => em.getRepository<SentMail>(SENT_MAIL_ENTITY).existsBy({ messageId }));
  }

  async recordSent(mail: SentMail): Promise<void> {
    await this.run((em) => this.insertUnlessExists(em, SENT_MAIL_ENTITY, mail));
  }

  listSent(programmeId: string): Promise<SentMail[]> {
    return this.run((em) =>
      em
        .getRepository<SentMail>(SENT_MAIL_ENTITY)
        .find({ where: { programmeId }, order: { sentAt: 'ASC', messageId: 'ASC' } }),
    );
  }

  private async insertUnlessExists<T extends object>(
    em: EntityManager,
    entity: string,
    row: T,
  ): Promise<boolean> {
    try {
      await em.getRepository<T>(entity).insert(row);
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  private run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const task = () => work(this.dataSource.manager);
    return this.queue ? this.queue.run(task) : task();
  }
}
