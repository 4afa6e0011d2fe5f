import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { DataSource } from 'typeorm';
import type { Evidence } from '../domain/grounding';
import type { TriageResult } from '../domain/keyword-triage';
import type { PendingQuestion } from '../domain/questions';
import { LLM_FAILURE_TYPES } from '../llm/failure-types';
import { llmUngrounded, timeLlmCall, triageTotal } from '../observability/metrics';
import { groundReply, type createLlmReplyWriter } from '../llm/reply-writer';
import type { createLlmTriage } from '../llm/llm-triage';
import type { ConversationLine } from '../llm/chat-completion';
import { recentTranscript } from '../persistence/transcript-queries';

export interface LlmServices {
  triage: ReturnType<typeof createLlmTriage>;
  replies: ReturnType<typeof createLlmReplyWriter>;
}

/** Which earlier messages of the chat the model sees: read from the transcript, never carried in histories. */
export interface ConversationContextRef {
  chatId: string;
  /** How many earlier messages (in and out); 0: none. */
  turns: number;
  /** The messages of the turn itself, which the prompt carries already. */
  excludeWorkflowIds: string[];
  /** The question the chat has open, if any. */
  question?: PendingQuestion;
}

export interface WriteReplyInput {
  language: string;
  draft: string;
  facts: Record<string, unknown>;
  customerText: string;
  context?: ConversationContextRef;
  /** What tools returned besides the draft and the facts (the agent loop's calls): the reply may claim it too. */
  evidence?: Evidence;
}

/** What a model's text was written for: a turn's reply, a follow-up step. */
export type GroundingPurpose = 'reply' | 'follow_up';

/** Long digit runs in a problem (a phone number read as a reference) keep their last four digits only. */
function loggable(problem: string): string {
  return problem.replace(/\d{7,}/g, (run) => run.replace(/\d(?=\d{4})/g, '*'));
}

/**
 * The text a model wrote, or the draft when it claims what no tool returned: counted on
 * `switchboard_llm_ungrounded_total{purpose}` and logged with the problems (never the texts).
 */
export function groundedText(
  purpose: GroundingPurpose,
  input: { draft: string; facts: Record<string, unknown>; evidence?: Evidence },
  written: string,
): { text: string; grounded: boolean } {
  const result = groundReply(input, written);
  if (!result.grounded) {
    llmUngrounded.inc({ purpose });
    log.warn('LLM text claims what no tool returned; sending the template text instead', { purpose, problems: result.problems.map(loggable) });
  }
  return { text: result.text, grounded: result.grounded };
}

function notConfigured(): never {
  throw ApplicationFailure.nonRetryable('no LLM provider is configured on this worker (rule mode)', LLM_FAILURE_TYPES.notConfigured);
}

/** The open question as the model reads it: what was asked, and the options offered. */
function describeQuestion(question: PendingQuestion | undefined): string | undefined {
  if (!question) return undefined;
  const options = question.options?.map((o, i) => `${i + 1}) ${o.label}`).join('; ');
  return `${question.agent} asked for ${question.kind.replace('_', ' ')}${options ? `: ${options}` : ''}`;
}

/**
 * LLM triage and reply writing. Registered on every worker: without a provider they fail
 * at once, non-retryably, and the workflow keeps the rules' triage and the template reply.
 * The chat's earlier messages come from the transcript, never from the workflow's history.
 */
export function createLlmActivities(llm: LlmServices | undefined, db?: DataSource) {
  async function historyOf(context: ConversationContextRef | undefined): Promise<ConversationLine[] | undefined> {
    if (!context || !db || context.turns <= 0) return undefined;
    const lines = await recentTranscript(db, context.chatId, { limit: context.turns, excludeWorkflowIds: context.excludeWorkflowIds });
    return lines.map((l) => ({ direction: l.direction, text: l.text }));
  }

  return {
    async triageByLlm(input: { text: string; rules: TriageResult; context?: ConversationContextRef }): Promise<TriageResult> {
      if (!llm) notConfigured();
      const history = await historyOf(input.context);
      const openQuestion = describeQuestion(input.context?.question);
      const result = await timeLlmCall('triage', () => llm.triage.triageByLlm({ text: input.text, rules: input.rules, history, openQuestion }));
      triageTotal.inc({ method: result.method, intent: result.intent });
      return result;
    },
    /** The model's wording of the draft; the draft itself (`grounded: false`) when the wording claims what no tool returned. */
    async writeReply(input: WriteReplyInput): Promise<{ text: string; grounded: boolean }> {
      if (!llm) notConfigured();
      const history = await historyOf(input.context);
      const { context: _context, evidence: _evidence, ...rest } = input;
      const written = await timeLlmCall('reply', () => llm.replies.writeReply({ ...rest, history }));
      return groundedText('reply', input, written.text);
    },
  };
}
