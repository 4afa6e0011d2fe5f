import { ApplicationFailure, CancellationScope, condition, isCancellation, setHandler } from '@temporalio/workflow';
import {
  closeHandoffUpdate,
  customerWroteSignal,
  handoffReplyUpdate,
  type HandleMessageInput,
  type HandoffCloseInput,
  type HandoffReplyInput,
  type HandoffState,
  type MessageStatus,
  type ReplyRecord,
} from '../../contracts';
import { localFirst } from './proxies';

const DEFAULT_HANDOFF_TIMEOUT_SECONDS = 24 * 60 * 60;
const DEFAULT_QUIET_SECONDS = 30 * 60;

interface QueuedReply extends HandoffReplyInput {
  ticket: number;
}

/** How the desk tells the conversation what happened to the chat. */
export interface HandoffEvents {
  reason: string;
  intent: string;
  language: string;
  /** Runs once the handoff is listed: the conversation hands the chat to the person. */
  opened: () => Promise<void>;
  changed: (status: 'answered' | 'closed') => Promise<void>;
}

/**
 * The person's side of a chat handed to a person, for the message workflow that handed it
 * over. A person answers through `handoffReply` (as often as they need: the chat is theirs)
 * and gives it back through `closeHandoff`; the customer's new messages, held for them by
 * the conversation, keep it from going quiet. Handlers are registered at construction and
 * refuse until the handoff is open.
 */
export class HandoffDesk {
  private readonly queued: QueuedReply[] = [];
  private readonly delivered = new Map<number, ReplyRecord>();
  private tickets = 0;
  private closeRequest: { by?: string } | undefined;
  private customerWrote = 0;

  constructor(
    private readonly input: HandleMessageInput,
    private readonly workflowId: string,
    private readonly status: MessageStatus,
  ) {
    setHandler(handoffReplyUpdate, (reply) => this.takeReply(reply), { validator: (reply) => this.validateReply(reply) });
    setHandler(closeHandoffUpdate, (request) => this.takeClose(request), { validator: (request) => this.validateClose(request) });
    setHandler(customerWroteSignal, () => {
      this.customerWrote += 1;
      if (this.status.handoff) this.status.handoff.customerMessages = (this.status.handoff.customerMessages ?? 0) + 1;
    });
  }

  /**
   * Opens the handoff and serves the person until the chat goes back to the agents: their
   * replies go out as they come; it ends when they close it, when it goes quiet after they
   * answered, or when nobody answered in time.
   */
  async serve(events: HandoffEvents): Promise<void> {
    const dueMs = Date.now() + (this.input.handoffTimeoutSeconds ?? DEFAULT_HANDOFF_TIMEOUT_SECONDS) * 1000;
    const dueAt = new Date(dueMs).toISOString();
    // Open before the projection is written: a person who answers as soon as the handoff
    // is listed must be accepted, not told the conversation is not waiting.
    this.status.handoff = { status: 'waiting', dueAt };
    this.status.step = 'waiting_for_human';
    await localFirst('openHandoff')({ workflowId: this.workflowId, chatId: this.input.chatId, channel: this.input.channel, reason: events.reason, intent: events.intent, dueAt });
    await events.opened();
    try {
      await this.attend(dueMs, events);
    } catch (err) {
      if (isCancellation(err)) {
        // Cancelled while a person held the chat: the handoff must not stay open in the queue people work from.
        this.handoff.status = 'cancelled';
        await CancellationScope.nonCancellable(() => localFirst('closeHandoff')({ workflowId: this.workflowId, status: 'cancelled', at: new Date().toISOString() }));
      }
      await CancellationScope.nonCancellable(() => events.changed('closed'));
      throw err;
    }
    await events.changed('closed');
  }

  private get handoff(): HandoffState {
    return this.status.handoff!;
  }

  private isOpen(): boolean {
    const state = this.status.handoff?.status;
    return (state === 'waiting' || state === 'answered') && this.closeRequest === undefined;
  }

  /** One thing at a time until the chat is handed back: a reply to send, a customer message, a close, or the deadline. */
  private async attend(dueMs: number, events: HandoffEvents): Promise<void> {
    const quietMs = (this.input.handoffQuietSeconds ?? DEFAULT_QUIET_SECONDS) * 1000;
    let lastActivity = Date.now();
    let wroteSeen = 0;
    for (;;) {
      const deadline = this.handoff.status === 'waiting' ? dueMs : lastActivity + quietMs;
      const woke = await condition(() => this.queued.length > 0 || this.closeRequest !== undefined || this.customerWrote !== wroteSeen, Math.max(0, deadline - Date.now()));
      if (this.queued.length > 0) {
        await this.send(this.queued.shift()!, events);
        lastActivity = Date.now();
      } else if (this.customerWrote !== wroteSeen) {
        wroteSeen = this.customerWrote;
        lastActivity = Date.now();
      } else if (this.closeRequest !== undefined) {
        await this.close('closed', this.closeRequest.by, this.closeRequest.by ?? 'operator');
        return;
      } else if (!woke) {
        // Nobody came in time; or, once a person answered, nobody wrote for the quiet period.
        if (this.handoff.status === 'waiting') await this.timeOut(events.language);
        else await this.close('closed', undefined, 'quiet_period');
        return;
      }
    }
  }

  private async takeReply(reply: HandoffReplyInput): Promise<ReplyRecord> {
    const ticket = ++this.tickets;
    this.queued.push({ ...reply, ticket });
    // Answered once the reply is sent and recorded, so the caller learns it went out.
    await condition(() => this.delivered.has(ticket));
    return this.delivered.get(ticket)!;
  }

  private validateReply(reply: HandoffReplyInput): void {
    if (!this.isOpen()) throw ApplicationFailure.nonRetryable('this conversation is not waiting for a person', 'NotWaitingForHuman');
    if (typeof reply?.text !== 'string' || reply.text.trim() === '') throw ApplicationFailure.nonRetryable('text: must be a non-empty string', 'ValidationError');
  }

  private async takeClose(request: HandoffCloseInput): Promise<HandoffState> {
    this.closeRequest ??= { by: request?.operator };
    await condition(() => this.status.handoff?.status !== 'waiting' && this.status.handoff?.status !== 'answered');
    return this.handoff;
  }

  private validateClose(_request: HandoffCloseInput): void {
    if (!this.isOpen()) throw ApplicationFailure.nonRetryable('this conversation is not with a person', 'NotWaitingForHuman');
  }

  private async send(reply: QueuedReply, events: HandoffEvents): Promise<void> {
    const n = (this.handoff.replies?.length ?? 0) + 1;
    const record = await localFirst('sendReply')({
      workflowId: this.workflowId,
      chatId: this.input.chatId,
      channel: this.input.channel,
      text: reply.text,
      // The first reply keeps the key replies always had; later ones are numbered.
      idempotencyKey: n === 1 ? `${this.workflowId}:operator-reply` : `${this.workflowId}:operator-reply-${n}`,
      provider: this.input.provider,
      operator: reply.operator,
    });
    await localFirst('handoffAnswered')({ workflowId: this.workflowId, operator: reply.operator, answer: reply.text });
    const handoff = this.handoff;
    handoff.replies = [...(handoff.replies ?? []), { ...record, operator: reply.operator }];
    handoff.reply ??= record;
    handoff.operator = reply.operator;
    this.delivered.set(reply.ticket, record);
    if (handoff.status === 'waiting') {
      handoff.status = 'answered';
      this.status.step = 'with_person';
      await events.changed('answered');
    }
  }

  private async close(status: 'closed', operator: string | undefined, closedBy: string): Promise<void> {
    await localFirst('closeHandoff')({ workflowId: this.workflowId, status, operator, at: new Date().toISOString() });
    Object.assign(this.handoff, { status, closedBy });
  }

  private async timeOut(language: string): Promise<void> {
    const apology =
      language === 'es'
        ? 'Sentimos la espera: nuestro equipo no ha podido responderte todavía. Te escribiremos en cuanto podamos.'
        : "Sorry for the wait: our team hasn't been able to reply yet. We will write to you as soon as we can.";
    await localFirst('sendReply')({ workflowId: this.workflowId, chatId: this.input.chatId, channel: this.input.channel, text: apology, idempotencyKey: `${this.workflowId}:handoff-timeout`, provider: this.input.provider, agent: 'human_handoff' });
    await localFirst('closeHandoff')({ workflowId: this.workflowId, status: 'timed_out', at: new Date().toISOString() });
    this.handoff.status = 'timed_out';
  }
}
