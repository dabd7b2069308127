/**
 * Column helpers for migrations, dialect-neutral: every migration builds its tables with these
 * so that one migration runs unchanged on SQLite and MySQL/MariaDB. Changing what a helper
 * produces would change history: add a new helper instead.
 */
import type { QueryRunner, TableColumnOptions } from 'typeorm';

export function columnKit(queryRunner: QueryRunner) {
  const type = queryRunner.connection.options.type;
  const mysql = type === 'mysql' || type === 'mariadb';
  const varchar = (name: string, length: number, isNullable = false): TableColumnOptions => ({
    name,
    type: 'varchar',
    length: String(length),
    isNullable,
  });
  return {
    key: (name: string, length: number): TableColumnOptions => ({
      ...varchar(name, length),
      isPrimary: true,
    }),
    varchar,
    timestamp: (name: string, isNullable = false): TableColumnOptions => varchar(name, 40, isNullable),
    text: (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'text', isNullable }),
    json: (name: string, isNullable = false): TableColumnOptions => ({
      name,
      type: mysql ? 'longtext' : 'text',
      isNullable,
    }),
    int: (name: string, isPrimary = false): TableColumnOptions => ({
      name,
      type: mysql ? 'int' : 'integer',
      isPrimary,
    }),
    bool: (name: string): TableColumnOptions => ({ name, type: 'boolean' }),
  };
}
