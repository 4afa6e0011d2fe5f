import type { AgentInput, AgentOutcome } from '../../contracts';
import { normalizeText } from '../../domain/text';
import { firstName, inLanguage } from './language';

/** Greetings, thanks and goodbyes: short, in the customer's language, and an offer to help. */
export async function triageAgent(input: AgentInput): Promise<AgentOutcome> {
  const text = normalizeText(input.body);
  const name = firstName(input.senderName);
  const lang = input.triage.language;
  let kind: 'thanks' | 'goodbye' | 'hello';
  if (/\b(thanks|thank you|gracias)\b/.test(text)) kind = 'thanks';
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
    goodbye: {
      en: `Goodbye${name}, have a great day!`,
      es: `¡Hasta luego${name}, que tengas un buen día!`,
    },
  };
  return { agent: 'triage', intent: input.intent, text: inLanguage(lang, replies[kind]), facts: { kind } };
}
