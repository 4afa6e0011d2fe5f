import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { APPROVAL_MARK, approvalDecisionUpdate, type ApprovalDecisionInput, type ApprovalState, type HandleMessageInput, type MessageStatus, type ToolApproval } from '../../contracts';
import type { AgentName } from '../../domain/agent-registry';
import { localFirst } from './proxies';

const DEFAULT_APPROVAL_TIMEOUT_SECONDS = 24 * 60 * 60;

/** The handoff row people decide a paused call through: the message's own id, marked with the call. */
export function approvalHandoffId(workflowId: string, callId: string): string {
  return `${workflowId}${APPROVAL_MARK}${callId}`;
}

/**
 * Where an agent's loop waits for a person: a tool call marked as needing approval (cancel
 * an order, a refund above the threshold) is listed in the handoff inbox, the customer is
 * told a colleague is checking, and the loop resumes with the decision (`approvalDecision`
 * update) or, when nobody decides in time, as refused. One call waits at a time.
 */
export class ApprovalDesk {
  private decision: ApprovalDecisionInput | undefined;

  constructor(
    private readonly input: HandleMessageInput,
    private readonly workflowId: string,
    /** When the message arrived: the notice is a reply to it (WhatsApp's 24-hour window). */
    private readonly receivedAt: string,
    private readonly status: MessageStatus,
  ) {
    setHandler(
      approvalDecisionUpdate,
      async (decision) => {
        this.decision = decision;
        await condition(() => this.status.approval?.status !== 'waiting');
        return this.status.approval!;
      },
      {
        validator: (decision) => {
          if (this.status.approval?.status !== 'waiting' || this.decision !== undefined) {
            throw ApplicationFailure.nonRetryable('no tool call of this conversation is waiting for approval', 'NotWaitingForApproval');
          }
          if (decision?.callId !== undefined && decision.callId !== this.status.approval.callId) {
            throw ApplicationFailure.nonRetryable(`the call waiting for approval is ${this.status.approval.callId}, not ${decision.callId}`, 'NotWaitingForApproval');
          }
          if (typeof decision?.approve !== 'boolean') throw ApplicationFailure.nonRetryable('approve: must be true or false', 'ValidationError');
        },
      },
    );
  }

  /** Lists the call for people, tells the customer, and waits for the decision. */
  async ask(request: { callId: string; agent: AgentName; intent: string; summary: string; reason: string; language: string }): Promise<ToolApproval> {
    const handoffId = approvalHandoffId(this.workflowId, request.callId);
    const timeoutMs = (this.input.handoffTimeoutSeconds ?? DEFAULT_APPROVAL_TIMEOUT_SECONDS) * 1000;
    const dueAt = new Date(Date.now() + timeoutMs).toISOString();
    this.decision = undefined;
    const approval: ApprovalState = { handoffId, callId: request.callId, agent: request.agent, summary: request.summary, reason: request.reason, status: 'waiting', dueAt };
    this.status.approval = approval;
    const previousStep = this.status.step;
    this.status.step = 'waiting_for_approval';
    await localFirst('openHandoff')({ workflowId: handoffId, chatId: this.input.chatId, channel: this.input.channel, reason: 'approval', intent: request.intent, dueAt, request: `${request.summary} (${request.reason})` });
    await localFirst('sendReply')({
      workflowId: this.workflowId,
      chatId: this.input.chatId,
      channel: this.input.channel,
      text:
        request.language === 'es'
          ? 'Necesito que un compañero lo apruebe antes de hacerlo; te escribo en cuanto lo confirme.'
          : "I need a colleague to approve this before I go ahead; I'll write again as soon as they have.",
      idempotencyKey: `${this.workflowId}:approval:${request.callId}`,
      provider: this.input.provider,
      replyToReceivedAt: this.receivedAt,
      agent: request.agent,
    });
    const decided = await condition(() => this.decision !== undefined, timeoutMs);
    const decision = this.decision as ApprovalDecisionInput | undefined;
    if (decided && decision) {
      approval.status = decision.approve ? 'granted' : 'refused';
      approval.operator = decision.operator;
      approval.note = decision.note;
    } else {
      approval.status = 'timed_out';
    }
    await localFirst('closeHandoff')({
      workflowId: handoffId,
      status: approval.status === 'timed_out' ? 'timed_out' : 'answered',
      operator: approval.operator,
      answer: approval.status === 'timed_out' ? undefined : `${approval.status}${approval.note ? `: ${approval.note}` : ''}`,
      at: new Date().toISOString(),
    });
    this.status.step = previousStep;
    return { granted: approval.status === 'granted', operator: approval.operator, note: approval.status === 'timed_out' ? 'nobody decided in time' : approval.note };
  }
}
