import type { CampaignState, FollowUpInput } from '../../contracts';

const HOUR = 3600 * 1000;

/**
 * One run of a follow-up campaign: what its message handlers and its steps share. `state` is
 * what the query and the updates answer with; `override`, when set, replaces the due time of
 * the step being waited for (an operator's reschedule, a frequency cap) and is consumed by
 * that wait.
 */
export interface Campaign {
  /** The workflow id: the campaign id the outbound ledger keys its sends by. */
  readonly id: string;
  readonly input: FollowUpInput;
  readonly state: CampaignState;
  /** When the campaign began, carried across continue-as-new; step times count from it. */
  readonly startedAt: string;
  readonly startedMs: number;
  override: number | undefined;
}

export function openCampaign(input: FollowUpInput, id: string, startTime: Date): Campaign {
  const startedAt = input.startedAt ?? startTime.toISOString();
  return {
    id,
    input,
    startedAt,
    startedMs: new Date(startedAt).getTime(),
    override: undefined,
    state: {
      chatId: input.chatId,
      purpose: input.purpose,
      status: 'active',
      reference: input.reference,
      startedAt,
      steps: input.rules.stepsHours.length,
      sent: [...(input.sent ?? [])],
    },
  };
}

/** Stopped by a reply, cancelled or completed: nothing more is sent. */
export function isFinished(campaign: Campaign): boolean {
  const { status } = campaign.state;
  return status === 'stopped' || status === 'cancelled' || status === 'completed';
}

/** When step `index` falls due by the rules alone, before quiet hours move it. */
export function stepDueMs(campaign: Campaign, index: number): number {
  return campaign.startedMs + campaign.input.rules.stepsHours[index] * HOUR;
}
