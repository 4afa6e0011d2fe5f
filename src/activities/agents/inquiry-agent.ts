import type { AgentInput, AgentOutcome } from '../../contracts';
import { normalizeText } from '../../domain/text';
import { inLanguage } from './language';

interface Answer {
  topic: string;
  match: RegExp;
  en: string;
  es: string;
}

/** The business facts rule mode answers from. */
const ANSWERS: Answer[] = [
  {
    topic: 'hours',
    match: /\b(hours?|open|close|horario|abren|cierran|abiertos)\b/,
    en: 'We are open Monday to Friday 9:00–18:00 and Saturday 10:00–14:00; closed on Sundays and public holidays.',
    es: 'Abrimos de lunes a viernes de 9:00 a 18:00 y los sábados de 10:00 a 14:00; cerramos domingos y festivos.',
  },
  {
    topic: 'location',
    match: /\b(where|address|location|parking|get there|donde|direccion|ubicacion|llego)\b/,
    en: 'You can find us at 12 Harbour Road, Central. There is paid parking next door.',
    es: 'Estamos en 12 Harbour Road, Central. Hay un estacionamiento de pago al lado.',
  },
  {
    topic: 'prices',
    match: /\b(price|prices|cost|how much|fees?|rates?|precio|precios|cuesta|cuestan|tarifa|vale)\b/,
    en: 'A standard consultation is $60 and a follow-up visit $40. Ask me for a quote for anything else.',
    es: 'Una consulta estándar cuesta $60 y una visita de seguimiento $40. Pídeme un presupuesto para cualquier otra cosa.',
  },
  {
    topic: 'payment',
    match: /\b(pay|payment|card|cash|paypal|pago|tarjeta|efectivo)\b/,
    en: 'We accept cash, all major credit and debit cards, and PayPal.',
    es: 'Aceptamos efectivo, todas las tarjetas de crédito y débito, y PayPal.',
  },
];

/** Answers hours, location, prices and payment questions from the business facts. */
export async function inquiryAgent(input: AgentInput): Promise<AgentOutcome> {
  const text = normalizeText(input.body);
  const lang = input.triage.language;
  const hits = ANSWERS.filter((a) => a.match.test(text));
  if (hits.length === 0) {
    return {
      agent: 'inquiry',
      intent: input.intent,
      text: inLanguage(lang, {
        en: 'Happy to help! Could you tell me a bit more about what you would like to know (hours, location, prices, payment)?',
        es: '¡Con gusto! ¿Podrías contarme un poco más sobre lo que quieres saber (horarios, ubicación, precios, pagos)?',
      }),
      facts: { topics: [] },
    };
  }
  return {
    agent: 'inquiry',
    intent: input.intent,
    text: hits.map((h) => inLanguage(lang, h)).join(' '),
    facts: { topics: hits.map((h) => h.topic) },
  };
}
