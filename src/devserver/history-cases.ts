import type { HandleMessageInput } from '../contracts';

/**
 * Conversations recorded into `test/histories/` by `npm run histories:record`; each one
 * exercises a different path through `handleMessage`, so the replay test covers them all.
 */
export interface HistoryCase {
  name: string;
  workflowType: 'handleMessage';
  input: HandleMessageInput;
}

const chatId = '85260552717@c.us';

export const HISTORY_CASES: HistoryCase[] = [
  {
    name: 'handle-message-booking-en',
    workflowType: 'handleMessage',
    input: { chatId, messageId: 'history-booking-en', channel: 'whatsapp', body: 'I want to book an appointment for next Monday', senderName: 'Ana' },
  },
  {
    name: 'handle-message-inquiry-es',
    workflowType: 'handleMessage',
    input: { chatId, messageId: 'history-inquiry-es', channel: 'whatsapp', body: 'Hola, ¿cuál es su horario?' },
  },
  {
    name: 'handle-message-multi-intent',
    workflowType: 'handleMessage',
    input: { chatId, messageId: 'history-multi', channel: 'webchat', body: 'What are your opening hours? Also I need to book an appointment tomorrow at 3pm' },
  },
  {
    name: 'handle-message-gibberish-handoff',
    workflowType: 'handleMessage',
    input: { chatId, messageId: 'history-gibberish', channel: 'whatsapp', body: 'asdkjh qwrtpz xcvbnm' },
  },
];
