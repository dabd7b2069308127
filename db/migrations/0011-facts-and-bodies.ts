/**
 * The workflows' facts and the bodies awaiting them. `programme_facts` holds what a stage
 * knows about a programme, one row per record (and one for the programme-wide facts), so a
 * stage loads it in pages instead of receiving it in a workflow payload. `input_bodies` holds
 * an input's body between the API receiving it and the stage accepting it.
 */
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnKit } from './column-kit';

export class FactsAndBodies1767225600011 implements MigrationInterface {
  name = 'FactsAndBodies1767225600011';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnKit(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'programme_facts',
        columns: [c.key('programme_id', 64), c.key('kind', 32), c.key('fact_key', 160), c.json('fact')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'input_bodies',
        columns: [
          c.key('id', 64),
          c.varchar('programme_id', 64),
          c.varchar('kind', 40),
          c.varchar('sha256', 64),
          c.json('body'),
          c.timestamp('received_at'),
        ],
        indices: [new TableIndex({ name: 'IDX_input_bodies_received', columnNames: ['received_at'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('input_bodies');
    await queryRunner.dropTable('programme_facts');
  }
}
