/** The evidence register: one row per version of each evidence item (files live on disk by hash). */
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnKit } from './column-kit';

export class Evidence1767225600005 implements MigrationInterface {
  name = 'Evidence1767225600005';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnKit(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'evidence',
        columns: [
          c.key('programme_id', 64),
          c.key('id', 64),
          c.varchar('evidence_key', 64),
          c.int('version'),
          c.varchar('title', 300),
          c.varchar('source', 10),
          c.text('url', true),
          c.varchar('file_name', 255, true),
          c.varchar('media_type', 150, true),
          c.int('size'),
          c.varchar('sha256', 64),
          c.varchar('owner', 320),
          c.json('requirement_ids'),
          c.json('ai_system_ids'),
          c.timestamp('review_on', true),
          c.timestamp('expires_on', true),
          c.timestamp('created_at'),
        ],
        indices: [
          new TableIndex({
            name: 'UQ_evidence_key_version',
            columnNames: ['programme_id', 'evidence_key', 'version'],
            isUnique: true,
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('evidence');
  }
}
