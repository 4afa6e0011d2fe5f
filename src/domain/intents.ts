/** The task types a message can be triaged into; `GET /api/agents` shows which agent takes each (README, "Send a message, read its result"). */
export const INTENTS = [
  'greeting',
  'appointment_booking',
  'appointment_reschedule',
  'appointment_cancel',
  'inquiry',
  'quote_request',
  'order_status',
  'return_request',
  'product_recommendation',
  'troubleshooting',
  'profile_update',
  'lead',
  'document',
  'reminder',
  'human_handoff',
  'unknown',
] as const;

export type Intent = (typeof INTENTS)[number];

export function isIntent(value: unknown): value is Intent {
  return typeof value === 'string' && (INTENTS as readonly string[]).includes(value);
}
