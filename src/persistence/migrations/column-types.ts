import type { QueryRunner } from 'typeorm';

/** Timestamp column type for the connected dialect; migrations are written once for both. */
export function timestampType(queryRunner: QueryRunner): string {
  return queryRunner.connection.options.type === 'postgres' ? 'timestamptz' : 'datetime';
}

/** Default "now" expression for the connected dialect. */
export function nowDefault(queryRunner: QueryRunner): string {
  return queryRunner.connection.options.type === 'postgres' ? 'now()' : "(datetime('now'))";
}
