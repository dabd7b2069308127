/** Builds the mail activities of a worker process from its configuration. */
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { NotificationActivities } from '../domain/contracts/notifications';
import { createNotificationActivities } from '../activities/notifications';
import { resolveApprovalSecret } from '../services/approval-links/secret';
import { ApprovalStore } from '../db/approval-store';
import { ProgrammeRepository } from '../db/repository';
import type { AppConfig } from '../infra/config';
import { createMailer } from '../services/mail/mailer';

export function notificationsFromConfig(
  config: Pick<AppConfig, 'mail' | 'dataDir'>,
  dataSource: DataSource,
  logger: Logger,
): NotificationActivities {
  const mailer = createMailer({
    smtpUrl: config.mail.smtpUrl,
    outboxDir: config.mail.outboxDir,
    from: config.mail.from,
  });
  logger.info(
    { transport: mailer.kind, target: mailer.target, links: config.mail.publicBaseUrl },
    'mail ready',
  );
  return createNotificationActivities({
    mailer,
    mailLog: new ApprovalStore(dataSource),
    secret: resolveApprovalSecret({ approvalSecret: config.mail.approvalSecret, dataDir: config.dataDir }),
    publicBaseUrl: () => config.mail.publicBaseUrl,
    records: new ProgrammeRepository(dataSource),
    logger,
  });
}
