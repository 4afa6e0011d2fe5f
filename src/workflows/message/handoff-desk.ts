import { ApplicationFailure, CancellationScope, condition, isCancellation, setHandler } from '@temporalio/workflow';
import {
  closeHandoffUpdate,
  customerWroteSignal,
  handoffReplyUpdate,
  type HandleMessageInput,
  type HandoffCloseInput,
  type HandoffReplyInput,
  type MessageStatus,
  type ReplyRecord,
} from '../../contracts';
import { localFirst } from './proxies';

const DEFAULT_HANDOFF_TIMEOUT_SECONDS = 24 * 60 * 60;
const DEFAULT_QUIET_SECONDS = 30 * 60;

interface QueuedReply extends HandoffReplyInput {
  ticket: number;
}

export interface HandoffDesk {
  /**
   * Opens the handoff and serves the person until the chat goes back to the agents: their
   * replies go out as they come; it ends when they close it, when it goes quiet after they
   * answered, or when nobody answered in time. `opened` runs once the handoff is listed.
   */
  serve(handoff: { reason: string; intent: string; language: string; opened: () => Promise<void>; changed: (status: 'answered' | 'closed') => Promise<void> }): Promise<void>;
}

/**
 * The person's side of a chat handed to a person, for the message workflow that handed it
 * over. A person answers through `handoffReply` (as often as they need: the chat is theirs)
 * and gives it back through `closeHandoff`; the customer's new messages, held for them by
 * the conversation, keep it from going quiet. Handlers are registered at once and refuse
 * until the handoff is open.
 */
export function handoffDesk(input: HandleMessageInput, workflowId: string, status: MessageStatus): HandoffDesk {
  const queued: QueuedReply[] = [];
  const delivered = new Map<number, ReplyRecord>();
  let tickets = 0;
  let closeRequest: { by?: string } | undefined;
  let customerWrote = 0;

  const open = () => status.handoff !== undefined && (status.handoff.status === 'waiting' || status.handoff.status === 'answered') && closeRequest === undefined;

  setHandler(
    handoffReplyUpdate,
    async (reply) => {
      const ticket = ++tickets;
      queued.push({ ...reply, ticket });
      // Answered once the reply is sent and recorded, so the caller learns it went out.
      await condition(() => delivered.has(ticket));
      return delivered.get(ticket)!;
    },
    {
      validator: (reply) => {
        if (!open()) throw ApplicationFailure.nonRetryable('this conversation is not waiting for a person', 'NotWaitingForHuman');
        if (typeof reply?.text !== 'string' || reply.text.trim() === '') throw ApplicationFailure.nonRetryable('text: must be a non-empty string', 'ValidationError');
      },
    },
  );
  setHandler(
    closeHandoffUpdate,
    async (request) => {
      closeRequest ??= { by: request?.operator };
      await condition(() => status.handoff?.status !== 'waiting' && status.handoff?.status !== 'answered');
      return status.handoff!;
    },
    {
      validator: (_request: HandoffCloseInput) => {
        if (!open()) throw ApplicationFailure.nonRetryable('this conversation is not with a person', 'NotWaitingForHuman');
      },
    },
  );
  setHandler(customerWroteSignal, () => {
    customerWrote += 1;
    if (status.handoff) status.handoff.customerMessages = (status.handoff.customerMessages ?? 0) + 1;
  });

  async function send(reply: QueuedReply, changed: (status: 'answered') => Promise<void>): Promise<void> {
    const n = (status.handoff!.replies?.length ?? 0) + 1;
    const record = await localFirst('sendReply')({
      workflowId,
      chatId: input.chatId,
      channel: input.channel,
      text: reply.text,
      // The first reply keeps the key replies always had; later ones are numbered.
      idempotencyKey: n === 1 ? `${workflowId}:operator-reply` : `${workflowId}:operator-reply-${n}`,
      provider: input.provider,
      operator: reply.operator,
    });
    await localFirst('handoffAnswered')({ workflowId, operator: reply.operator, answer: reply.text });
    const handoff = status.handoff!;
    handoff.replies = [...(handoff.replies ?? []), { ...record, operator: reply.operator }];
    handoff.reply ??= record;
    handoff.operator = reply.operator;
    delivered.set(reply.ticket, record);
    if (handoff.status === 'waiting') {
      handoff.status = 'answered';
      status.step = 'with_person';
      await changed('answered');
    }
  }

  async function timeOut(language: string): Promise<void> {
    const apology =
      language === 'es'
        ? 'Sentimos la espera: nuestro equipo no ha podido responderte todavía. Te escribiremos en cuanto podamos.'
        : "Sorry for the wait: our team hasn't been able to reply yet. We will write to you as soon as we can.";
    await localFirst('sendReply')({ workflowId, chatId: input.chatId, channel: input.channel, text: apology, idempotencyKey: `${workflowId}:handoff-timeout`, provider: input.provider, agent: 'human_handoff' });
    await localFirst('closeHandoff')({ workflowId, status: 'timed_out', at: new Date().toISOString() });
    status.handoff!.status = 'timed_out';
  }

  return {
    async serve({ reason, intent, language, opened, changed }) {
      const timeoutSeconds = input.handoffTimeoutSeconds ?? DEFAULT_HANDOFF_TIMEOUT_SECONDS;
      const quietMs = (input.handoffQuietSeconds ?? DEFAULT_QUIET_SECONDS) * 1000;
      const dueMs = Date.now() + timeoutSeconds * 1000;
      const dueAt = new Date(dueMs).toISOString();
      // Open before the projection is written: a person who answers as soon as the handoff
      // is listed must be accepted, not told the conversation is not waiting.
      status.handoff = { status: 'waiting', dueAt };
      status.step = 'waiting_for_human';
      await localFirst('openHandoff')({ workflowId, chatId: input.chatId, channel: input.channel, reason, intent, dueAt });
      await opened();

      let lastActivity = Date.now();
      let wroteSeen = 0;
      try {
        for (;;) {
          const deadline = status.handoff.status === 'waiting' ? dueMs : lastActivity + quietMs;
          const woke = await condition(() => queued.length > 0 || closeRequest !== undefined || customerWrote !== wroteSeen, Math.max(0, deadline - Date.now()));
          if (queued.length > 0) {
            await send(queued.shift()!, changed);
            lastActivity = Date.now();
          } else if (customerWrote !== wroteSeen) {
            wroteSeen = customerWrote;
            lastActivity = Date.now();
          } else if (closeRequest !== undefined) {
            await localFirst('closeHandoff')({ workflowId, status: 'closed', operator: closeRequest.by, at: new Date().toISOString() });
            Object.assign(status.handoff, { status: 'closed', closedBy: closeRequest.by ?? 'operator' });
            break;
          } else if (!woke) {
            if (status.handoff.status === 'waiting') {
              await timeOut(language);
            } else {
              // Nobody wrote for the quiet period: the chat goes back to the agents.
              await localFirst('closeHandoff')({ workflowId, status: 'closed', at: new Date().toISOString() });
              Object.assign(status.handoff, { status: 'closed', closedBy: 'quiet_period' });
            }
            break;
          }
        }
      } catch (err) {
        if (isCancellation(err)) {
          // Cancelled while a person held the chat: the handoff must not stay open in the queue people work from.
          status.handoff.status = 'cancelled';
          await CancellationScope.nonCancellable(() => localFirst('closeHandoff')({ workflowId, status: 'cancelled', at: new Date().toISOString() }));
        }
        await CancellationScope.nonCancellable(() => changed('closed'));
        throw err;
      }
      await changed('closed');
    },
  };
}
