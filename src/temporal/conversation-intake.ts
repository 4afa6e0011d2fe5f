import type { Client } from '@temporalio/client';
import { CHANNEL, CHAT_ID, conversationWorkflowId, messageArrivedSignal, type Arrival, type ConversationInput } from '../contracts';
import { MESSAGE_WORKFLOW_TASK_TIMEOUT } from './recovery';

/**
 * Hands a message to its chat's conversation workflow: signal-with-start, so the first
 * message of a chat starts it and every later one is a signal to the running one. Durable
 * as soon as the call returns, with or without a worker. The conversation ignores a
 * message workflow it has already seen, so calling this again for a redelivery is harmless.
 */
export async function signalArrival(client: Client, taskQueue: string, input: ConversationInput, arrival: Arrival): Promise<void> {
  // By name: the conversation workflow is the worker's code; its input and signal are the contracts'.
  await client.workflow.signalWithStart<(input: ConversationInput) => Promise<unknown>, [Arrival]>('conversation', {
    workflowId: conversationWorkflowId(input.chatRef, taskQueue),
    taskQueue,
    workflowTaskTimeout: MESSAGE_WORKFLOW_TASK_TIMEOUT,
    args: [input],
    signal: messageArrivedSignal,
    signalArgs: [arrival],
    typedSearchAttributes: [
      { key: CHAT_ID, value: input.chatRef },
      { key: CHANNEL, value: input.channel },
    ],
  });
}
