import type { AgentName } from '../domain/agent-registry';
import type { Channel } from '../domain/channels';
import type { Evidence } from '../domain/grounding';
import type { AgentNextStep } from './handle-message';

/**
 * What crosses between the agent loop (a workflow) and its activities in LLM mode: the model
 * asks for tool calls, the workflow runs each as its own activity (`callTool`), and feeds the
 * results back to the model (`agentModelStep`). Types only: the tools' schemas (zod) and
 * implementations live with the activities, out of the workflow sandbox.
 */

/** One tool call the model asked for, in the Chat Completions wire format's terms. */
export interface ToolCallRequest {
  /** The model's id for the call (`call_…`); with the workflow id, the idempotency key of any effect. */
  id: string;
  name: string;
  /** The arguments exactly as the model wrote them: JSON text, validated by the tool's schema before anything runs. */
  arguments: string;
}

/** A person's decision on a call that needs approval. */
export interface ToolApproval {
  granted: boolean;
  operator?: string;
  note?: string;
}

export interface CallToolInput {
  /** The message workflow running the loop; with `call.id`, the key that makes an effect happen once. */
  workflowId: string;
  /** Whose data the tool reads and changes: from the workflow, never from the model. */
  chatId: string;
  channel: Channel;
  /** The specialist whose loop asked; a tool refuses a call from an agent it does not belong to. */
  agent: AgentName;
  language: string;
  /** When the customer's message arrived (ISO-8601): "tomorrow" is relative to it on every retry. */
  receivedAt: string;
  call: ToolCallRequest;
  /** Present when a person decided on a call that needed approval. */
  approval?: ToolApproval;
}

/**
 * What a tool call came to. Every variant carries a one-line `summary` for the Web UI, the
 * agent log and the transcript (`book_slot: 2026-12-01 10:00`) and the `content` the model
 * reads next (JSON text).
 */
export type ToolCallOutcome =
  | {
      status: 'done';
      summary: string;
      content: string;
      /** True when the call changed something (a booking, a return, a profile). */
      effect: boolean;
      /** What a reply may claim because this call returned it. */
      evidence: Evidence;
      /** Small facts for the task log (`{ appointmentId, start }`). */
      facts?: Record<string, unknown>;
      /** A sentence stating the effect, in the customer's language: the reply when a model's text cannot be trusted. */
      confirmation?: string;
      /** What should happen after the reply, as a rule agent would ask (a quote's follow-up campaign). */
      next?: AgentNextStep;
    }
  /** The arguments failed the tool's schema (`error` names the field), or the tool is not this agent's: nothing ran. */
  | { status: 'invalid'; summary: string; content: string; error: string }
  /** The tool ran and could not do it (no free slot, no such order): the model can recover. */
  | { status: 'failed'; summary: string; content: string; error: string }
  /** Nothing ran: a person must approve this call first (cancel an order, a refund above the threshold). */
  | { status: 'needs_approval'; summary: string; content: string; reason: string };

/** One message of the loop's conversation with the model (the system prompt is the activity's). */
export type LoopMessage =
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }> }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface ModelStepInput {
  /** The specialist whose tools the model gets; `supervisor` gets the routed agents as tools instead. */
  agent: AgentName | 'supervisor';
  /** For the supervisor: the agents it may delegate to. */
  agents?: AgentName[];
  language: string;
  /** The chat, for the earlier turns the prompt carries (read from the transcript, not from history). */
  chatId: string;
  contextTurns: number;
  excludeWorkflowIds: string[];
  receivedAt: string;
  messages: LoopMessage[];
  /** Output tokens this call may use at most: what is left of the turn's budget. */
  maxTokens: number;
}

export interface ModelStepResult {
  content: string | null;
  toolCalls: ToolCallRequest[];
  usage: { promptTokens: number; completionTokens: number };
}
