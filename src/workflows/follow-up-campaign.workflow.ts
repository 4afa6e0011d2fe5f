import { allHandlersFinished, condition, continueAsNew, workflowInfo } from '@temporalio/workflow';
import type { CampaignState, FollowUpInput } from '../contracts';
import { isFinished, openCampaign, type Campaign } from './follow-up-campaign/campaign';
import { handleCampaignMessages } from './follow-up-campaign/handlers';
import { acts, type FollowUpContext } from './follow-up-campaign/proxies';
import { sendStep } from './follow-up-campaign/send-step';
import { latestOverdueStep, waitUntilDue } from './follow-up-campaign/timing';

/**
 * A follow-up campaign for one chat and purpose: steps at 24, 48 and 72 hours (by default)
 * on durable timers, each written and sent through the outbound ledger. A customer reply
 * calls off every later step, also one that arrives in the same instant as a timer;
 * operators pause, resume, cancel and reschedule through updates.
 *
 * The phases live in `follow-up-campaign/`: the run's shared state (`campaign.ts`), its
 * message handlers (`handlers.ts`), the wait for a step (`timing.ts`) and the send
 * (`send-step.ts`).
 */
export async function followUpCampaign(input: FollowUpInput): Promise<CampaignState> {
  const { workflowId, startTime } = workflowInfo();
  const campaign = openCampaign(input, workflowId, startTime);
  handleCampaignMessages(campaign);

  const context = await acts.loadFollowUpContext({ chatId: input.chatId });
  if (context.optedOut) {
    campaign.state.status = 'cancelled';
    campaign.state.reason = 'opted_out';
  }
  await runSteps(campaign, context);

  if (!isFinished(campaign)) campaign.state.status = 'completed';
  campaign.state.nextFireAt = undefined;
  await condition(allHandlersFinished);
  return campaign.state;
}

/** Each step not sent yet, in order: wait until it is due, then send it, until one ends the campaign. */
async function runSteps(campaign: Campaign, context: FollowUpContext): Promise<void> {
  const steps = campaign.input.rules.stepsHours;
  const timezone = context.timezone ?? campaign.input.rules.defaultTimezone;
  for (let i = campaign.state.sent.length; i < steps.length && !isFinished(campaign); ) {
    await waitUntilDue(campaign, i, timezone);
    if (isFinished(campaign)) break;
    i = latestOverdueStep(campaign, i);
    const outcome = await sendStep(campaign, i, context.language);
    if (outcome === 'ended') break;
    // Over the customer's frequency cap: the same step, later.
    if (outcome === 'deferred') continue;
    i += 1;
    await continueAsNewIfSuggested(campaign, i);
  }
}

/** A long history starts over with what was sent so far, once the handlers running now are done. */
async function continueAsNewIfSuggested(campaign: Campaign, nextStep: number): Promise<void> {
  if (!workflowInfo().continueAsNewSuggested || nextStep >= campaign.input.rules.stepsHours.length || isFinished(campaign)) return;
  await condition(allHandlersFinished);
  await continueAsNew<typeof followUpCampaign>({ ...campaign.input, reference: campaign.state.reference, startedAt: campaign.startedAt, sent: campaign.state.sent });
}
