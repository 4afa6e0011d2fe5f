import type { CallbackInput, FollowUpInput, HandleMessageInput, HandoffReplyInput, SegmentCampaignInput, StoredDefinition } from '../contracts';
import type { Intent } from '../domain/intents';

/**
 * Conversations recorded into `test/histories/` by `npm run histories:record`, one per path
 * through the workflows. Names carry the workflow version they were recorded with: when a
 * workflow changes shape, add cases under a new version and keep the old files, which
 * prove that conversations started before the change still replay.
 */
export type HistoryCase = MessageCase | ReminderCase | TaskCase | CleanupCase | CampaignCase | SegmentCase | DefinitionCase | ConversationCase;

export interface MessageCase {
  name: string;
  workflowType: 'handleMessage';
  input: HandleMessageInput;
  /** Messages sent in the same chat first (e.g. the unclear message that earns a question). */
  before?: HandleMessageInput[];
  /** A person's answer, sent once the conversation waits for one. */
  operatorReply?: HandoffReplyInput;
  /** Cancel the conversation once it waits for a person (the history ends cancelled). */
  cancelWhileWaiting?: boolean;
  /** A customer message sent while the chat waits for a person (it joins the handoff). */
  during?: HandleMessageInput;
  /** Record `during`'s history instead of the main message's. */
  recordDuring?: boolean;
  /** The person hands the chat back after their reply (`closeHandoff`). */
  closeAfterReply?: boolean;
  /**
   * Messages posted right after the main one, without waiting: a burst. With `recordLast`,
   * the last of them is recorded (it is answered together with an earlier one's turn).
   */
  burst?: HandleMessageInput[];
  recordLast?: boolean;
}

/** A chat's conversation workflow through a dialogue, closing once idle. */
export interface ConversationCase {
  name: string;
  workflowType: 'conversation';
  /** The messages, one after the other, each answered before the next. */
  messages: HandleMessageInput[];
  idleSeconds: number;
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
  transcriptOlderThanDays?: number;
}

/** A follow-up campaign on short steps (seconds), so it runs to its end while recording. */
export interface CampaignCase {
  name: string;
  workflowType: 'followUpCampaign';
  input: FollowUpInput;
  /** Signal a customer reply after this many milliseconds. */
  replyAfterMs?: number;
}

export interface SegmentCase {
  name: string;
  workflowType: 'segmentCampaign';
  input: SegmentCampaignInput;
}

/** A user-defined workflow run (`runDefinition`); each callback is sent once its step waits. */
export interface DefinitionCase {
  name: string;
  workflowType: 'runDefinition';
  definition: StoredDefinition;
  input_data: Record<string, unknown>;
  callbacks?: CallbackInput[];
}

/** A reminder made due at once: the one the named message case scheduled. */
export interface ReminderCase {
  name: string;
  workflowType: 'sendReminder';
  reminderOfMessage: string;
}

const chatId = '85260552717@c.us';

/** A message as the API starts it since conversations: handed to its conversation by the starter. */
const viaApi = (chat: string, messageId: string, body: string): HandleMessageInput => ({ chatId: chat, chatRef: chat, messageId, channel: 'whatsapp', body, handedOver: true });

/**
 * Recorded with the current code. Earlier versions' files stay in test/histories (v1: the
 * walking skeleton; v2: specialists, clarify-once, handoff, reminders; v3: task rows and
 * agent logs at each step); v4 adds follow-up campaigns (inbound messages signal them, a
 * quote starts one).
 */
export const HISTORY_CASES: HistoryCase[] = [
  {
    name: 'handle-message-v4-booking-en',
    workflowType: 'handleMessage',
    input: { chatId, messageId: 'history-v4-booking', channel: 'whatsapp', body: 'Please book an appointment next Tuesday at 11am', senderName: 'Ana' },
  },
  {
    name: 'handle-message-v4-supervisor',
    workflowType: 'handleMessage',
    input: { chatId, messageId: 'history-v4-multi', channel: 'whatsapp', body: 'Where is my order #45821? And what are your opening hours?' },
  },
  {
    name: 'handle-message-v4-clarify',
    workflowType: 'handleMessage',
    input: { chatId: 'history-clarify@c.us', messageId: 'history-v4-clarify', channel: 'whatsapp', body: 'asdkjh qwrtpz xcvbnm' },
  },
  {
    name: 'handle-message-v4-handoff-answered',
    workflowType: 'handleMessage',
    before: [{ chatId: 'history-handoff@c.us', messageId: 'history-v4-handoff-first', channel: 'whatsapp', body: 'qwrtpz xcvbnm' }],
    input: { chatId: 'history-handoff@c.us', messageId: 'history-v4-handoff', channel: 'whatsapp', body: 'I want to talk to a human' },
    operatorReply: { text: 'Hi, this is Maria from the team. How can I help?', operator: 'maria' },
  },
  {
    name: 'handle-message-v4-reminder',
    workflowType: 'handleMessage',
    input: { chatId, messageId: 'history-v4-reminder', channel: 'whatsapp', body: 'Remind me tomorrow at 9am to take my vitamins' },
  },
  { name: 'send-reminder-v1-due', workflowType: 'sendReminder', reminderOfMessage: 'history-v4-reminder' },
  { name: 'run-task-v1-order-status', workflowType: 'runTask', task: { type: 'order_status', body: 'status of order 45821', chatId, reply: true } },
  { name: 'cleanup-tasks-v1', workflowType: 'cleanupTasks', olderThanDays: 30 },
  {
    name: 'handle-message-v4-quote-starts-follow-up',
    workflowType: 'handleMessage',
    input: { chatId: 'history-quote@c.us', messageId: 'history-v4-quote', channel: 'whatsapp', body: 'Can I get a quote for 20 yoga mats?' },
  },
  {
    name: 'follow-up-campaign-v1-completed',
    workflowType: 'followUpCampaign',
    input: { chatId: 'history-campaign@c.us', purpose: 'quote', channel: 'whatsapp', reference: 'Q-HISTORY', rules: { stepsHours: [0.0003, 0.0006], defaultTimezone: 'UTC' } },
  },
  {
    name: 'follow-up-campaign-v1-replied',
    workflowType: 'followUpCampaign',
    input: { chatId: 'history-campaign-replied@c.us', purpose: 'booking_unconfirmed', channel: 'whatsapp', rules: { stepsHours: [0.0005, 1], defaultTimezone: 'UTC' } },
    replyAfterMs: 3000,
  },
  {
    // v5: the chat reference indexed as ChatId, and a handoff closed when the wait is cancelled.
    name: 'handle-message-v5-booking-en',
    workflowType: 'handleMessage',
    input: { chatId, chatRef: chatId, messageId: 'history-v5-booking', channel: 'whatsapp', body: 'Please book an appointment next Tuesday at 11am', senderName: 'Ana' },
  },
  {
    name: 'handle-message-v5-handoff-cancelled',
    workflowType: 'handleMessage',
    input: { chatId: 'history-handoff-cancel@c.us', chatRef: 'history-handoff-cancel@c.us', messageId: 'history-v5-handoff-cancel', channel: 'whatsapp', body: 'I want to talk to a human' },
    cancelWhileWaiting: true,
  },
  { name: 'segment-campaign-v1', workflowType: 'segmentCampaign', input: { purpose: 'campaign', segment: { language: 'es' }, limit: 10 } },
  {
    // Parallel agent tasks, a condition that takes its "then" branch (the "else" is skipped),
    // a callback answered through the update, and a step after it.
    name: 'run-definition-v1-lead-approval',
    workflowType: 'runDefinition',
    definition: {
      workflow_id: '00000000-0000-4000-8000-000000000004',
      version: 1,
      name: 'Lead approval',
      steps: [
        {
          step_id: 'research',
          step_type: 'parallel',
          branches: [
            { step_id: 'qualify', step_type: 'agent_task', agent_type: 'sales', task: 'qualify_lead', parameters: { lead: '{{input.lead}}', priority: 'high' } },
            { step_id: 'enrich', step_type: 'agent_task', agent_type: 'research', task: 'enrich_lead', parameters: { lead: '{{input.lead}}' } },
          ],
        },
        { step_id: 'worth_it', step_type: 'condition', depends_on: ['research'], condition: { '>=': [{ var: 'steps.research.output.qualify.score' }, 0] }, then: ['approval'], else: ['nurture'] },
        { step_id: 'approval', step_type: 'callback', timeout: 3600 },
        { step_id: 'nurture', step_type: 'agent_task', agent_type: 'inquiry', task: 'answer_question', parameters: { question: 'What do you offer?' } },
        { step_id: 'answer', step_type: 'agent_task', agent_type: 'inquiry', task: 'answer_question', depends_on: ['approval'], parameters: { question: 'What are your opening hours?' } },
      ],
    },
    input_data: { lead: { name: 'Acme Corp', email: 'contact@acmecorp.com', website: 'https://acmecorp.com', budget: 50000, timeframe: 'Q3 2023', requirements: 'AI solution for customer support' } },
    callbacks: [{ step_id: 'approval', data: { approved_by: 'maria', note: 'go' }, by: 'maria' }],
  },
  // v6: conversations. A message takes its chat's turn; an answer goes back to the agent that asked;
  // a chat with a person holds new messages for them until the person closes it.
  {
    name: 'handle-message-v6-booking-offer',
    workflowType: 'handleMessage',
    input: viaApi('history-v6-booking@c.us', 'history-v6-offer', 'I want to book an appointment for next Monday'),
  },
  {
    name: 'handle-message-v6-booking-answer',
    workflowType: 'handleMessage',
    before: [viaApi('history-v6-answer@c.us', 'history-v6-answer-offer', 'I want to book an appointment for next Monday')],
    input: viaApi('history-v6-answer@c.us', 'history-v6-answer', 'the second one please'),
  },
  {
    name: 'handle-message-v6-handoff-held-closed',
    workflowType: 'handleMessage',
    input: viaApi('history-v6-handoff@c.us', 'history-v6-handoff', 'I want to talk to a human'),
    during: viaApi('history-v6-handoff@c.us', 'history-v6-handoff-held', 'Hello? Is anyone there?'),
    operatorReply: { text: 'Hi, this is Maria from the team. How can I help?', operator: 'maria' },
    closeAfterReply: true,
  },
  {
    name: 'handle-message-v6-held-for-person',
    workflowType: 'handleMessage',
    input: viaApi('history-v6-held@c.us', 'history-v6-held-holder', 'I want to talk to a human'),
    during: viaApi('history-v6-held@c.us', 'history-v6-held', 'Hello? Is anyone there?'),
    recordDuring: true,
    operatorReply: { text: 'Hi, Maria here.', operator: 'maria' },
    closeAfterReply: true,
  },
  {
    name: 'handle-message-v6-joined-turn',
    workflowType: 'handleMessage',
    input: viaApi('history-v6-burst@c.us', 'history-v6-burst-1', 'hi'),
    burst: [viaApi('history-v6-burst@c.us', 'history-v6-burst-2', 'I want to book an appointment'), viaApi('history-v6-burst@c.us', 'history-v6-burst-3', 'for tomorrow')],
    recordLast: true,
  },
  {
    name: 'conversation-v1-booking-dialogue',
    workflowType: 'conversation',
    messages: [
      viaApi('history-v6-dialogue@c.us', 'history-v6-dialogue-1', 'I need an appointment'),
      viaApi('history-v6-dialogue@c.us', 'history-v6-dialogue-2', 'thanks'),
      viaApi('history-v6-dialogue@c.us', 'history-v6-dialogue-3', 'the last one'),
    ],
    idleSeconds: 3,
  },
  { name: 'cleanup-tasks-v2-transcripts', workflowType: 'cleanupTasks', olderThanDays: 30, transcriptOlderThanDays: 90 },
];
