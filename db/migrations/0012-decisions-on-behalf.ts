/**
 * Decisions recorded through the API name who recorded them, and those recorded on an
 * approver's behalf the evidence of the approver's own decision; an API key names the person
 * who holds it and whether it may record decisions for others.
 */
import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnKit } from './column-kit';

export class DecisionsOnBehalf1767225600012 implements MigrationInterface {
  name = 'DecisionsOnBehalf1767225600012';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnKit(queryRunner);
    await queryRunner.addColumns('api_keys', [
      new TableColumn(c.varchar('holder', 320, true)),
      // 0 rather than false: how both dialects write and read back a boolean's default.
      new TableColumn({ ...c.bool('records_for_others'), default: 0 }),
    ]);
    await queryRunner.addColumns('approval_decisions', [
      new TableColumn(c.varchar('recorded_by', 100, true)),
      new TableColumn(c.varchar('on_behalf_evidence', 500, true)),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('approval_decisions', 'on_behalf_evidence');
    await queryRunner.dropColumn('approval_decisions', 'recorded_by');
    await queryRunner.dropColumn('api_keys', 'records_for_others');
    await queryRunner.dropColumn('api_keys', 'holder');
  }
}
