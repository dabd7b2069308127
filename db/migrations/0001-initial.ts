/**
 * The initial schema. Written against the dialect-neutral Table API so the same migration runs
 * on SQLite and MySQL/MariaDB. A migration is a frozen record of history: it never imports
 * the entity mappings, which keep evolving.
 *
 * Timestamps are ISO-8601 UTC text (they order and compare as strings on both databases).
 * JSON is LONGTEXT on MySQL because artefact bodies can exceed TEXT's 64 KB.
 *
 * programme_id is indexed everywhere: by the primary key where the key starts with it, by
 * an explicit index otherwise.
 */
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnKit } from './column-kit';

const TABLES = [
  'programmes',
  'stage_transitions',
  'assessments',
  'roadmap_tasks',
  'artefacts',
  'audits',
  'findings',
  'approval_decisions',
  'certificates',
] as const;

export class Initial1767225600001 implements MigrationInterface {
  name = 'Initial1767225600001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnKit(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'programmes',
        columns: [
          c.key('id', 64),
          c.varchar('organisation', 200),
          c.varchar('name', 200),
          c.varchar('workflow_id', 200),
          c.varchar('status', 20),
          c.int('cycle'),
          c.varchar('step', 40, true),
          c.varchar('stage', 40, true),
          c.varchar('certificate_status', 20, true),
          c.timestamp('certificate_expires_on', true),
          c.bool('overdue'),
          c.timestamp('next_due_at', true),
          c.json('config'),
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'IDX_programmes_stage', columnNames: ['stage'] }),
          new TableIndex({ name: 'IDX_programmes_organisation', columnNames: ['organisation'] }),
          new TableIndex({ name: 'IDX_programmes_created_at', columnNames: ['created_at'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'stage_transitions',
        columns: [
          c.key('id', 128),
          c.varchar('programme_id', 64),
          c.int('cycle'),
          c.varchar('from_step', 40, true),
          c.varchar('to_step', 40),
          c.varchar('stage', 40),
          c.text('reason'),
          c.timestamp('at'),
        ],
        indices: [
          new TableIndex({ name: 'IDX_stage_transitions_programme', columnNames: ['programme_id', 'at'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'assessments',
        columns: [
          c.key('programme_id', 64),
          c.int('cycle', true),
          c.key('requirement_id', 40),
          c.varchar('status', 40),
          c.text('justification', true),
          c.varchar('assessor', 320),
          c.json('evidence'),
          c.timestamp('assessed_at'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'roadmap_tasks',
        columns: [
          c.key('programme_id', 64),
          c.key('id', 64),
          c.varchar('requirement_id', 40),
          c.varchar('title', 300),
          c.varchar('owner', 320),
          c.timestamp('deadline'),
          c.varchar('status', 20),
          c.text('note', true),
          c.varchar('accepted_by', 320, true),
          c.timestamp('closed_at', true),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'artefacts',
        columns: [
          c.key('programme_id', 64),
          c.key('kind', 40),
          c.key('key', 128),
          c.int('version', true),
          c.json('body'),
          c.varchar('sha256', 64),
          c.timestamp('submitted_at'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'audits',
        columns: [
          c.key('programme_id', 64),
          c.key('id', 64),
          c.varchar('audit', 40),
          c.varchar('step_key', 100),
          c.int('attempt'),
          c.timestamp('first_day'),
          c.timestamp('last_day'),
          c.json('auditors'),
          c.bool('independent'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'findings',
        columns: [
          c.key('programme_id', 64),
          c.key('id', 64),
          c.varchar('audit', 40),
          c.varchar('audit_id', 64),
          c.varchar('step_key', 100),
          c.varchar('grade', 40),
          c.varchar('requirement_id', 40),
          c.text('description'),
          c.varchar('status', 40),
          c.timestamp('raised_at'),
          c.json('corrective_action', true),
          c.json('verification', true),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'approval_decisions',
        columns: [
          c.key('id', 128),
          c.varchar('programme_id', 64),
          c.varchar('step_key', 100),
          c.varchar('gate', 100),
          c.varchar('artefact', 40),
          c.int('artefact_version'),
          c.varchar('outcome', 40),
          c.varchar('approver', 320),
          c.varchar('approver_role', 40),
          c.text('comment', true),
          c.timestamp('decided_at'),
        ],
        indices: [
          new TableIndex({
            name: 'IDX_approval_decisions_programme',
            columnNames: ['programme_id', 'decided_at'],
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'certificates',
        columns: [
          c.key('programme_id', 64),
          c.key('number', 100),
          c.int('cycle'),
          c.varchar('decision_step_key', 100),
          c.timestamp('decision_date'),
          c.timestamp('expires_on'),
          c.varchar('status', 20),
          c.timestamp('lapsed_at', true),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [...TABLES].reverse()) await queryRunner.dropTable(table, true);
  }
}
