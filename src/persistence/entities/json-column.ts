import type { ValueTransformer } from 'typeorm';

/** JSON in a text column: portable across SQLite and PostgreSQL with one migration. */
export const jsonText: ValueTransformer = {
  to: (value: unknown) => (value === undefined ? undefined : JSON.stringify(value ?? null)),
  from: (value: string | null) => (value == null ? null : JSON.parse(value)),
};
