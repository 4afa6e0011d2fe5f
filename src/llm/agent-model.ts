import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { completeWithTools, type LlmDeps, type ToolingAnswer } from './chat-completion';

export interface LlmAgentModel {
  step(request: { purpose: string; messages: ChatCompletionMessageParam[]; tools: ChatCompletionTool[]; maxTokens: number; signal?: AbortSignal }): Promise<ToolingAnswer>;
}

/**
 * An agent's model in LLM mode: one Chat Completions call with the agent's tools, the model
 * free to call several at once. The loop around it is the workflow's.
 */
export function createLlmAgentModel(deps: LlmDeps): LlmAgentModel {
  return {
    step({ purpose, messages, tools, maxTokens, signal }) {
      return completeWithTools(
        deps,
        { messages, ...(tools.length > 0 ? { tools, tool_choice: 'auto' as const, parallel_tool_calls: true } : {}) },
        { purpose, defaultTemperature: 0.2, maxTokens, signal },
      );
    },
  };
}
