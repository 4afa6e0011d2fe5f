/**
 * @module persistence
 * TypeORM data source (SQLite by default, PostgreSQL by URL), entities and committed
 * migrations. `synchronize` is off: the schema changes only through migrations.
 */
export * from './data-source';
export * from './entities/outbound-message.entity';
