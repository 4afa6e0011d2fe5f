import { ConflictException, Inject, Injectable, Logger } from '@nestjs/common';
import { Client, WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { llmEnabled, type AppConfig } from '../../config';
import {
  acceptedEventKey,
  CHANNEL,
  CHAT_ID,
  getStatusQuery,
  messageWorkflowId,
  type HandleMessageInput,
  type InboundProvider,
  type MessageMedia,
  type MessageStatus,
} from '../../contracts';
import { DataSource } from 'typeorm';
import type { InboundMessage } from '../../domain/inbound-message';
import { noteInbound } from '../../persistence/delivery-ledger';
import { publishEvent } from '../../persistence/events';
import { messagesReceived } from '../../observability/metrics';
import type { handleMessage } from '../../workflows';
import { chatReferenceFor, type ChatReference } from '../../codec';
import { signalArrival } from '../../temporal/conversation-intake';
import { MESSAGE_WORKFLOW_TASK_TIMEOUT } from '../../temporal/recovery';
import { toHttpError } from '../common/temporal-errors';
import { APP_CONFIG } from '../common/tokens';
import type { MessageView } from './messages.dto';

/**
 * The field a redelivery changed, or undefined when it is the same message: its chat, its
 * text and its attachment, against the input the message's workflow was started with
 * (Stripe's rule for a reused idempotency key: same key, different request, is an error).
 */
function conflictWith(first: Pick<HandleMessageInput, 'chatId' | 'body' | 'media'> | undefined, message: IntakeMessage): string | undefined {
  if (!first) return undefined;
  if (first.chatId !== message.chatId) return 'chatId';
  if (first.body !== message.body) return 'body';
  if ((first.media?.reference ?? null) !== (message.media?.reference ?? null)) return 'media';
  return undefined;
}

/** One inbound message from any intake (the API, a provider webhook), normalized. */
export type IntakeMessage = Omit<InboundMessage, 'fromMe'> & { media?: MessageMedia; provider?: InboundProvider };

export interface AcceptedMessage {
  workflowId: string;
  runId: string;
  duplicate: boolean;
}

/** How long a status read waits for a worker to answer the `getStatus` query. */
const QUERY_DEADLINE_MS = 3000;
/**
 * How long a start may take before the caller gets a 503. Without a deadline the client
 * retries an unreachable cluster for ~20 s, longer than providers wait for a webhook.
 */
const START_DEADLINE_MS = 5000;

@Injectable()
export class MessagesService {
  private readonly logger = new Logger('MessagesService');

  /** How Temporal may index a chat (its keyed hash when histories are encrypted); keys parsed once. */
  private readonly chatRef: ChatReference;

  constructor(
    @Inject(Client) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DataSource) private readonly db: DataSource,
  ) {
    this.chatRef = chatReferenceFor(config.payloadEncryptionKeys);
  }

  /**
   * Starts `handleMessage` under the message's workflow id, then hands the message to its
   * chat's conversation, which grants it the chat's turn. The server refuses a second start
   * of the same id (conflict policy FAIL, reuse policy REJECT_DUPLICATE), so two deliveries
   * racing each other still start one workflow; the loser answers with it. The hand-over is
   * repeated for a duplicate (the conversation ignores what it has seen), so a first
   * delivery whose hand-over was lost with a crashed API is healed by the redelivery.
   */
  async accept(message: IntakeMessage): Promise<AcceptedMessage> {
    const workflowId = messageWorkflowId(message.channel, message.id);
    const result = await this.start(message, workflowId);
    // Beside the inbound time, not after it: one more small insert, no extra wait.
    const announced = result.duplicate ? Promise.resolve() : this.announce(message, workflowId);
    // The customer's last message opens WhatsApp's 24-hour window for free-form replies.
    const noted = await noteInbound(this.db, message.chatId, message.timestamp ? new Date(message.timestamp * 1000) : new Date()).catch((err: unknown) => {
      // The message is safe in Temporal; a lost timestamp only means a later follow-up may use a template.
      this.logger.warn(`could not record the inbound time of ${workflowId}: ${(err as Error).message}`);
      return { known: true };
    });
    await announced;
    await this.handOver(message, workflowId, !noted.known);
    messagesReceived.inc({ channel: message.channel, duplicate: String(result.duplicate) });
    return result;
  }

  /**
   * `message.accepted` on the live feed, for a message whose workflow just started. Its first
   * activity writes the same event (same key) if it gets there first, so it always precedes
   * the message's `message.received`. A failure here costs a live update, never the message.
   */
  private announce(message: IntakeMessage, workflowId: string): Promise<void> {
    return publishEvent(this.db, {
      key: acceptedEventKey(workflowId),
      type: 'message.accepted',
      chatId: message.chatId,
      channel: message.channel,
      workflowId,
      data: { messageId: message.id, ...(message.senderName ? { senderName: message.senderName } : {}) },
    }).catch((err: unknown) => {
      this.logger.warn(`could not publish message.accepted for ${workflowId}: ${(err as Error).message}`);
    });
  }

  /**
   * The input a message workflow was started with, from the first event of its history,
   * decoded (and decrypted) by this client's data converter; undefined when it cannot be read.
   */
  private async firstInput(workflowId: string): Promise<HandleMessageInput | undefined> {
    const history = await this.client.workflow.getHandle(workflowId).fetchHistory();
    const payloads = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
    if (!payloads?.length) return undefined;
    return decodeFromPayloadsAtIndex<HandleMessageInput>(this.client.options.loadedDataConverter, 0, payloads).catch(() => undefined);
  }

  /** `fresh`: the chat was never seen before, so its conversation has no saved state to load. */
  private async handOver(message: IntakeMessage, workflowId: string, fresh: boolean): Promise<void> {
    const chatRef = this.chatRef(message.chatId);
    try {
      await this.client.connection.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        signalArrival(
          this.client,
          this.config.temporal.taskQueue,
          { chatId: message.chatId, chatRef, channel: message.channel, settings: { idleSeconds: this.config.conversations.idleSeconds }, ...(fresh ? { fresh } : {}) },
          { workflowId, channel: message.channel, at: new Date().toISOString(), body: message.body, senderName: message.senderName, media: message.media },
        ),
      );
    } catch (err) {
      // The message is safe in its own workflow, which hands itself over if this never arrives.
      this.logger.warn(`could not hand ${workflowId} to its conversation; the message will do it itself: ${(err as Error).message}`);
    }
  }

  private async start(message: IntakeMessage, workflowId: string): Promise<AcceptedMessage> {
    const chatRef = this.chatRef(message.chatId);
    const input: HandleMessageInput = {
      chatId: message.chatId,
      chatRef,
      messageId: message.id,
      channel: message.channel,
      body: message.body,
      senderName: message.senderName,
      timestamp: message.timestamp,
      media: message.media,
      provider: message.provider ?? 'api',
      confidenceThreshold: this.config.triage.confidenceThreshold,
      llm: llmEnabled(this.config),
      ...(llmEnabled(this.config) ? { agentLoop: { maxSteps: this.config.agentLoop.maxSteps, tokenBudget: this.config.agentLoop.tokenBudget } } : {}),
      handoffTimeoutSeconds: this.config.business.handoffTimeoutSeconds,
      clarificationWindowSeconds: this.config.business.clarificationWindowSeconds,
      handoffQuietSeconds: this.config.conversations.handoffQuietSeconds,
      questionTtlSeconds: this.config.conversations.questionTtlSeconds,
      contextTurns: this.config.conversations.contextTurns,
      handedOver: true,
    };
    try {
      const handle = await this.client.connection.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        this.client.workflow.start<typeof handleMessage>('handleMessage', {
          workflowId,
          taskQueue: this.config.temporal.taskQueue,
          args: [input],
          workflowIdConflictPolicy: 'FAIL',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          // A task a killed worker held is handed out again in seconds (src/temporal/recovery.ts).
          workflowTaskTimeout: MESSAGE_WORKFLOW_TASK_TIMEOUT,
          typedSearchAttributes: [
            { key: CHAT_ID, value: chatRef },
            { key: CHANNEL, value: message.channel },
          ],
        }),
      );
      return { workflowId, runId: handle.firstExecutionRunId, duplicate: false };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        try {
          const existing = await this.client.workflow.getHandle(workflowId).describe();
          const conflict = conflictWith(await this.firstInput(workflowId), message);
          if (conflict) {
            throw new ConflictException(`id: message ${message.id} was already received with a different ${conflict}; the first one is kept (a new message needs a new id)`);
          }
          return { workflowId, runId: existing.runId, duplicate: true };
        } catch (describeErr) {
          if (describeErr instanceof ConflictException) throw describeErr;
          throw toHttpError(describeErr, workflowId);
        }
      }
      throw toHttpError(err, workflowId);
    }
  }

  /**
   * Status, triage, route and reply of one message, from Temporal (the source of truth). A
   * message answered by another message's turn shows that turn's reply; one that joined a
   * person's handoff shows the handoff as it stands.
   */
  async get(workflowId: string): Promise<MessageView> {
    const view = await this.read(workflowId);
    const other = view.answeredBy ?? view.heldBy;
    if (!other) return view;
    const theirs = await this.read(other).catch(() => undefined);
    if (!theirs) return view;
    if (view.answeredBy) return { ...view, triage: theirs.triage, route: theirs.route, answer: theirs.answer, reply: theirs.reply, pending: theirs.pending, turn: theirs.turn };
    return { ...view, handoff: theirs.handoff && { ...theirs.handoff, workflowId: other } };
  }

  private async read(workflowId: string): Promise<MessageView> {
    const handle = this.client.workflow.getHandle(workflowId);
    try {
      const description = await handle.describe();
      const base = {
        workflowId,
        runId: description.runId,
        status: description.status.name,
        startedAt: description.startTime.toISOString(),
        closedAt: description.closeTime?.toISOString(),
      };
      if (description.status.name === 'RUNNING') {
        const state = await this.client.connection
          .withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(getStatusQuery))
          .catch(() => undefined);
        return state ? { ...base, ...toView(state) } : { ...base, step: 'received' };
      }
      if (description.status.name === 'COMPLETED') {
        return { ...base, ...toView(await handle.result()) };
      }
      const error = await handle.result().then(
        () => undefined,
        (err: unknown) => (err instanceof WorkflowFailedError ? failureChain(err) : String(err)),
      );
      return { ...base, step: 'failed', error };
    } catch (err) {
      throw toHttpError(err, workflowId);
    }
  }
}

function toView(state: MessageStatus): Omit<MessageView, 'workflowId' | 'runId' | 'status'> {
  return {
    step: state.step,
    chatId: state.chatId,
    channel: state.channel,
    triage: state.triage,
    route: state.route,
    reply: state.reply,
    handoff: state.handoff,
    turn: state.turn,
    answer: state.answer,
    pending: state.pending && {
      kind: state.pending.kind,
      agent: state.pending.agent,
      intent: state.pending.intent,
      expiresAt: state.pending.expiresAt,
      ...(state.pending.options ? { options: state.pending.options.map((o) => ({ label: o.label })) } : {}),
    },
    answeredBy: state.answeredBy,
    heldBy: state.heldBy,
    ...(state.toolCalls?.length ? { toolCalls: state.toolCalls } : {}),
    ...(state.approval ? { approval: state.approval } : {}),
    ...(state.llm ? { llm: state.llm } : {}),
  };
}

/** "Activity task failed: whatsapp_cloud refused the message: … 131047 …": every cause, outermost first. */
function failureChain(err: Error): string {
  const parts: string[] = [];
  for (let e: unknown = (err as { cause?: unknown }).cause; e instanceof Error; e = (e as { cause?: unknown }).cause) parts.push(e.message);
  return parts.join(': ') || err.message;
}
