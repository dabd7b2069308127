/** KPI snapshots: the time series behind management review inputs and readiness trends. */
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnKit } from './column-kit';

export class KpiSnapshots1767225600006 implements MigrationInterface {
  name = 'KpiSnapshots1767225600006';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnKit(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'kpi_snapshots',
        columns: [
          c.key('programme_id', 64),
          c.key('id', 200),
          c.int('cycle'),
          c.varchar('trigger_kind', 20),
          c.timestamp('taken_at'),
          c.json('kpis'),
          c.json('readiness'),
        ],
        indices: [
          new TableIndex({ name: 'IDX_kpi_snapshots_taken', columnNames: ['programme_id', 'taken_at'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('kpi_snapshots');
  }
}
