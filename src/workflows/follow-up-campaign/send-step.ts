import { log } from '@temporalio/workflow';
import type { Campaign } from './campaign';
import { acts } from './proxies';

/** What became of a step: it went out, it waits for the frequency cap, or the campaign is over. */
export type StepOutcome = 'sent' | 'deferred' | 'ended';

/**
 * Writes and sends step `index` through the outbound ledger, at the workflow's time. A reply
 * or an opt-out the activity finds ends the campaign; a customer over their frequency cap
 * gets the same step later (`override`).
 */
export async function sendStep(campaign: Campaign, index: number, language: string | undefined): Promise<StepOutcome> {
  const { input, state } = campaign;
  const firedAt = new Date().toISOString();
  const result = await acts.sendFollowUpStep({
    campaignId: campaign.id,
    chatId: input.chatId,
    channel: input.channel,
    provider: input.provider,
    purpose: input.purpose,
    reference: state.reference,
    step: index + 1,
    of: input.rules.stepsHours.length,
    startedAt: campaign.startedAt,
    language,
    now: firedAt,
  });
  if (result.kind === 'skipped') {
    state.status = result.reason === 'replied' ? 'stopped' : 'cancelled';
    state.reason = result.reason === 'replied' ? 'customer_replied' : 'opted_out';
    return 'ended';
  }
  if (result.kind === 'deferred') {
    campaign.override = new Date(result.until).getTime();
    return 'deferred';
  }
  state.sent.push({ step: index + 1, at: firedAt, outboundId: result.outboundId, template: result.template });
  log.info('follow-up sent', { purpose: input.purpose, step: index + 1, template: result.template });
  return 'sent';
}
