import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { FollowUpPurpose, SegmentCampaignInput } from '../contracts';
import { FOLLOW_UP_PURPOSES } from '../contracts/follow-up';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 10 },
});

/**
 * A campaign for a customer segment, usually started by a Schedule: one follow-up campaign
 * per customer who has not opted out (signal-with-start, so a customer already in one is
 * not started twice).
 */
export async function segmentCampaign(input: SegmentCampaignInput): Promise<{ started: number }> {
  const purpose: FollowUpPurpose = (FOLLOW_UP_PURPOSES as readonly string[]).includes(input.purpose) ? (input.purpose as FollowUpPurpose) : 'campaign';
  const customers = await acts.listSegment({ language: input.segment.language, limit: input.limit ?? 1000 });
  for (const customer of customers) {
    await acts.startFollowUp({ chatId: customer.chatId, purpose, channel: customer.channel, reference: input.purpose });
  }
  return { started: customers.length };
}
