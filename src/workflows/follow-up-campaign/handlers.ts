import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import {
  cancelCampaignUpdate,
  customerRepliedSignal,
  followUpRequestedSignal,
  getCampaignStateQuery,
  pauseCampaignUpdate,
  rescheduleCampaignUpdate,
  resumeCampaignUpdate,
  type CampaignStatus,
} from '../../contracts';
import { isFinished, type Campaign } from './campaign';

function refuse(message: string): never {
  throw ApplicationFailure.nonRetryable(message, 'CampaignStateConflict');
}

/**
 * Every message the campaign answers: its state, the customer's reply, a new reference, and
 * the operator's controls. Registered in this order before the first await, so messages that
 * came with the start are handled in it.
 */
export function handleCampaignMessages(campaign: Campaign): void {
  handleQueryAndSignals(campaign);
  handlePauseAndResume(campaign);
  handleCancelAndReschedule(campaign);
}

function handleQueryAndSignals(campaign: Campaign): void {
  const { state } = campaign;
  setHandler(getCampaignStateQuery, () => state);
  setHandler(customerRepliedSignal, ({ at }) => {
    // A reply written before this campaign began is the message that started it, not an answer.
    if (new Date(at).getTime() >= campaign.startedMs && !isFinished(campaign)) {
      state.status = 'stopped';
      state.reason = 'customer_replied';
    }
  });
  setHandler(followUpRequestedSignal, ({ reference }) => {
    if (reference) state.reference = reference;
  });
}

function handlePauseAndResume(campaign: Campaign): void {
  handleStatusChange(campaign, pauseCampaignUpdate, 'active', 'paused');
  handleStatusChange(campaign, resumeCampaignUpdate, 'paused', 'active');
}

/** An update that moves the campaign from one status to another, refused in any other status. */
function handleStatusChange(campaign: Campaign, update: typeof pauseCampaignUpdate | typeof resumeCampaignUpdate, from: CampaignStatus, to: CampaignStatus): void {
  const { state } = campaign;
  setHandler(
    update,
    (_request) => {
      state.status = to;
      return state;
    },
    {
      validator: (_request) => {
        if (state.status !== from) refuse(`the campaign is ${state.status}, not ${from}`);
      },
    },
  );
}

function handleCancelAndReschedule(campaign: Campaign): void {
  const { state } = campaign;
  setHandler(
    cancelCampaignUpdate,
    (_request) => {
      state.status = 'cancelled';
      state.reason = 'cancelled_by_operator';
      state.nextFireAt = undefined;
      return state;
    },
    {
      validator: (_request) => {
        if (isFinished(campaign)) refuse(`the campaign has already ${state.status === 'completed' ? 'completed' : 'ended'}`);
      },
    },
  );
  setHandler(
    rescheduleCampaignUpdate,
    ({ at }) => {
      campaign.override = new Date(at).getTime();
      return state;
    },
    {
      validator: ({ at }) => {
        if (isFinished(campaign)) refuse(`the campaign is ${state.status}`);
        const when = new Date(at).getTime();
        if (Number.isNaN(when)) throw ApplicationFailure.nonRetryable('at: must be an ISO-8601 date-time', 'ValidationError');
        if (when <= Date.now()) throw ApplicationFailure.nonRetryable('at: must be in the future', 'ValidationError');
      },
    },
  );
}
