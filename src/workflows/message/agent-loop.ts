import { log, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type {
  AgentInput,
  AgentOutcome,
  HandleMessageInput,
  LoopFallbackReason,
  LoopMessage,
  MessageStatus,
  ModelStepInput,
  ModelStepResult,
  TaskLogEntry,
  ToolCallOutcome,
  ToolCallRecord,
  ToolCallRequest,
} from '../../contracts';
import { getAgent, type AgentName } from '../../domain/agent-registry';
import { checkGrounding, evidenceFromText, mergeEvidence, type Evidence } from '../../domain/grounding';
import type { Intent } from '../../domain/intents';
import type { RouteDecision } from '../../domain/routing';
import { callAgent } from '../agent-call';
import type { ApprovalDesk } from './approval-desk';
import { LLM_ACTIVITY_OPTIONS, localFirst } from './proxies';

/**
 * LLM mode's agents: a specialist's model calls the specialist's tools until it can answer,
 * in the workflow, so every model call and every tool call is an activity of its own (a
 * worker that dies mid-loop resumes after the last call that completed; nothing already done
 * is asked again). A message for several specialists goes to a supervisor whose tools are
 * the specialists (`ask_<agent>`). Whatever a model finally writes must be grounded in what
 * the tools returned (`checkGrounding`); when it is not, or the loop runs out of steps or
 * tokens, or the model cannot be reached, the customer gets a reply that is: the effects'
 * own confirmations, or the rule agent's reply.
 */

export const DEFAULT_LOOP_BOUNDS = { maxSteps: 6, tokenBudget: 12_000 };
/** Output tokens one model call may use at most (less when the turn's budget has less left). */
const MAX_OUTPUT_TOKENS = 1024;
const SUMMARY_CHARS = 120;

/** Tool calls read and change the business's data: retried with backoff for minutes, each effect at most once (the tool's ledger). */
const TOOL_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10, nonRetryableErrorTypes: ['ValidationError', 'NonRetryableError'] },
};

/** Each call scheduled with its own one-line summary, which the Temporal Web UI shows beside the activity. */
function callTool(summary: string) {
  return proxyActivities<Activities>({ ...TOOL_ACTIVITY_OPTIONS, summary }).callTool;
}

function modelStep(summary: string) {
  return proxyActivities<Activities>({ ...LLM_ACTIVITY_OPTIONS, summary }).agentModelStep;
}

function clip(text: string, max = SUMMARY_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** `book_slot: 2026-12-01 10:00`: the call's name and its argument values, as people read them. */
export function summarizeCall(call: Pick<ToolCallRequest, 'name' | 'arguments'>): string {
  let args: unknown;
  try {
    args = JSON.parse(call.arguments);
  } catch {
    return clip(`${call.name}: ${call.arguments}`);
  }
  if (!args || typeof args !== 'object' || Array.isArray(args)) return clip(`${call.name}: ${JSON.stringify(args)}`);
  const values = Object.values(args as Record<string, unknown>)
    .filter((v) => v !== null && v !== undefined && v !== '')
    .map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v).replace(/^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::00)?$/, '$1 $2')));
  return clip(values.length ? `${call.name}: ${values.join(', ')}` : call.name);
}

/** A text that ends by asking the customer something waits for their answer. */
function asksCustomer(text: string): boolean {
  return /[?¿][\s"')\]]*$/.test(text.trim()) || /\?\s*$/.test(text.split('\n').filter((l) => l.trim()).pop() ?? '');
}

/** What a loop needs of its turn (the turn's context has it). */
export interface LoopContext {
  input: HandleMessageInput;
  workflowId: string;
  receivedAt: string;
  status: MessageStatus;
}

/** What one specialist's loop came to. */
export interface SpecialistResult {
  outcome: AgentOutcome;
  /** What the reply may claim: the tools' evidence, or the rule reply's own claims. */
  evidence: Evidence;
  /** The text is the model's (grounded), not a template. */
  modelWritten: boolean;
}

interface SpecialistRun {
  agent: AgentName;
  intent: Intent;
  evidence: Evidence;
  confirmations: string[];
  facts: Record<string, unknown>;
  next?: AgentOutcome['next'];
  /** Calls a person declined (or nobody decided in time): their summaries. */
  declined: string[];
}

interface Conversation {
  text?: string;
  reason?: LoopFallbackReason;
}

/** One turn's agent loops: shares the turn's step and token budget, and its record of tool calls. */
export class AgentLoops {
  readonly toolCalls: ToolCallRecord[] = [];
  /** Agent log entries: one per tool call and per approval. */
  readonly logs: TaskLogEntry[] = [];
  private promptTokens = 0;
  private completionTokens = 0;
  private modelCalls = 0;
  private fallback: LoopFallbackReason | undefined;
  private readonly usedCallIds = new Set<string>();

  constructor(
    private readonly ctx: LoopContext,
    private readonly approvals: ApprovalDesk,
    private readonly language: string,
  ) {}

  /** Whether an agent acts through tools in LLM mode (agents without tools keep their rule activity). */
  static hasTools(agent: AgentName): boolean {
    return (getAgent(agent).tools?.length ?? 0) > 0;
  }

  private get bounds() {
    return this.ctx.input.agentLoop ?? DEFAULT_LOOP_BOUNDS;
  }

  private tokensLeft(): number {
    return this.bounds.tokenBudget - this.promptTokens - this.completionTokens;
  }

  /** For the message's status: tokens and model calls of the turn, and why a fallback was taken. */
  usage() {
    return { promptTokens: this.promptTokens, completionTokens: this.completionTokens, modelCalls: this.modelCalls, ...(this.fallback ? { fallback: this.fallback } : {}) };
  }

  /** One specialist answers `request`: its model and its tools, or, failing that, a reply that is grounded. */
  async specialist(agent: AgentName, intent: Intent, request: string, ruleInput: AgentInput): Promise<SpecialistResult> {
    if (!AgentLoops.hasTools(agent)) return this.ruleAgent(agent, ruleInput);
    // The customer's own order numbers and references may be quoted back to them.
    const run: SpecialistRun = { agent, intent, evidence: { references: evidenceFromText(request).references ?? [] }, confirmations: [], facts: {}, declined: [] };
    const talk = await this.converse(agent, undefined, [{ role: 'user', content: request }], (call) => this.useTool(run, call));
    if (talk.text) {
      const check = checkGrounding(talk.text, run.evidence);
      if (check.ok) {
        const outcome: AgentOutcome = { agent, intent, text: talk.text, facts: { ...run.facts, llm: true }, ...(run.next ? { next: run.next } : {}) };
        if (asksCustomer(talk.text)) outcome.awaiting = { kind: 'details', context: { by: 'llm' } };
        return { outcome, evidence: run.evidence, modelWritten: true };
      }
      log.warn('a model wrote a claim no tool returned; the grounded reply goes instead', { agent, problems: check.problems });
      this.fallback = 'ungrounded';
    } else {
      this.fallback = talk.reason;
    }
    return this.fallbackFor(run, ruleInput);
  }

  /**
   * Several specialists: the supervisor's model asks them (in parallel where it can) and
   * writes one answer from their replies. Specialists it did not ask do not act.
   */
  async supervise(route: RouteDecision, text: string, ruleInputs: AgentInput[]): Promise<{ results: SpecialistResult[]; text: string; modelWritten: boolean }> {
    const results = new Map<AgentName, SpecialistResult>();
    const asked = new Map<AgentName, Promise<SpecialistResult>>();
    const ask = async (call: ToolCallRequest): Promise<string> => {
      const agent = call.name.replace(/^ask_/, '') as AgentName;
      const i = route.agents.indexOf(agent);
      const request = parseRequest(call.arguments);
      const summary = clip(`${call.name}: ${request ?? call.arguments}`);
      if (!call.name.startsWith('ask_') || i < 0) {
        this.record({ id: this.uniqueCallId(call.id), agent: 'supervisor', name: call.name, summary, status: 'invalid' });
        return JSON.stringify({ error: `no agent tool named ${call.name}; use one of ${route.agents.map((a) => `ask_${a}`).join(', ')}` });
      }
      if (!request) {
        this.record({ id: this.uniqueCallId(call.id), agent, name: call.name, summary, status: 'invalid' });
        return JSON.stringify({ error: 'request: required, the question for this agent in the customer’s words' });
      }
      // An agent asked twice answers once: its effects must not happen twice.
      if (!asked.has(agent)) asked.set(agent, this.specialist(agent, route.intents[i], request, { ...ruleInputs[i], body: request }));
      const result = await asked.get(agent)!;
      results.set(agent, result);
      this.record({ id: this.uniqueCallId(call.id), agent, name: call.name, summary, status: 'done' });
      return JSON.stringify({ agent, reply: result.outcome.text });
    };
    const talk = await this.converse('supervisor', route.agents, [{ role: 'user', content: text }], ask);
    const answered = () => route.agents.filter((a) => results.has(a)).map((a) => results.get(a)!);
    if (talk.text) {
      const evidence = mergeEvidence(...answered().map((r) => r.evidence));
      const check = checkGrounding(talk.text, evidence);
      if (check.ok) return { results: answered(), text: talk.text, modelWritten: true };
      log.warn('the supervisor wrote a claim no agent returned; the agents’ replies go instead', { problems: check.problems });
      this.fallback = 'ungrounded';
    } else {
      this.fallback = talk.reason;
    }
    // Every routed agent answers for itself, in routing order (those already asked are not asked again).
    for (const [i, agent] of route.agents.entries()) {
      if (!asked.has(agent)) asked.set(agent, this.specialist(agent, route.intents[i], text, ruleInputs[i]));
      results.set(agent, await asked.get(agent)!);
    }
    const all = answered();
    return { results: all, text: all.map((r) => r.outcome.text).join('\n\n'), modelWritten: false };
  }

  /** Model → tool calls → results → model, until the model answers or a bound is reached. */
  private async converse(agent: AgentName | 'supervisor', agents: AgentName[] | undefined, messages: LoopMessage[], runTool: (call: ToolCallRequest) => Promise<string>): Promise<Conversation> {
    const { input, workflowId, receivedAt, status } = this.ctx;
    for (let step = 1; step <= this.bounds.maxSteps; step += 1) {
      const left = this.tokensLeft();
      if (left <= 0) return { reason: 'token_budget' };
      const request: ModelStepInput = {
        agent,
        ...(agents ? { agents } : {}),
        language: this.language,
        chatId: input.chatId,
        contextTurns: input.contextTurns ?? 8,
        excludeWorkflowIds: status.turn?.messages ?? [workflowId],
        receivedAt,
        messages,
        maxTokens: Math.min(MAX_OUTPUT_TOKENS, left),
      };
      let answer: ModelStepResult;
      try {
        answer = await modelStep(`${agent}: model call ${step}`)(request);
      } catch (err) {
        log.warn('the model could not be reached; the grounded reply goes instead', { agent, error: err instanceof Error ? err.message : String(err) });
        return { reason: 'model_failed' };
      }
      this.modelCalls += 1;
      this.promptTokens += answer.usage.promptTokens;
      this.completionTokens += answer.usage.completionTokens;
      if (answer.toolCalls.length === 0) return answer.content?.trim() ? { text: answer.content.trim() } : { reason: 'model_failed' };
      messages.push({ role: 'assistant', content: answer.content, tool_calls: answer.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) });
      // Parallel tool calls run in parallel; their results go back in the order they were asked for.
      const results = await Promise.all(answer.toolCalls.map((call) => runTool(call)));
      answer.toolCalls.forEach((call, i) => messages.push({ role: 'tool', tool_call_id: call.id, content: results[i] }));
    }
    return { reason: 'step_limit' };
  }

  /** One tool call, as an activity; a call that needs approval waits for a person first. */
  private async useTool(run: SpecialistRun, call: ToolCallRequest): Promise<string> {
    const { input, workflowId, receivedAt } = this.ctx;
    // The ledger keys effects by workflow id and call id: a model that reuses ids must not share one.
    const request: ToolCallRequest = { ...call, id: this.uniqueCallId(call.id) };
    const summary = summarizeCall(call);
    const base = { workflowId, chatId: input.chatId, channel: input.channel, agent: run.agent, language: this.language, receivedAt, call: request };
    let outcome: ToolCallOutcome = await callTool(summary)(base);
    let refused = false;
    if (outcome.status === 'needs_approval') {
      this.record({ id: request.id, agent: run.agent, name: call.name, summary: outcome.summary, status: 'needs_approval' });
      const approval = await this.approvals.ask({ callId: request.id, agent: run.agent, intent: run.intent, summary: outcome.summary, reason: outcome.reason, language: this.language });
      this.logs.push({ key: `approval:${request.id}`, agent: run.agent, action: 'approval', details: { tool: call.name, summary: outcome.summary, granted: approval.granted, operator: approval.operator ?? null, note: approval.note ?? null } });
      refused = !approval.granted;
      if (refused) run.declined.push(outcome.summary);
      outcome = await callTool(summary)({ ...base, approval });
    }
    const status: ToolCallRecord['status'] = refused ? 'refused' : outcome.status;
    this.record({ id: request.id, agent: run.agent, name: call.name, summary: outcome.summary, status });
    if (outcome.status === 'done') {
      run.evidence = mergeEvidence(run.evidence, outcome.evidence);
      if (outcome.effect && outcome.confirmation) run.confirmations.push(outcome.confirmation);
      if (outcome.facts) run.facts = { ...run.facts, [call.name]: outcome.facts };
      if (outcome.next) run.next = outcome.next;
    }
    return outcome.content;
  }

  private uniqueCallId(id: string): string {
    let unique = id;
    for (let n = 2; this.usedCallIds.has(unique); n += 1) unique = `${id}-${n}`;
    this.usedCallIds.add(unique);
    return unique;
  }

  private record(entry: ToolCallRecord): void {
    const existing = this.toolCalls.findIndex((c) => c.id === entry.id);
    if (existing >= 0) this.toolCalls[existing] = entry;
    else this.toolCalls.push(entry);
    const key = `tool:${entry.id}`;
    const log: TaskLogEntry = { key, agent: entry.agent, action: 'tool_called', details: { tool: entry.name, summary: entry.summary, status: entry.status } };
    const at = this.logs.findIndex((l) => l.key === key);
    if (at >= 0) this.logs[at] = log;
    else this.logs.push(log);
    this.ctx.status.toolCalls = this.toolCalls;
  }

  /** What the customer gets when the model's text cannot be used: what was done, or the rule agent's reply. */
  private async fallbackFor(run: SpecialistRun, ruleInput: AgentInput): Promise<SpecialistResult> {
    if (run.declined.length > 0 && run.confirmations.length === 0) {
      // A person said no: the rule agent must not go and do it anyway.
      const text =
        this.language === 'es'
          ? 'Lo siento, un compañero no ha podido aprobar esta solicitud, así que no se ha hecho nada. Si quieres, te ponemos en contacto con el equipo.'
          : "I'm sorry, a colleague could not approve this request, so nothing was changed. If you like, I can put you in touch with the team.";
      return { outcome: { agent: run.agent, intent: run.intent, text, facts: { ...run.facts, llm: true, declined: run.declined, fallback: this.fallback ?? 'ungrounded' } }, evidence: run.evidence, modelWritten: false };
    }
    if (run.confirmations.length > 0) {
      // Something was done: say exactly that, from the tools' own words (the rule agent would act again).
      const text = run.confirmations.join('\n');
      return { outcome: { agent: run.agent, intent: run.intent, text, facts: { ...run.facts, llm: true, fallback: this.fallback ?? 'ungrounded' }, ...(run.next ? { next: run.next } : {}) }, evidence: mergeEvidence(run.evidence, evidenceFromText(text)), modelWritten: false };
    }
    return this.ruleAgent(run.agent, ruleInput);
  }

  private async ruleAgent(agent: AgentName, ruleInput: AgentInput): Promise<SpecialistResult> {
    const { outcome, done } = await callAgent(localFirst, agent, ruleInput);
    this.logs.push(done);
    return { outcome, evidence: evidenceFromText(outcome.text), modelWritten: false };
  }
}

/** The supervisor's `{ "request": "…" }`, or undefined when it is not there. */
function parseRequest(args: string): string | undefined {
  try {
    const parsed = JSON.parse(args) as { request?: unknown };
    return typeof parsed.request === 'string' && parsed.request.trim() ? parsed.request.trim() : undefined;
  } catch {
    return undefined;
  }
}
