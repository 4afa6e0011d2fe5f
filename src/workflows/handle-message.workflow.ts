import { patched } from '@temporalio/workflow';
import type { HandleMessageInput, HandleMessageResult } from '../contracts';
import { conversationalMessage } from './message/conversational';
import { legacyHandleMessage } from './message/legacy';

/**
 * One inbound message (`msg:<channel>:<id>`). Since conversations, a message takes its
 * chat's turns: it is read against the question the chat has open, answered together with
 * the messages that arrived with it, and held for a person who has the chat (see
 * `message/conversational.ts` and `conversation.workflow.ts`). Runs started before that
 * replay the shape they were started with.
 */
export async function handleMessage(input: HandleMessageInput): Promise<HandleMessageResult> {
  if (patched('conversation-turns-v1')) return conversationalMessage(input);
  return legacyHandleMessage(input);
}
