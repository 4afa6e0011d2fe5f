import { DateTime } from 'luxon';
import type { z } from 'zod';
import type { CallToolInput, ToolCallOutcome } from '../../contracts';
import { agentTools } from '../../domain/agent-registry';
import { toolCallsTotal } from '../../observability/metrics';
import { runOnce, storedOutcome } from './ledger';
import { toolFor, toolNamed } from './registry';
import type { AnyTool, ToolContext, ToolDeps, ToolResult } from './tool';

/**
 * One tool call the model asked for, as one activity. Nothing runs unless the tool is the
 * calling agent's and its arguments pass its schema (`invalid`, naming the field); a call
 * that needs a person and has no decision yet returns `needs_approval`, one a person
 * declined returns `failed`; an effect runs once per `${workflowId}:${callId}` through the
 * ledger. Business failures are `failed` outcomes the model can recover from; anything else
 * (the database is down) is thrown, and the activity retries.
 */

/** Call ids the ledger keys on: what models send (`call_…`), bounded. */
const CALL_ID = /^[\x21-\x7e]{1,128}$/;

function invalid(name: string, error: string, details: Record<string, unknown> = {}): ToolCallOutcome {
  return { status: 'invalid', summary: `${name}: invalid (${error})`, error, content: JSON.stringify({ error, ...details }) };
}

/** "start: expected YYYY-MM-DDTHH:MM; service: Invalid option…": each field once, with its first problem. */
export function describeIssues(error: z.ZodError): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) parts.push(`${[...issue.path, key].join('.')}: unknown field`);
      continue;
    }
    const field = issue.path.length > 0 ? issue.path.join('.') : 'arguments';
    if (seen.has(field)) continue;
    seen.add(field);
    parts.push(`${field}: ${issue.code === 'invalid_type' && /received undefined$/.test(issue.message) ? 'required' : issue.message}`);
  }
  return parts.join('; ');
}

/** The model's JSON text through the tool's schema. An empty text is no arguments. */
function parseArguments(tool: AnyTool, text: string): { args: unknown } | { error: string } {
  let raw: unknown;
  if (text.trim() === '') raw = {};
  else {
    try {
      raw = JSON.parse(text);
    } catch {
      return { error: 'arguments: not valid JSON' };
    }
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { error: 'arguments: expected a JSON object' };
  const parsed = tool.schema.safeParse(raw);
  return parsed.success ? { args: parsed.data } : { error: describeIssues(parsed.error) };
}

function outcomeOf(line: string, result: ToolResult): ToolCallOutcome {
  if (result.status === 'failed') return { ...result, summary: `${line} → failed: ${result.error}` };
  const { detail, ...rest } = result;
  return { ...rest, summary: detail ? `${line} → ${detail}` : line };
}

export function createCallTool(deps: ToolDeps) {
  const call = callOnce(deps);
  return async function callTool(input: CallToolInput): Promise<ToolCallOutcome> {
    const outcome = await call(input);
    // Tool names the model made up are counted together: labels stay bounded.
    toolCallsTotal.inc({ tool: toolNamed(input.call.name) ? input.call.name : 'unknown', outcome: outcome.status });
    return outcome;
  };
}

function callOnce(deps: ToolDeps) {
  return async function callTool(input: CallToolInput): Promise<ToolCallOutcome> {
    const { call } = input;
    const tool = toolFor(input.agent, call.name);
    if (!tool) {
      const error = toolNamed(call.name) ? `${call.name} is not a tool of the ${input.agent} agent` : `there is no tool ${call.name}`;
      return invalid(call.name, error, { tools: agentTools(input.agent) });
    }
    const parsed = parseArguments(tool, call.arguments);
    if ('error' in parsed) return invalid(tool.name, parsed.error, { hint: 'fix the arguments and call the tool again' });
    if (!CALL_ID.test(call.id)) return invalid(tool.name, 'call id: expected 1 to 128 printable characters');
    const { args } = parsed;

    const key = `${input.workflowId}:${call.id}`;
    const ctx: ToolContext = {
      deps,
      db: deps.db,
      chatId: input.chatId,
      channel: input.channel,
      agent: input.agent,
      language: input.language.startsWith('es') ? 'es' : 'en',
      receivedAt: input.receivedAt,
      now: DateTime.fromISO(input.receivedAt, { zone: deps.business.timezone }),
      workflowId: input.workflowId,
      callId: call.id,
      key,
    };
    const line = `${tool.name}: ${tool.describe(args)}`;

    // What a call already did is what it did: a retry or a replay returns it, whatever else changed.
    if (tool.effect) {
      const earlier = await storedOutcome(deps.db, key);
      if (earlier) return earlier;
    }

    if (input.approval && !input.approval.granted) {
      const error = 'a member of staff declined this request';
      return {
        status: 'failed',
        summary: `${line} → declined${input.approval.operator ? ` by ${input.approval.operator}` : ''}`,
        error,
        content: JSON.stringify({ error, ...(input.approval.note ? { note: input.approval.note } : {}), hint: 'nothing was done: tell the customer it was not approved, and do not try again' }),
      };
    }
    const reason = tool.approval ? await tool.approval(args, ctx) : undefined;
    if (reason && !input.approval) {
      return {
        status: 'needs_approval',
        summary: `${line} → needs approval`,
        reason,
        content: JSON.stringify({ status: 'needs_approval', reason, hint: 'nothing was done yet: a person decides first' }),
      };
    }

    if (!tool.effect) return outcomeOf(line, await tool.run(args, ctx));
    return runOnce(
      deps.db,
      { key, workflowId: input.workflowId, callId: call.id, chatId: input.chatId, agent: input.agent, tool: tool.name, arguments: args as Record<string, unknown> },
      async (manager) => outcomeOf(line, await tool.run(args, { ...ctx, db: manager })),
    );
  };
}
