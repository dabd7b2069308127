/**
 * The certification cycle in depth: internal audits carry their planned audit, scope and the
 * auditor's independence statement; findings their follow-up (plan deadline, overdue flag and
 * the certification body's consequence, escalation to a major NC, ineffective earlier actions);
 * certificates the scope certified and the certificate of the previous cycle they continue.
 */
import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnKit } from './column-kit';

export class CertificationCycle1767225600010 implements MigrationInterface {
  name = 'CertificationCycle1767225600010';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnKit(queryRunner);
    await queryRunner.addColumns('audits', [
      new TableColumn(c.varchar('plan_id', 64, true)),
      new TableColumn(c.json('scope', true)),
      new TableColumn(c.json('independence', true)),
    ]);
    await queryRunner.addColumns('findings', [new TableColumn(c.json('track', true))]);
    await queryRunner.addColumns('certificates', [
      new TableColumn(c.json('scope', true)),
      new TableColumn(c.varchar('replaces', 100, true)),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumns('certificates', ['scope', 'replaces']);
    await queryRunner.dropColumns('findings', ['track']);
    await queryRunner.dropColumns('audits', ['plan_id', 'scope', 'independence']);
  }
}
