import type { DateTime } from 'luxon';
import { z } from 'zod';
import type { DataSource } from 'typeorm';
import type { AgentNextStep, ToolCallOutcome } from '../../contracts';
import type { AgentName } from '../../domain/agent-registry';
import type { Channel } from '../../domain/channels';
import type { Evidence } from '../../domain/grounding';
import type { Db } from '../../persistence/transactions';
import type { WebsiteFetchOptions } from '../definitions/web-fetch';
import type { BusinessSettings, KnowledgeSearch } from '../deps';

/**
 * What every tool is: a schema the model's arguments must pass, a description the model
 * reads, whether it changes anything (`effect`: it then runs once, through the ledger), an
 * approval rule, and an implementation over the chat's own data.
 */

/** What the tools are built from, once per worker. */
export interface ToolDeps {
  db: DataSource;
  knowledgeBase: KnowledgeSearch;
  business: BusinessSettings;
  /** A refund above this many minor units waits for a person (`LLM_APPROVAL_REFUND_ABOVE`). */
  refundApprovalAboveCents: number;
  /** The research tool reads a lead's website only on these hosts. */
  website: WebsiteFetchOptions;
}

/** One call's world: whose data, when, and where to read and write. */
export interface ToolContext {
  deps: ToolDeps;
  /** Where the tool reads and writes: for an effect, the transaction that also writes its ledger row. */
  db: Db;
  /** The chat whose bookings, orders and profile the tool may read and change: from the workflow, never from the model. */
  chatId: string;
  channel: Channel;
  agent: AgentName;
  /** `en` or `es`: the language of texts the customer reads. */
  language: 'en' | 'es';
  /** When the customer's message arrived (ISO-8601). */
  receivedAt: string;
  /** `receivedAt` in the business's zone: "today" and "already passed" are judged at it, on every retry. */
  now: DateTime;
  workflowId: string;
  callId: string;
  /** `${workflowId}:${callId}`: the ledger key, and the seed of the ids of rows an effect writes. */
  key: string;
}

export type DoneResult = Omit<Extract<ToolCallOutcome, { status: 'done' }>, 'summary'> & {
  /** What came of it, appended to the one-line summary (`3 free`). */
  detail?: string;
};
export type FailedResult = Omit<Extract<ToolCallOutcome, { status: 'failed' }>, 'summary'>;
export type ToolResult = DoneResult | FailedResult;

export interface Tool<S extends z.ZodType> {
  name: string;
  /** What the model reads to decide when and how to call it. */
  description: string;
  schema: S;
  /** True when a call changes something: it runs in a transaction with its ledger row, once per call id. */
  effect: boolean;
  /** Why this call must wait for a person; undefined when it need not. May read (a refund's value). */
  approval?: (args: z.output<S>, ctx: ToolContext) => Promise<string | undefined>;
  /** The call's arguments in a few words, for the summary line (`2026-12-01 10:00`). */
  describe: (args: z.output<S>) => string;
  run: (args: z.output<S>, ctx: ToolContext) => Promise<ToolResult>;
}

/** A tool with its argument type erased, as the registry holds it. */
export interface AnyTool {
  name: string;
  description: string;
  schema: z.ZodType;
  effect: boolean;
  approval?: (args: unknown, ctx: ToolContext) => Promise<string | undefined>;
  describe: (args: unknown) => string;
  run: (args: unknown, ctx: ToolContext) => Promise<ToolResult>;
}

export function defineTool<S extends z.ZodType>(tool: Tool<S>): AnyTool {
  return tool as unknown as AnyTool;
}

/** A call that did what it was asked. `data` is what the model reads (as JSON). */
export function done(
  data: unknown,
  options: { effect: boolean; evidence: Evidence; facts?: Record<string, unknown>; confirmation?: string; next?: AgentNextStep; detail?: string },
): DoneResult {
  return {
    status: 'done',
    content: JSON.stringify(data),
    effect: options.effect,
    evidence: options.evidence,
    ...(options.facts ? { facts: options.facts } : {}),
    ...(options.confirmation ? { confirmation: options.confirmation } : {}),
    ...(options.next ? { next: options.next } : {}),
    ...(options.detail ? { detail: options.detail } : {}),
  };
}

/** A call that ran and could not do it; `error` says why in words the model can act on, `details` what it can try instead. */
export function failed(error: string, details: Record<string, unknown> = {}): FailedResult {
  return { status: 'failed', error, content: JSON.stringify({ error, ...details }) };
}

/** Unique, in first-seen order, without empty values. */
export function distinct<T>(values: Array<T | null | undefined | ''>): T[] {
  return [...new Set(values.filter((v): v is T => v !== null && v !== undefined && v !== ''))];
}

/** Evidence without empty lists, so outcomes stay small. */
export function evidence(parts: Evidence): Evidence {
  return Object.fromEntries(Object.entries(parts).filter(([, list]) => Array.isArray(list) && list.length > 0)) as Evidence;
}
