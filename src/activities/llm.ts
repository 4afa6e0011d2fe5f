import { ApplicationFailure } from '@temporalio/common';
import type { TriageResult } from '../domain/keyword-triage';
import { LLM_FAILURE_TYPES } from '../llm/failure-types';
import { timeLlmCall, triageTotal } from '../observability/metrics';
import type { createLlmReplyWriter } from '../llm/reply-writer';
import type { createLlmTriage } from '../llm/llm-triage';

export interface LlmServices {
  triage: ReturnType<typeof createLlmTriage>;
  replies: ReturnType<typeof createLlmReplyWriter>;
}

export interface WriteReplyInput {
  language: string;
  draft: string;
  facts: Record<string, unknown>;
  customerText: string;
}

function notConfigured(): never {
  throw ApplicationFailure.nonRetryable('no LLM provider is configured on this worker (rule mode)', LLM_FAILURE_TYPES.notConfigured);
}

/**
 * LLM triage and reply writing. Registered on every worker: without a provider they fail
 * at once, non-retryably, and the workflow keeps the rules' triage and the template reply.
 */
export function createLlmActivities(llm: LlmServices | undefined) {
  return {
    async triageByLlm(input: { text: string; rules: TriageResult }): Promise<TriageResult> {
      if (!llm) notConfigured();
      const result = await timeLlmCall('triage', () => llm.triage.triageByLlm(input));
      triageTotal.inc({ method: result.method, intent: result.intent });
      return result;
    },
    async writeReply(input: WriteReplyInput): Promise<{ text: string }> {
      if (!llm) notConfigured();
      return timeLlmCall('reply', () => llm.replies.writeReply(input));
    },
  };
}
