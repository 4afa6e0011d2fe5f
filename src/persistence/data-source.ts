import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { AgentLog } from './entities/agent-log.entity';
import { Alert } from './entities/alert.entity';
import { LlmBreakerState } from './entities/llm-breaker-state.entity';
import { Appointment } from './entities/appointment.entity';
import { Conversation } from './entities/conversation.entity';
import { ConversationMessage } from './entities/conversation-message.entity';
import { Customer } from './entities/customer.entity';
import { DocumentUpload } from './entities/document-upload.entity';
import { Handoff } from './entities/handoff.entity';
import { InboundEvent } from './entities/inbound-event.entity';
import { Lead } from './entities/lead.entity';
import { Order } from './entities/order.entity';
import { OutboundMessage } from './entities/outbound-message.entity';
import { Product } from './entities/product.entity';
import { Quote } from './entities/quote.entity';
import { Reminder } from './entities/reminder.entity';
import { ReturnRequest } from './entities/return-request.entity';
import { Task } from './entities/task.entity';
import { ToolCallRecord } from './entities/tool-call.entity';
import { Company } from './entities/company.entity';
import { DefinitionExecution } from './entities/definition-execution.entity';
import { WorkflowDefinition } from './entities/workflow-definition.entity';
import { EventRecord } from './entities/event.entity';
import { OutboundMessages1767139200000 } from './migrations/1767139200000-outbound-messages';
import { BusinessData1767225600000 } from './migrations/1767225600000-business-data';
import { TasksAndAgentLogs1767312000000 } from './migrations/1767312000000-tasks-and-agent-logs';
import { ChannelDelivery1767398400000 } from './migrations/1767398400000-channel-delivery';
import { WorkflowDefinitions1767571200000 } from './migrations/1767571200000-workflow-definitions';
import { Conversations1767657600000 } from './migrations/1767657600000-conversations';
import { ToolCalls1767744000000 } from './migrations/1767744000000-tool-calls';
import { AgentLoopVisibility1767830400000 } from './migrations/1767830400000-agent-loop-visibility';
import { Events1767916800000 } from './migrations/1767916800000-events';
import { Alerts1768003200000 } from './migrations/1768003200000-alerts';
import { StatsIndexes1768089600000 } from './migrations/1768089600000-stats-indexes';

export const ENTITIES = [
  OutboundMessage,
  Customer,
  Appointment,
  Product,
  Order,
  ReturnRequest,
  Lead,
  DocumentUpload,
  Reminder,
  Handoff,
  Quote,
  Conversation,
  Task,
  AgentLog,
  InboundEvent,
  WorkflowDefinition,
  DefinitionExecution,
  Company,
  ConversationMessage,
  ToolCallRecord,
  Alert,
  LlmBreakerState,
  EventRecord,
];
export const MIGRATIONS = [OutboundMessages1767139200000, BusinessData1767225600000, TasksAndAgentLogs1767312000000, ChannelDelivery1767398400000, WorkflowDefinitions1767571200000, Conversations1767657600000, ToolCalls1767744000000, AgentLoopVisibility1767830400000, Events1767916800000, Alerts1768003200000, StatsIndexes1768089600000];

export interface DatabaseOptions {
  /** `postgres://…` selects PostgreSQL; unset selects a SQLite file under `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
}

/** Where the SQLite file lives when no `DATABASE_URL` is given. */
export function sqlitePath(dataDir: string): string {
  return path.resolve(dataDir, 'switchboard.sqlite');
}

export function dataSourceOptions(options: DatabaseOptions): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    logging: false,
  };
  const url = options.databaseUrl;
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    return { ...common, type: 'postgres', url, extra: { max: 10 } };
  }
  if (url) {
    throw new Error(`DATABASE_URL must be a postgres:// URL or unset (SQLite); got ${url.split(':')[0]}:…`);
  }
  const file = sqlitePath(options.dataDir);
  mkdirSync(path.dirname(file), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: file,
    enableWAL: true,
    // Worker and API share the file; wait for a lock instead of failing at once.
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      db.pragma('busy_timeout = 5000');
    },
  };
}

/**
 * SQLite transactions take the write lock when they begin (BEGIN IMMEDIATE). TypeORM opens
 * them deferred: as readers that become writers at their first write, which in WAL mode
 * fails at once with "database is locked" when another process (the API, the worker) has
 * committed meanwhile, whatever the busy timeout. Taking the lock first makes them wait
 * their turn instead. Patched once on the driver's query runner, for SQLite only.
 */
let immediateTransactions = false;
function beginImmediately(dataSource: DataSource): void {
  if (immediateTransactions || dataSource.options.type !== 'better-sqlite3') return;
  const runner = dataSource.createQueryRunner();
  const proto = Object.getPrototypeOf(runner) as { query: (sql: string, ...rest: unknown[]) => Promise<unknown> };
  const query = proto.query;
  proto.query = function (this: unknown, sql: string, ...rest: unknown[]) {
    return query.call(this, sql === 'BEGIN TRANSACTION' ? 'BEGIN IMMEDIATE TRANSACTION' : sql, ...rest);
  };
  immediateTransactions = true;
  void runner.release();
}

/** Connects and brings the schema up to date with the committed migrations. */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  const dataSource = new DataSource(dataSourceOptions(options));
  await dataSource.initialize();
  beginImmediately(dataSource);
  try {
    await runMigrationsOnce(dataSource);
  } catch (err) {
    await dataSource.destroy();
    throw err;
  }
  return dataSource;
}

/**
 * The worker and the API both migrate at start. When they race on a fresh database the
 * loser's DDL fails because the winner already applied it; a second pass then finds
 * nothing left to do. A real schema error fails both passes and is thrown.
 */
async function runMigrationsOnce(dataSource: DataSource): Promise<void> {
  try {
    await dataSource.runMigrations();
  } catch {
    await new Promise((resolve) => setTimeout(resolve, 500));
    await dataSource.runMigrations();
  }
}
