/**
 * Approvals by e-mail link: what the decision records now carry (the artefact hash, the request
 * answered, the channel, the client's address and agent, quorum progress), the register of used
 * link nonces (single use), and the log of sent mail (a retried activity never sends twice).
 */
import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnKit } from './column-kit';

const DECISION_COLUMNS = ['artefact_sha256', 'request_id', 'channel', 'client_ip', 'user_agent', 'quorum'];

export class EmailApprovals1767225600002 implements MigrationInterface {
  name = 'EmailApprovals1767225600002';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnKit(queryRunner);
    await queryRunner.addColumns('approval_decisions', [
      new TableColumn(c.varchar('artefact_sha256', 64, true)),
      new TableColumn(c.varchar('request_id', 200, true)),
      new TableColumn(c.varchar('channel', 20, true)),
      new TableColumn(c.varchar('client_ip', 64, true)),
      new TableColumn(c.varchar('user_agent', 500, true)),
      new TableColumn(c.varchar('quorum', 20, true)),
    ]);
    await queryRunner.createTable(
      new Table({
        name: 'approval_link_uses',
        columns: [
          c.key('nonce', 64),
          c.varchar('programme_id', 64),
          c.varchar('request_id', 200),
          c.varchar('gate', 100),
          c.varchar('approver', 320),
          c.varchar('outcome', 40),
          c.timestamp('used_at'),
          c.varchar('client_ip', 64, true),
          c.varchar('user_agent', 500, true),
        ],
        indices: [
          new TableIndex({ name: 'IDX_approval_link_uses_programme', columnNames: ['programme_id'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'mail_log',
        columns: [
          c.key('message_id', 200),
          c.varchar('programme_id', 64),
          c.varchar('mail_id', 300),
          c.varchar('kind', 40),
          c.varchar('recipient', 320),
          c.text('subject'),
          c.timestamp('sent_at'),
        ],
        indices: [
          new TableIndex({ name: 'IDX_mail_log_programme', columnNames: ['programme_id', 'sent_at'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('mail_log', true);
    await queryRunner.dropTable('approval_link_uses', true);
    for (const column of DECISION_COLUMNS) await queryRunner.dropColumn('approval_decisions', column);
  }
}
