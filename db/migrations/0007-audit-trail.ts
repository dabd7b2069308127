/**
 * The audit trail: append-only, hash-chained events per programme (and one service chain).
 * The primary key (chain_id, seq) is what stops two concurrent appenders from forking a chain:
 * the second insert of a sequence number fails and that appender links to the new head instead.
 */
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnKit } from './column-kit';

export class AuditTrail1767225600007 implements MigrationInterface {
  name = 'AuditTrail1767225600007';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnKit(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          c.key('chain_id', 64),
          c.int('seq', true),
          c.timestamp('at'),
          c.varchar('actor_id', 320),
          c.varchar('actor_role', 40),
          c.varchar('action', 120),
          c.varchar('subject', 300, true),
          c.varchar('before_digest', 64, true),
          c.varchar('after_digest', 64, true),
          c.json('temporal_event', true),
          c.varchar('dedupe_key', 255, true),
          c.varchar('prev_hash', 64),
          c.varchar('hash', 64),
        ],
        indices: [
          new TableIndex({ name: 'UQ_audit_events_dedupe', columnNames: ['dedupe_key'], isUnique: true }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_events');
  }
}
