/**
 * @module persistence
 * TypeORM data source (SQLite by default, PostgreSQL by URL), entities and committed
 * migrations. `synchronize` is off: the schema changes only through migrations.
 */
export * from './data-source';
export * from './transactions';
export * from './delivery-ledger';
export * from './entities/agent-log.entity';
export * from './entities/appointment.entity';
export * from './entities/conversation.entity';
export * from './entities/conversation-message.entity';
export * from './entities/customer.entity';
export * from './entities/document-upload.entity';
export * from './entities/handoff.entity';
export * from './entities/inbound-event.entity';
export * from './entities/lead.entity';
export * from './entities/order.entity';
export * from './entities/outbound-message.entity';
export * from './entities/product.entity';
export * from './entities/quote.entity';
export * from './entities/reminder.entity';
export * from './entities/return-request.entity';
export * from './entities/task.entity';
export * from './entities/tool-call.entity';
export * from './stats';
export * from './entities/alert.entity';
export * from './entities/llm-breaker-state.entity';
export * from './alert-store';
export * from './entities/event.entity';
export * from './events';
