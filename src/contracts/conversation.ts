import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { AgentName } from '../domain/agent-registry';
import type { Channel } from '../domain/channels';
import type { PendingQuestion } from '../domain/questions';
import type { FollowUpPurpose } from './follow-up';
import type { MessageMedia } from './handle-message';
import { DEFAULT_TASK_QUEUE } from './task-queue';

/**
 * `conversation:<chat reference>`: the chat's entity workflow. The reference is the chat id,
 * or its keyed hash when payloads are encrypted (workflow ids are stored in the clear). A
 * deployment on a task queue other than the default keeps conversations of its own
 * (`conversation:<chat reference>#<queue>`), so two deployments sharing a namespace (staging
 * beside production, test files side by side) never answer each other's chats.
 */
export function conversationWorkflowId(chatRef: string, taskQueue: string = DEFAULT_TASK_QUEUE): string {
  return taskQueue === DEFAULT_TASK_QUEUE ? `conversation:${chatRef}` : `conversation:${chatRef}#${taskQueue}`;
}

/** Settings the conversation runs with, from the starter's config. */
export interface ConversationSettings {
  /** An idle conversation with nothing open closes after this long (its state is in the database). */
  idleSeconds: number;
}

export interface ConversationInput {
  chatId: string;
  /** How Temporal indexes the chat (`ChatId`): the chat id or its keyed hash. */
  chatRef: string;
  channel: Channel;
  settings?: Partial<ConversationSettings>;
  /** The starter knows the chat has no saved state (its first message): nothing to load. */
  fresh?: boolean;
  /** Carried across continue-as-new. */
  state?: ConversationState;
}

/** A message that reached its conversation: the message workflow, and what the turn needs of it. */
export interface Arrival {
  /** `msg:<channel>:<id>`: the message's own workflow. */
  workflowId: string;
  channel: Channel;
  /** When it arrived (ISO-8601). */
  at: string;
  /** The text, kept only until its turn takes it. */
  body: string;
  senderName?: string;
  media?: MessageMedia;
}

export interface ConversationState {
  language?: string;
  lastAgent?: AgentName;
  /** The question an agent asked and the next message is read against first. */
  pending?: PendingQuestion;
  /** The turn running now: its owner is the only message workflow that may act for the chat. */
  turn?: { owner: string; messages: string[]; startedAt: string };
  /** A person holds the chat: new messages join this handoff instead of reaching the agents. */
  handoff?: { workflowId: string; status: 'waiting' | 'answered'; since: string };
  /** Follow-up campaigns the chat's turns started: a new message calls these off, and only these. */
  campaigns?: FollowUpPurpose[];
  /** Messages waiting for the next turn, in arrival order. */
  queue: Arrival[];
  /** Message workflows seen lately: a redelivery starts nothing new. */
  recent: string[];
  turns: number;
  lastActivityAt?: string;
}

/** What the conversation gives the message workflow whose turn it is. */
export interface TurnGrant {
  /** The messages this turn answers, oldest first; the first is the turn's own. */
  batch: Arrival[];
  pending?: PendingQuestion;
  language?: string;
  lastAgent?: AgentName;
  /** The chat's follow-up campaigns, which the customer's message calls off. */
  campaigns?: FollowUpPurpose[];
}

/** What a message workflow reports when its turn is over. */
export interface TurnEnded {
  owner: string;
  startedAt: string;
  finishedAt: string;
  language?: string;
  agent?: AgentName;
  /** The question now open; absent: none. */
  pending?: PendingQuestion;
  /** The turn was small talk: the question that was open stays open. */
  keepPending?: boolean;
  /** The turn handed the chat to a person, who now holds it. */
  handoff?: { workflowId: string; status: 'waiting' | 'answered' };
  /** Follow-up campaigns the turn started. */
  campaigns?: FollowUpPurpose[];
}

/** Sent by the API (and, as a fallback, by the message workflow itself) for every message. */
export const messageArrivedSignal = defineSignal<[Arrival]>('messageArrived');
export const turnEndedSignal = defineSignal<[TurnEnded]>('turnEnded');
/** The handoff holder: a person answered (`answered`) or gave the chat back (`closed`). */
export const handoffChangedSignal = defineSignal<[{ workflowId: string; status: 'answered' | 'closed' }]>('handoffChanged');
export const conversationStateQuery = defineQuery<ConversationState>('getConversation');

/** To a message workflow: run the turn. */
export const turnGrantedSignal = defineSignal<[TurnGrant]>('turnGranted');
/** To a message workflow: another message's turn answers you together with it. */
export const turnJoinedSignal = defineSignal<[{ owner: string }]>('turnJoined');
/** To a message workflow: a person holds the chat; you joined their handoff. */
export const heldForPersonSignal = defineSignal<[{ holder: string }]>('heldForPerson');
/** To the handoff holder: the customer wrote again while a person holds the chat. */
export const customerWroteSignal = defineSignal<[{ workflowId: string; at: string }]>('customerWrote');
