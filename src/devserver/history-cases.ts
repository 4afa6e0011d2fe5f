import type { HandleMessageInput, HandoffReplyInput } from '../contracts';

/**
 * Conversations recorded into `test/histories/` by `npm run histories:record`, one per path
 * through the workflows. Names carry the workflow version they were recorded with: when a
 * workflow changes shape, add cases under a new version and keep the old files, which
 * prove that conversations started before the change still replay.
 */
export type HistoryCase = MessageCase | ReminderCase;

export interface MessageCase {
  name: string;
  workflowType: 'handleMessage';
  input: HandleMessageInput;
  /** Messages sent in the same chat first (e.g. the unclear message that earns a question). */
  before?: HandleMessageInput[];
  /** A person's answer, sent once the conversation waits for one. */
  operatorReply?: HandoffReplyInput;
}

/** A reminder made due at once: the one the named message case scheduled. */
export interface ReminderCase {
  name: string;
  workflowType: 'sendReminder';
  reminderOfMessage: string;
}

const chatId = '85260552717@c.us';

export const HISTORY_CASES: HistoryCase[] = [
  {
    name: 'handle-message-v2-booking-en',
    workflowType: 'handleMessage',
    input: { chatId, messageId: 'history-v2-booking', channel: 'whatsapp', body: 'Please book an appointment next Tuesday at 11am', senderName: 'Ana' },
  },
  {
    name: 'handle-message-v2-order-and-hours',
    workflowType: 'handleMessage',
    input: { chatId, messageId: 'history-v2-multi', channel: 'whatsapp', body: 'Where is my order #45821? And what are your opening hours?' },
  },
  {
    name: 'handle-message-v2-clarify',
    workflowType: 'handleMessage',
    input: { chatId: 'history-clarify@c.us', messageId: 'history-v2-clarify', channel: 'whatsapp', body: 'asdkjh qwrtpz xcvbnm' },
  },
  {
    name: 'handle-message-v2-handoff-answered',
    workflowType: 'handleMessage',
    before: [{ chatId: 'history-handoff@c.us', messageId: 'history-v2-handoff-first', channel: 'whatsapp', body: 'qwrtpz xcvbnm' }],
    input: { chatId: 'history-handoff@c.us', messageId: 'history-v2-handoff', channel: 'whatsapp', body: 'I want to talk to a human' },
    operatorReply: { text: 'Hi, this is Maria from the team. How can I help?', operator: 'maria' },
  },
  {
    name: 'handle-message-v2-reminder',
    workflowType: 'handleMessage',
    input: { chatId, messageId: 'history-v2-reminder', channel: 'whatsapp', body: 'Remind me tomorrow at 9am to take my vitamins' },
  },
  { name: 'send-reminder-v1-due', workflowType: 'sendReminder', reminderOfMessage: 'history-v2-reminder' },
];
