import { randomUUID } from 'node:crypto';
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import { ChannelSendError, type EmailSender, type OutboundWebhook, type SendResult, type TwilioWhatsAppClient, type WhatsAppCloudClient } from '../channels';
import type { ReplyRecord, SendReplyInput } from '../contracts';
import { Conversation } from '../persistence/entities/conversation.entity';
import { OutboundMessage } from '../persistence/entities/outbound-message.entity';
import { llmTurnTokens, sendsTotal, type SendResultLabel } from '../observability/metrics';
import type { TranscriptKind } from '../persistence/entities/conversation-message.entity';
import { recordTranscript } from '../persistence/transcripts';
import { MAX_EVENT_TEXT, replyStatusEvent, withEvents } from '../persistence/events';

/** WhatsApp allows free-form messages only within this long after the customer's last one. */
export const WHATSAPP_WINDOW_MS = 24 * 3600 * 1000;

/** The providers replies can leave through; each is absent when not configured. */
export interface OutboundProviders {
  whatsappCloud?: WhatsAppCloudClient;
  twilio?: TwilioWhatsAppClient;
  email?: EmailSender;
  webhook?: OutboundWebhook;
  /** The approved template used outside the 24-hour window; its one body parameter is the text. */
  whatsappTemplate: { name: string; languageCode: string };
  twilioTemplateContentSid?: string;
  /** How long a send whose answer was lost waits for the provider's status before it is sent again. */
  confirmWindowMs: number;
}

type Provider = 'whatsapp_cloud' | 'twilio' | 'smtp' | 'webhook';

/** Counts one send attempt under its outcome (`switchboard_sends_total`). */
type CountSend = (result: SendResultLabel) => void;

/** What the transcript calls a send, from who wrote it and the key's shape. */
function transcriptKind(input: SendReplyInput): TranscriptKind {
  if (input.operator) return 'operator';
  if (input.idempotencyKey.startsWith('followup:')) return 'follow_up';
  if (input.idempotencyKey.startsWith('reminder:')) return 'reminder';
  if (input.idempotencyKey.endsWith(':handoff-timeout')) return 'notice';
  return 'reply';
}

function record(row: OutboundMessage): ReplyRecord {
  return { text: row.body, outboundId: row.id, status: row.status };
}

/**
 * The ledger row for the send's idempotency key: written by the first attempt, found as it
 * was (with the text it had then) by every retry.
 */
async function recordInLedger(db: DataSource, input: SendReplyInput): Promise<OutboundMessage> {
  const ledger = db.getRepository(OutboundMessage);
  await ledger
    .createQueryBuilder()
    .insert()
    .into(OutboundMessage)
    .values({
      id: randomUUID(),
      idempotencyKey: input.idempotencyKey,
      workflowId: input.workflowId,
      chatId: input.chatId,
      channel: input.channel,
      body: input.text,
      status: 'recorded',
      providerMessageId: null,
      error: null,
      provider: null,
      attempts: 0,
      sendingSince: null,
      template: null,
      // The decision's time (the workflow's clock) when given, so time-based rules over
      // the ledger (the follow-up cap) and the workflow agree on when a send happened.
      ...(input.at ? { createdAt: new Date(input.at) } : {}),
    })
    .orIgnore()
    .execute();
  return ledger.findOneByOrFail({ idempotencyKey: input.idempotencyKey });
}

/** The transcript line, keyed like the ledger row; its delivery status is the ledger's. */
/** Whether this is the activity's first attempt (true outside an activity, as in unit tests). */
function firstAttempt(): boolean {
  try {
    return Context.current().info.attempt === 1;
  } catch {
    return true;
  }
}

async function recordInTranscript(db: DataSource, input: SendReplyInput, row: OutboundMessage): Promise<void> {
  const kind = transcriptKind(input);
  // Milliseconds matter here (the ledger's own time is to the second): the reply follows the message it answers.
  const at = input.at ? new Date(input.at) : new Date();
  await recordTranscript(
    db,
    {
      messageKey: input.idempotencyKey,
      chatId: input.chatId,
      channel: input.channel,
      direction: 'out',
      kind,
      text: row.body,
      at,
      workflowId: input.workflowId,
      agent: input.agent ?? null,
      operator: input.operator ?? null,
      outboundId: row.id,
      metadata: input.metadata ?? null,
    },
    [
      {
        key: `reply.sent:${input.idempotencyKey}`,
        type: 'reply.sent',
        chatId: input.chatId,
        channel: input.channel,
        workflowId: input.workflowId,
        at,
        data: {
          text: row.body.slice(0, MAX_EVENT_TEXT),
          kind,
          ...(input.agent ? { agent: input.agent } : {}),
          ...(input.operator ? { operator: input.operator } : {}),
          outboundId: row.id,
          status: row.status,
        },
      },
    ],
  );
}

/** Moves the ledger row to a provider's answer, with its `reply.status` event in the same transaction. */
async function settleRow(db: DataSource, row: OutboundMessage, changes: Partial<OutboundMessage> & { status: 'sent' | 'failed' }): Promise<void> {
  await withEvents(db, async (manager) => {
    await manager.getRepository(OutboundMessage).update({ id: row.id }, changes);
    return { result: undefined, events: [replyStatusEvent(row, changes.status, changes.error ?? undefined)] };
  });
}

/** An earlier attempt already settled the send: the same answer again, or the same refusal. */
function settledEarlier(row: OutboundMessage, count: CountSend): ReplyRecord | undefined {
  if (['sent', 'delivered', 'read'].includes(row.status)) {
    count('already_sent');
    return record(row);
  }
  if (row.status === 'failed') {
    count('rejected');
    throw ApplicationFailure.nonRetryable(`the provider refused this message: ${row.error ?? 'no reason given'}`, 'SendRejected');
  }
  return undefined;
}

function providerFor(providers: OutboundProviders | undefined, input: SendReplyInput): Provider | undefined {
  if (!providers) return undefined;
  if (input.channel === 'whatsapp') {
    if (input.provider === 'twilio' && providers.twilio) return 'twilio';
    if (providers.whatsappCloud) return 'whatsapp_cloud';
    if (providers.twilio) return 'twilio';
    return undefined;
  }
  if (input.channel === 'email') return providers.email ? 'smtp' : undefined;
  return providers.webhook ? 'webhook' : undefined;
}

/**
 * A send still `sending` lost its answer: within the confirm window the provider's status may
 * still show it was accepted, so this attempt waits (a retryable failure) rather than send twice.
 */
function awaitEarlierAttempt(row: OutboundMessage, provider: Provider, now: Date, confirmWindowMs: number, count: CountSend): void {
  if (row.status !== 'sending' || !row.sendingSince) return;
  const waited = now.getTime() - new Date(row.sendingSince).getTime();
  if (waited < confirmWindowMs) {
    count('awaiting_status');
    throw ApplicationFailure.retryable(`an earlier attempt may have been accepted by ${provider}; waiting for its status before sending again`, 'SendOutcomeUnknown');
  }
  log.warn('no status confirmed an earlier send; sending again', { outboundId: row.id, provider, waitedMs: waited });
}

/** WhatsApp outside the 24-hour window takes only an approved template; email and webhooks never do. */
async function needsTemplate(db: DataSource, provider: Provider, input: SendReplyInput, decidedAt: Date): Promise<boolean> {
  if (provider === 'smtp' || provider === 'webhook') return false;
  if (input.replyToReceivedAt) return decidedAt.getTime() - new Date(input.replyToReceivedAt).getTime() > WHATSAPP_WINDOW_MS;
  const conversation = await db.getRepository(Conversation).findOneBy({ chatId: input.chatId });
  const last = conversation?.lastInboundAt ? new Date(conversation.lastInboundAt).getTime() : undefined;
  return last === undefined || decidedAt.getTime() - last > WHATSAPP_WINDOW_MS;
}

function deliver(p: OutboundProviders, provider: Provider, input: SendReplyInput, row: OutboundMessage, template: boolean): Promise<SendResult> {
  const options = { callbackData: input.idempotencyKey };
  switch (provider) {
    case 'whatsapp_cloud':
      return template
        ? p.whatsappCloud!.sendTemplate(input.chatId, { name: p.whatsappTemplate.name, languageCode: p.whatsappTemplate.languageCode, bodyParams: [row.body] }, options)
        : p.whatsappCloud!.sendText(input.chatId, row.body, options);
    case 'twilio':
      return template && p.twilioTemplateContentSid
        ? p.twilio!.sendTemplate(input.chatId, { contentSid: p.twilioTemplateContentSid, variables: { '1': row.body } })
        : p.twilio!.sendText(input.chatId, row.body);
    case 'smtp':
      return p.email!.send({ to: input.chatId, subject: input.subject ?? 'Re: your message', text: row.body, idempotencyKey: input.idempotencyKey });
    case 'webhook':
      return p.webhook!.send({
        type: 'message.reply',
        idempotencyKey: input.idempotencyKey,
        data: { workflowId: input.workflowId, chatId: input.chatId, channel: input.channel, text: row.body, outboundId: row.id },
      });
  }
}

/**
 * What a failed delivery throws: a provider's final refusal fails the row and the workflow
 * (`SendRejected`); anything else is retried (`SendFailed`), and errors that are not the
 * channel's pass through unchanged.
 */
async function classifyFailure(db: DataSource, err: unknown, provider: Provider, row: OutboundMessage, count: CountSend): Promise<unknown> {
  if (!(err instanceof ChannelSendError)) {
    count('failed');
    return err;
  }
  const ledger = db.getRepository(OutboundMessage);
  if (!err.retryable) {
    count('rejected');
    await settleRow(db, row, { status: 'failed', error: err.message.slice(0, 2000) });
    return ApplicationFailure.nonRetryable(`${provider} refused the message: ${err.message}`, 'SendRejected');
  }
  // An HTTP answer (5xx, 429) means the provider did not take it: safe to send again.
  // No answer at all (timeout, dropped connection) may hide an accepted send.
  if (err.status !== undefined && !err.providerMessageIds?.length) await ledger.update({ id: row.id }, { status: 'recorded', sendingSince: null });
  count('failed');
  return ApplicationFailure.retryable(`${provider}: ${err.message}`, 'SendFailed');
}

/**
 * Replies through the outbound ledger. Each send has an idempotency key (workflow id +
 * step) and a row: a retry after the provider accepted the message finds the row `sent`
 * and sends nothing. A send whose answer was lost (the worker died, the connection
 * dropped) stays `sending`; the retry waits for the provider's status webhook to confirm
 * it (WhatsApp echoes our key back) before concluding it never left and sending again.
 */
export function createReplyActivities(db: DataSource, providers?: OutboundProviders) {
  const ledger = db.getRepository(OutboundMessage);

  return {
    async sendReply(input: SendReplyInput): Promise<ReplyRecord> {
      const count: CountSend = (result) => sendsTotal.inc({ channel: input.channel, result });
      const row = await recordInLedger(db, input);
      await recordInTranscript(db, input, row);
      const settled = settledEarlier(row, count);
      if (settled) return settled;
      // LLM mode: what the turn's model calls used, once per reply (a retry after a failed send aside).
      const llmUsage = input.metadata?.llm as { promptTokens?: number; completionTokens?: number } | undefined;
      if (llmUsage && firstAttempt()) llmTurnTokens.observe((llmUsage.promptTokens ?? 0) + (llmUsage.completionTokens ?? 0));

      const provider = providerFor(providers, input);
      if (!providers || !provider) {
        log.info('no provider configured for the channel; reply recorded only', { outboundId: row.id, channel: row.channel });
        count('recorded_only');
        return record(row);
      }
      const now = new Date();
      awaitEarlierAttempt(row, provider, now, providers.confirmWindowMs, count);
      const template = await needsTemplate(db, provider, input, input.at ? new Date(input.at) : now);
      await ledger.update(
        { id: row.id },
        { status: 'sending', sendingSince: now, attempts: row.attempts + 1, provider, template: template ? providers.whatsappTemplate.name : null },
      );
      try {
        const result = await deliver(providers, provider, input, row, template);
        await settleRow(db, row, { status: 'sent', providerMessageId: result.providerMessageIds.join(',').slice(0, 256), error: null });
        log.info('reply sent', { outboundId: row.id, provider, parts: result.providerMessageIds.length, template });
        count('sent');
        return { text: row.body, outboundId: row.id, status: 'sent' };
      } catch (err) {
        throw await classifyFailure(db, err, provider, row, count);
      }
    },
  };
}
