import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Channel } from '../domain/channels';
import type { InboundProvider } from './handle-message';

/** Why a campaign runs; one campaign per chat and purpose. */
export const FOLLOW_UP_PURPOSES = ['quote', 'booking_unconfirmed', 'cart', 'campaign'] as const;
export type FollowUpPurpose = (typeof FOLLOW_UP_PURPOSES)[number];

/**
 * `followup:<chat reference>:<purpose>`. Pass the chat's reference (`ChatReference`): the
 * chat id itself, or its keyed hash when payloads are encrypted, since workflow ids are
 * stored in the clear.
 */
export function followUpWorkflowId(chatRef: string, purpose: FollowUpPurpose): string {
  return `followup:${chatRef}:${purpose}`;
}

export interface FollowUpRules {
  /** Hours after the campaign starts at which each step is due (24, 48, 72 by default). */
  stepsHours: number[];
  /** Local quiet hours of the customer ("21:00" to "09:00"): a step due inside moves to their end. */
  quietHours?: { start: string; end: string };
  /** Time zone used for quiet hours when the customer has none on file. */
  defaultTimezone: string;
}

export interface FollowUpInput {
  chatId: string;
  purpose: FollowUpPurpose;
  channel: Channel;
  provider?: InboundProvider;
  /** What the campaign is about (a quote number, a booking's message workflow). */
  reference?: string;
  rules: FollowUpRules;
  /** Carried across continue-as-new: when the campaign began and what it already sent. */
  startedAt?: string;
  sent?: SentStep[];
}

export interface SentStep {
  step: number;
  at: string;
  outboundId: string;
  /** True when the step went out as an approved template (outside WhatsApp's 24-hour window). */
  template: boolean;
}

export type CampaignStatus = 'active' | 'paused' | 'stopped' | 'completed' | 'cancelled';

export interface CampaignState {
  chatId: string;
  purpose: FollowUpPurpose;
  status: CampaignStatus;
  reference?: string;
  startedAt: string;
  /** When the next step is due (ISO-8601); absent when nothing is due. */
  nextFireAt?: string;
  steps: number;
  sent: SentStep[];
  /** Why it stopped: a customer reply, an opt-out, an operator. */
  reason?: string;
}

/** An inbound message from the chat: every later step of its campaigns is called off. */
export const customerRepliedSignal = defineSignal<[{ at: string }]>('customerReplied');
/** Signal-with-start payload: a campaign already running for the chat takes the new reference. */
export const followUpRequestedSignal = defineSignal<[{ reference?: string }]>('followUpRequested');
export const getCampaignStateQuery = defineQuery<CampaignState>('getCampaignState');

/** Operator controls are updates: the caller learns at once whether they applied (409 if not). */
export const pauseCampaignUpdate = defineUpdate<CampaignState, [{ by?: string }]>('pauseCampaign');
export const resumeCampaignUpdate = defineUpdate<CampaignState, [{ by?: string }]>('resumeCampaign');
export const cancelCampaignUpdate = defineUpdate<CampaignState, [{ by?: string }]>('cancelCampaign');
export const rescheduleCampaignUpdate = defineUpdate<CampaignState, [{ at: string; by?: string }]>('rescheduleCampaign');

export interface SendFollowUpInput {
  campaignId: string;
  chatId: string;
  channel: Channel;
  provider?: InboundProvider;
  purpose: FollowUpPurpose;
  reference?: string;
  step: number;
  of: number;
  startedAt: string;
  language?: string;
  /** The workflow's time when the step fired: the 24-hour window and the cap are judged at it. */
  now: string;
}

export type SendFollowUpResult =
  | { kind: 'sent'; outboundId: string; template: boolean; at: string }
  | { kind: 'skipped'; reason: 'replied' | 'opted_out' }
  | { kind: 'deferred'; until: string };

/** Input of `segmentCampaign`: a campaign for every customer matching a segment. */
export interface SegmentCampaignInput {
  purpose: string;
  segment: { language?: 'en' | 'es'; optedOut?: false };
  limit?: number;
}
