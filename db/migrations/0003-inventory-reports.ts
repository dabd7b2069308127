/**
 * AI inventory (scans, their findings, each source's observations, the merged AI systems),
 * generated reports (every version of every format, with its SHA-256), and the gap-scoring
 * details of assessments.
 *
 * Source keys are bounded (a hash of the scanned path) so that they fit in a primary key on
 * MySQL; the readable path is kept beside them. Report content is a BLOB (LONGBLOB on MySQL).
 */
import {
  Table,
  TableColumn,
  TableIndex,
  type MigrationInterface,
  type QueryRunner,
  type TableColumnOptions,
} from 'typeorm';
import { columnKit } from './column-kit';

function blob(queryRunner: QueryRunner, name: string): TableColumnOptions {
  const type = queryRunner.connection.options.type;
  return { name, type: type === 'mysql' || type === 'mariadb' ? 'longblob' : 'blob', isNullable: false };
}

export class InventoryReports1767225600003 implements MigrationInterface {
  name = 'InventoryReports1767225600003';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnKit(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'inventory_scans',
        columns: [
          c.key('programme_id', 64),
          c.key('id', 64),
          c.varchar('kind', 10),
          c.text('source'),
          c.varchar('source_key', 100),
          c.bool('in_scope'),
          c.varchar('status', 20),
          c.int('files_seen'),
          c.int('files_scanned'),
          c.int('findings'),
          c.json('result', true),
          c.text('error', true),
          c.timestamp('requested_at'),
          c.timestamp('started_at', true),
          c.timestamp('finished_at', true),
          c.timestamp('updated_at'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'inventory_findings',
        columns: [
          c.key('programme_id', 64),
          c.key('scan_id', 64),
          c.key('id', 40),
          c.varchar('category', 40),
          c.varchar('signature', 300),
          c.json('body'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'inventory_observations',
        columns: [
          c.key('programme_id', 64),
          c.key('source_key', 100),
          c.key('system_id', 64),
          c.varchar('scan_id', 64),
          c.json('body'),
        ],
        indices: [
          new TableIndex({
            name: 'IDX_inventory_observations_system',
            columnNames: ['programme_id', 'system_id'],
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'ai_systems',
        columns: [
          c.key('programme_id', 64),
          c.key('id', 64),
          c.varchar('status', 10),
          c.varchar('fingerprint', 64),
          c.json('body'),
          c.timestamp('updated_at'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'reports',
        columns: [
          c.key('programme_id', 64),
          c.key('kind', 40),
          c.key('report_key', 128),
          c.int('version', true),
          c.key('format', 10),
          c.varchar('content_type', 100),
          c.varchar('sha256', 64),
          c.int('byte_size'),
          blob(queryRunner, 'content'),
          c.varchar('source_sha256', 64),
          c.varchar('model_sha256', 64),
          c.json('meta'),
          c.timestamp('generated_at'),
        ],
        indices: [new TableIndex({ name: 'IDX_reports_sha256', columnNames: ['programme_id', 'sha256'] })],
      }),
    );
    await queryRunner.addColumn('assessments', new TableColumn(c.json('scoring', true)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('assessments', 'scoring');
    for (const table of [
      'reports',
      'ai_systems',
      'inventory_observations',
      'inventory_findings',
      'inventory_scans',
    ])
      await queryRunner.dropTable(table, true);
  }
}
