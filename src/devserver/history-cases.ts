import type { HandleMessageInput, HandoffReplyInput } from '../contracts';
import type { Intent } from '../domain/intents';

/**
 * Conversations recorded into `test/histories/` by `npm run histories:record`, one per path
 * through the workflows. Names carry the workflow version they were recorded with: when a
 * workflow changes shape, add cases under a new version and keep the old files, which
 * prove that conversations started before the change still replay.
 */
export type HistoryCase = MessageCase | ReminderCase | TaskCase | CleanupCase;

export interface MessageCase {
  name: string;
  workflowType: 'handleMessage';
  input: HandleMessageInput;
  /** Messages sent in the same chat first (e.g. the unclear message that earns a question). */
  before?: HandleMessageInput[];
  /** A person's answer, sent once the conversation waits for one. */
  operatorReply?: HandoffReplyInput;
}

/** A manual task, created through the TaskManager as `POST /api/tasks` does. */
export interface TaskCase {
  name: string;
  workflowType: 'runTask';
  task: { type: Intent; body: string; chatId?: string; reply?: boolean };
}

export interface CleanupCase {
  name: string;
  workflowType: 'cleanupTasks';
  olderThanDays: number;
}

/** A reminder made due at once: the one the named message case scheduled. */
export interface ReminderCase {
  name: string;
  workflowType: 'sendReminder';
  reminderOfMessage: string;
}

const chatId = '85260552717@c.us';

/**
 * Recorded with the current code. Earlier versions' files stay in test/histories (v1: the
 * walking skeleton; v2: specialists, clarify-once, handoff, reminders, before task
 * projections); v3 adds the task rows and agent logs written at each step.
 */
export const HISTORY_CASES: HistoryCase[] = [
  {
    name: 'handle-message-v3-booking-en',
    workflowType: 'handleMessage',
    input: { chatId, messageId: 'history-v3-booking', channel: 'whatsapp', body: 'Please book an appointment next Tuesday at 11am', senderName: 'Ana' },
  },
  {
    name: 'handle-message-v3-supervisor',
    workflowType: 'handleMessage',
    input: { chatId, messageId: 'history-v3-multi', channel: 'whatsapp', body: 'Where is my order #45821? And what are your opening hours?' },
  },
  {
    name: 'handle-message-v3-clarify',
    workflowType: 'handleMessage',
    input: { chatId: 'history-clarify@c.us', messageId: 'history-v3-clarify', channel: 'whatsapp', body: 'asdkjh qwrtpz xcvbnm' },
  },
  {
    name: 'handle-message-v3-handoff-answered',
    workflowType: 'handleMessage',
    before: [{ chatId: 'history-handoff@c.us', messageId: 'history-v3-handoff-first', channel: 'whatsapp', body: 'qwrtpz xcvbnm' }],
    input: { chatId: 'history-handoff@c.us', messageId: 'history-v3-handoff', channel: 'whatsapp', body: 'I want to talk to a human' },
    operatorReply: { text: 'Hi, this is Maria from the team. How can I help?', operator: 'maria' },
  },
  {
    name: 'handle-message-v3-reminder',
    workflowType: 'handleMessage',
    input: { chatId, messageId: 'history-v3-reminder', channel: 'whatsapp', body: 'Remind me tomorrow at 9am to take my vitamins' },
  },
  { name: 'send-reminder-v1-due', workflowType: 'sendReminder', reminderOfMessage: 'history-v3-reminder' },
  { name: 'run-task-v1-order-status', workflowType: 'runTask', task: { type: 'order_status', body: 'status of order 45821', chatId, reply: true } },
  { name: 'cleanup-tasks-v1', workflowType: 'cleanupTasks', olderThanDays: 30 },
];
