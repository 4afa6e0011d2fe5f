import type { Channel } from '../domain/channels';

/**
 * Workflow id of an inbound message. One message, one workflow: a second delivery of the
 * same provider id maps to the same id, and the server refuses to start it twice.
 */
export function messageWorkflowId(channel: Channel, messageId: string): string {
  return `msg:${channel}:${messageId}`;
}

export function isMessageWorkflowId(workflowId: string): boolean {
  return /^msg:[a-z]+:.+/.test(workflowId);
}
