import { ApplicationFailure } from '@temporalio/common';
import type { DataSource } from 'typeorm';
import type { TriageResult } from '../domain/keyword-triage';
import type { PendingQuestion } from '../domain/questions';
import { LLM_FAILURE_TYPES } from '../llm/failure-types';
import { timeLlmCall, triageTotal } from '../observability/metrics';
import type { createLlmReplyWriter } from '../llm/reply-writer';
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
    async writeReply(input: WriteReplyInput): Promise<{ text: string }> {
      if (!llm) notConfigured();
      const history = await historyOf(input.context);
      const { context: _context, ...rest } = input;
      return timeLlmCall('reply', () => llm.replies.writeReply({ ...rest, history }));
    },
  };
}
