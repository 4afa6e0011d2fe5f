import type { AgentInput, AgentOutcome } from '../../contracts';
import { inLanguage } from './language';

/** Tells the customer a person will take over; the conversation is flagged for the team. */
export async function humanHandoffAgent(input: AgentInput): Promise<AgentOutcome> {
  const lang = input.triage.language;
  const requested = input.routeReason === 'requested';
  return {
    agent: 'human_handoff',
    intent: input.intent,
    facts: { reason: input.routeReason },
    text: requested
      ? inLanguage(lang, {
          en: 'Of course, I am passing you to a member of our team. Someone will reply here shortly.',
          es: 'Por supuesto, te paso con una persona de nuestro equipo. Alguien te responderá aquí en breve.',
        })
      : inLanguage(lang, {
          en: "I'm not sure I understood. A member of our team will look at your message and reply shortly.",
          es: 'No estoy seguro de haberte entendido. Una persona de nuestro equipo revisará tu mensaje y te responderá en breve.',
        }),
  };
}
