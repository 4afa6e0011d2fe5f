import { log } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { MoreThan, Like, type DataSource } from 'typeorm';
import {
  customerRepliedSignal,
  FOLLOW_UP_PURPOSES,
  followUpRequestedSignal,
  followUpWorkflowId,
  type FollowUpInput,
  type FollowUpPurpose,
  type FollowUpRules,
  type InboundProvider,
  type SendFollowUpInput,
  type SendFollowUpResult,
} from '../contracts';
import type { Channel } from '../domain/channels';
import { Conversation } from '../persistence/entities/conversation.entity';
import { Customer } from '../persistence/entities/customer.entity';
import { OutboundMessage } from '../persistence/entities/outbound-message.entity';
import { publishEvent } from '../persistence/events';
import { groundedText, type LlmServices } from './llm';
import type { createReplyActivities } from './replies';
import { inLanguage } from './agents/language';

export interface FollowUpDeps {
  db: DataSource;
  sendReply: ReturnType<typeof createReplyActivities>['sendReply'];
  llm?: LlmServices;
  /** Present on workers that can start and signal campaigns (a Temporal client and the queue). */
  temporal?: { client: Client; taskQueue: string };
  rules: FollowUpRules;
  /** Steps per purpose, overriding `rules.stepsHours`. */
  stepsByPurpose?: Partial<Record<FollowUpPurpose, number[]>>;
  /** Follow-up messages a customer may get in 24 hours, across all their campaigns. */
  dailyCap: number;
  /** The chat as campaign workflow ids carry it (a keyed hash when histories are encrypted). */
  chatRef?: (chatId: string) => string;
}

const DAY = 24 * 3600 * 1000;

/** The template each purpose's steps are written from when no LLM is configured. */
function templateText(purpose: FollowUpPurpose, step: number, of: number, reference: string | undefined, language: string): string {
  const ref = reference ? ` ${reference}` : '';
  const last = step === of;
  const texts: Record<FollowUpPurpose, { en: string; es: string }> = {
    quote: last
      ? { en: `Last reminder about your quote${ref}: it is still valid for a few more days. Reply here if you want to go ahead or have questions.`, es: `Último recordatorio de tu presupuesto${ref}: sigue vigente unos días más. Responde aquí si quieres seguir adelante o tienes dudas.` }
      : { en: `Hi! Did you have a chance to look at your quote${ref}? I'm happy to answer any questions or adjust it.`, es: `¡Hola! ¿Pudiste revisar tu presupuesto${ref}? Con gusto respondo tus dudas o lo ajusto.` },
    booking_unconfirmed: {
      en: 'Hi! We still have free times for your appointment. Reply with the day and time that suit you and I will book it.',
      es: '¡Hola! Aún tenemos horarios libres para tu cita. Responde con el día y la hora que te vengan bien y la reservo.',
    },
    cart: { en: 'You left some items in your cart. Want me to hold them for you?', es: 'Dejaste artículos en tu carrito. ¿Quieres que te los reserve?' },
    campaign: { en: 'Hello from Harbour Wellness! Reply here if there is anything we can help you with.', es: '¡Hola desde Harbour Wellness! Responde aquí si podemos ayudarte en algo.' },
  };
  return inLanguage(language, texts[purpose]);
}

/** A ledger row's time is kept to the second on SQLite; a step is never sent within a second of its campaign's start. */
const LEDGER_TIME_SLACK_MS = 1000;

/**
 * The ledger key of a campaign's step. A campaign's workflow id is the chat and purpose, so a
 * later campaign for the same chat and purpose (a new quote a month on) runs under the same
 * id: its steps get keys of their own run (`<id>:run-<start ms>:step-<n>`), or they would find
 * the earlier campaign's rows and send nothing. The first campaign keeps `<id>:step-<n>`, the
 * key steps always had, so a step retried across an upgrade still finds what it sent.
 */
async function stepKey(db: DataSource, input: SendFollowUpInput): Promise<{ idempotencyKey: string; already: OutboundMessage | null }> {
  const ledger = db.getRepository(OutboundMessage);
  const firstKey = `${input.campaignId}:step-${input.step}`;
  const first = await ledger.findOneBy({ idempotencyKey: firstKey });
  if (!first || new Date(first.createdAt).getTime() >= new Date(input.startedAt).getTime() - LEDGER_TIME_SLACK_MS) {
    return { idempotencyKey: firstKey, already: first };
  }
  const idempotencyKey = `${input.campaignId}:run-${new Date(input.startedAt).getTime()}:step-${input.step}`;
  return { idempotencyKey, already: await ledger.findOneBy({ idempotencyKey }) };
}

/**
 * The follow-up campaign's side effects: reading the customer's context, writing and
 * sending each step through the ledger (so a retried step never sends twice), and starting
 * and signalling campaigns from conversations.
 */
export function createFollowUpActivities(deps: FollowUpDeps) {
  const { db } = deps;
  const chatRef = deps.chatRef ?? ((chatId: string) => chatId);

  function requireTemporal(): { client: Client; taskQueue: string } {
    if (!deps.temporal) throw new Error('this worker has no Temporal client for follow-ups (activity deps.temporal)');
    return deps.temporal;
  }

  return {
    async loadFollowUpContext(input: { chatId: string }): Promise<{ timezone?: string; language?: string; optedOut: boolean }> {
      const customer = await db.getRepository(Customer).findOneBy({ chatId: input.chatId });
      return { timezone: customer?.timezone ?? undefined, language: customer?.language ?? undefined, optedOut: Boolean(customer?.optedOut) };
    },

    async sendFollowUpStep(input: SendFollowUpInput): Promise<SendFollowUpResult> {
      const { idempotencyKey, already } = await stepKey(db, input);
      if (!already) {
        // The last word before sending: a reply recorded anywhere (another process, the API) calls the step off.
        const conversation = await db.getRepository(Conversation).findOneBy({ chatId: input.chatId });
        if (conversation?.lastInboundAt && new Date(conversation.lastInboundAt) > new Date(input.startedAt)) return { kind: 'skipped', reason: 'replied' };
        const customer = await db.getRepository(Customer).findOneBy({ chatId: input.chatId });
        if (customer?.optedOut) return { kind: 'skipped', reason: 'opted_out' };
        const since = new Date(new Date(input.now).getTime() - DAY);
        const recent = await db.getRepository(OutboundMessage).find({
          where: { chatId: input.chatId, idempotencyKey: Like('followup:%'), createdAt: MoreThan(since) },
          order: { createdAt: 'ASC' },
        });
        const until = recent.length >= deps.dailyCap ? new Date(recent[0].createdAt).getTime() + DAY + 60_000 : 0;
        // A deferral always lands in the future, so the campaign can never spin on it.
        if (until > new Date(input.now).getTime()) {
          log.info('follow-up over the daily cap; deferred', { chatId: input.chatId, until: new Date(until).toISOString() });
          return { kind: 'deferred', until: new Date(until).toISOString() };
        }
      }
      const language = input.language ?? 'en';
      let text = already?.body ?? templateText(input.purpose, input.step, input.of, input.reference, language);
      if (!already && deps.llm) {
        try {
          const facts = { purpose: input.purpose, reference: input.reference ?? null, step: input.step, of: input.of };
          const written = await deps.llm.replies.writeReply({ language, draft: text, facts, customerText: '' });
          text = groundedText('follow_up', { draft: text, facts }, written.text).text;
        } catch (err) {
          log.warn('LLM follow-up text failed; sending the template', { error: (err as Error).message });
        }
      }
      const sent = await deps.sendReply({ workflowId: input.campaignId, chatId: input.chatId, channel: input.channel, provider: input.provider, text, idempotencyKey, at: input.now });
      const row = await db.getRepository(OutboundMessage).findOneByOrFail({ idempotencyKey });
      await publishEvent(db, {
        key: `campaign.step_sent:${idempotencyKey}`,
        type: 'campaign.step_sent',
        chatId: input.chatId,
        channel: input.channel,
        workflowId: input.campaignId,
        at: input.now,
        data: { purpose: input.purpose, step: input.step, outboundId: sent.outboundId },
      });
      return { kind: 'sent', outboundId: sent.outboundId, template: row.template !== null, at: new Date(row.createdAt).toISOString() };
    },

    /** Signal-with-start: starts the chat's campaign for the purpose, or refreshes the one running. */
    async startFollowUp(input: { chatId: string; purpose: FollowUpPurpose; channel: Channel; provider?: InboundProvider; reference?: string }): Promise<{ workflowId: string }> {
      const { client, taskQueue } = requireTemporal();
      const workflowId = followUpWorkflowId(chatRef(input.chatId), input.purpose);
      const rules: FollowUpRules = { ...deps.rules, stepsHours: deps.stepsByPurpose?.[input.purpose] ?? deps.rules.stepsHours };
      const args: FollowUpInput = { chatId: input.chatId, purpose: input.purpose, channel: input.channel, provider: input.provider, reference: input.reference, rules };
      await client.workflow.signalWithStart('followUpCampaign', {
        workflowId,
        taskQueue,
        args: [args],
        signal: followUpRequestedSignal,
        signalArgs: [{ reference: input.reference }],
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      });
      return { workflowId };
    },

    /**
     * Tells the chat's campaigns that the customer wrote: later steps are called off. Given
     * `purposes` (the ones its conversation started), only those are signalled; without,
     * every purpose is tried (messages started before conversations).
     */
    async notifyCampaigns(input: { chatId: string; at: string; purposes?: FollowUpPurpose[] }): Promise<{ notified: string[] }> {
      const { client } = requireTemporal();
      const notified: string[] = [];
      for (const purpose of input.purposes ?? FOLLOW_UP_PURPOSES) {
        const workflowId = followUpWorkflowId(chatRef(input.chatId), purpose);
        try {
          await client.workflow.getHandle(workflowId).signal(customerRepliedSignal, { at: input.at });
          notified.push(workflowId);
        } catch (err) {
          // No campaign for this purpose, or one that already ended: nothing to call off.
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
      }
      return { notified };
    },

    /** Customers in a segment, for a scheduled campaign. */
    async listSegment(input: { language?: 'en' | 'es'; limit: number }): Promise<Array<{ chatId: string; channel: Channel }>> {
      const customers = await db.getRepository(Customer).find({
        where: { optedOut: false, ...(input.language ? { language: input.language } : {}) },
        order: { chatId: 'ASC' },
        take: input.limit,
        select: { chatId: true },
      });
      return customers.map((c) => ({ chatId: c.chatId, channel: c.chatId.includes('@') && !c.chatId.endsWith('@c.us') ? 'email' : 'whatsapp' }));
    },
  };
}
