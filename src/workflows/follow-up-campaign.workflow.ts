import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  cancelCampaignUpdate,
  customerRepliedSignal,
  followUpRequestedSignal,
  getCampaignStateQuery,
  pauseCampaignUpdate,
  rescheduleCampaignUpdate,
  resumeCampaignUpdate,
  type CampaignState,
  type FollowUpInput,
} from '../contracts';
import { outsideQuietHours } from '../domain/quiet-hours';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 20, nonRetryableErrorTypes: ['SendRejected'] },
});

const HOUR = 3600 * 1000;

function refuse(message: string): never {
  throw ApplicationFailure.nonRetryable(message, 'CampaignStateConflict');
}

/**
 * A follow-up campaign for one chat and purpose: steps at 24, 48 and 72 hours (by default)
 * on durable timers, each written and sent through the outbound ledger. A customer reply
 * calls off every later step, also one that arrives in the same instant as a timer;
 * operators pause, resume, cancel and reschedule through updates.
 */
export async function followUpCampaign(input: FollowUpInput): Promise<CampaignState> {
  const { workflowId, startTime } = workflowInfo();
  const startedAt = input.startedAt ?? startTime.toISOString();
  const startedMs = new Date(startedAt).getTime();
  const steps = input.rules.stepsHours;
  const state: CampaignState = {
    chatId: input.chatId,
    purpose: input.purpose,
    status: 'active',
    reference: input.reference,
    startedAt,
    steps: steps.length,
    sent: [...(input.sent ?? [])],
  };
  let override: number | undefined;
  const finished = () => state.status === 'stopped' || state.status === 'cancelled' || state.status === 'completed';

  setHandler(getCampaignStateQuery, () => state);
  setHandler(customerRepliedSignal, ({ at }) => {
    // A reply written before this campaign began is the message that started it, not an answer.
    if (new Date(at).getTime() >= startedMs && !finished()) {
      state.status = 'stopped';
      state.reason = 'customer_replied';
    }
  });
  setHandler(followUpRequestedSignal, ({ reference }) => {
    if (reference) state.reference = reference;
  });
  setHandler(
    pauseCampaignUpdate,
    (_request) => {
      state.status = 'paused';
      return state;
    },
    {
      validator: (_request) => {
        if (state.status !== 'active') refuse(`the campaign is ${state.status}, not active`);
      },
    },
  );
  setHandler(
    resumeCampaignUpdate,
    (_request) => {
      state.status = 'active';
      return state;
    },
    {
      validator: (_request) => {
        if (state.status !== 'paused') refuse(`the campaign is ${state.status}, not paused`);
      },
    },
  );
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
        if (finished()) refuse(`the campaign has already ${state.status === 'completed' ? 'completed' : 'ended'}`);
      },
    },
  );
  setHandler(
    rescheduleCampaignUpdate,
    ({ at }) => {
      override = new Date(at).getTime();
      return state;
    },
    {
      validator: ({ at }) => {
        if (finished()) refuse(`the campaign is ${state.status}`);
        const when = new Date(at).getTime();
        if (Number.isNaN(when)) throw ApplicationFailure.nonRetryable('at: must be an ISO-8601 date-time', 'ValidationError');
        if (when <= Date.now()) throw ApplicationFailure.nonRetryable('at: must be in the future', 'ValidationError');
      },
    },
  );

  const context = await acts.loadFollowUpContext({ chatId: input.chatId });
  if (context.optedOut) {
    state.status = 'cancelled';
    state.reason = 'opted_out';
  }
  const timezone = context.timezone ?? input.rules.defaultTimezone;

  for (let i = state.sent.length; i < steps.length && !finished(); ) {
    let due = outsideQuietHours(startedMs + steps[i] * HOUR, timezone, input.rules.quietHours);
    for (;;) {
      if (override !== undefined) {
        due = outsideQuietHours(override, timezone, input.rules.quietHours);
        override = undefined;
      }
      state.nextFireAt = state.status === 'paused' ? undefined : new Date(due).toISOString();
      if (state.status === 'paused') {
        await condition(() => state.status !== 'paused' || override !== undefined);
        // Resumed after the due time passed: the step goes out now, not never.
        continue;
      }
      const interrupted = () => finished() || state.status === 'paused' || override !== undefined;
      const fired = !(await condition(interrupted, Math.max(0, due - Date.now())));
      // Checked before the timer: a reply handled in the same activation as the timer wins.
      if (finished()) break;
      if (interrupted()) continue;
      if (fired) break;
    }
    if (finished()) break;
    // After a pause, several steps may be overdue at once: the customer gets the latest of
    // them, not a burst of every one they missed.
    while (i + 1 < steps.length && startedMs + steps[i + 1] * HOUR <= Date.now()) i += 1;

    const firedAt = new Date().toISOString();
    const result = await acts.sendFollowUpStep({
      campaignId: workflowId,
      chatId: input.chatId,
      channel: input.channel,
      provider: input.provider,
      purpose: input.purpose,
      reference: state.reference,
      step: i + 1,
      of: steps.length,
      startedAt,
      language: context.language,
      now: firedAt,
    });
    if (result.kind === 'skipped') {
      state.status = result.reason === 'replied' ? 'stopped' : 'cancelled';
      state.reason = result.reason === 'replied' ? 'customer_replied' : 'opted_out';
      break;
    }
    if (result.kind === 'deferred') {
      // Over the customer's frequency cap: the same step, later.
      override = new Date(result.until).getTime();
      continue;
    }
    state.sent.push({ step: i + 1, at: firedAt, outboundId: result.outboundId, template: result.template });
    log.info('follow-up sent', { purpose: input.purpose, step: i + 1, template: result.template });
    i += 1;
    if (workflowInfo().continueAsNewSuggested && i < steps.length && !finished()) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof followUpCampaign>({ ...input, reference: state.reference, startedAt, sent: state.sent });
    }
  }

  if (!finished()) state.status = 'completed';
  state.nextFireAt = undefined;
  await condition(allHandlersFinished);
  return state;
}
