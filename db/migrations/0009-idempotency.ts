/** Idempotency records: the first response to each caller's Idempotency-Key, for replays. */
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnKit } from './column-kit';

export class IdempotencyRecords1767225600009 implements MigrationInterface {
  name = 'IdempotencyRecords1767225600009';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnKit(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'idempotency_records',
        columns: [
          c.key('id', 64),
          c.varchar('caller', 200),
          c.varchar('idempotency_key', 200),
          c.varchar('method', 10),
          c.text('path'),
          c.varchar('fingerprint', 64),
          c.varchar('state', 20),
          { ...c.int('status'), isNullable: true },
          c.json('response', true),
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
        ],
        indices: [new TableIndex({ name: 'IDX_idempotency_records_created', columnNames: ['created_at'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('idempotency_records');
  }
}
