import type { AgentInput, AgentOutcome } from '../../contracts';
import { normalizeText } from '../../domain/text';
import { firstName, inLanguage } from './language';

/**
 * Greetings, thanks and goodbyes, short and in the customer's language; and the one
 * clarifying question routing asks before handing an unclear chat to a person.
 */
export async function triageAgent(input: AgentInput): Promise<AgentOutcome> {
  const text = normalizeText(input.body);
  const name = firstName(input.senderName);
  const lang = input.triage.language;
  let kind: 'thanks' | 'goodbye' | 'hello' | 'clarify';
  if (input.routeReason === 'clarify') kind = 'clarify';
  else if (/\b(thanks|thank you|gracias)\b/.test(text)) kind = 'thanks';
  else if (/\b(bye|goodbye|see you|adios|hasta luego|chao|nos vemos)\b/.test(text)) kind = 'goodbye';
  else kind = 'hello';

  const replies = {
    hello: {
      en: `Hello${name}! How can I help you today? I can book appointments, answer questions about our hours and prices, and more.`,
      es: `¡Hola${name}! ¿En qué puedo ayudarte hoy? Puedo agendar citas, responder preguntas sobre horarios y precios, y más.`,
    },
    thanks: {
      en: `You're welcome${name}! Let me know if there is anything else I can do.`,
      es: `¡De nada${name}! Avísame si necesitas algo más.`,
    },
    clarify: {
      en: "Sorry, I didn't quite get that. Could you tell me what you need? For example: book an appointment, check an order, ask about prices or opening hours.",
      es: 'Perdona, no te he entendido bien. ¿Me dices qué necesitas? Por ejemplo: reservar una cita, consultar un pedido, preguntar precios u horarios.',
    },
    goodbye: {
      en: `Goodbye${name}, have a great day!`,
      es: `¡Hasta luego${name}, que tengas un buen día!`,
    },
  };
  return { agent: 'triage', intent: input.intent, text: inLanguage(lang, replies[kind]), facts: { kind } };
}
