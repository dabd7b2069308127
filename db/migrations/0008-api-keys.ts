/**
 * API keys: who may call the API, with which role. Only the SHA-256 of each key's secret is
 * stored, so a copy of the database does not hand out working keys.
 */
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnKit } from './column-kit';

export class ApiKeys1767225600008 implements MigrationInterface {
  name = 'ApiKeys1767225600008';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnKit(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          c.key('id', 32),
          c.varchar('name', 100),
          c.varchar('role', 40),
          c.varchar('secret_sha256', 64),
          c.timestamp('created_at'),
          c.varchar('created_by', 100),
          c.timestamp('revoked_at', true),
          c.timestamp('last_used_at', true),
        ],
        indices: [new TableIndex({ name: 'IDX_api_keys_created', columnNames: ['created_at'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('api_keys');
  }
}
