import type { AgentInput, AgentOutcome } from '../../contracts';
import { inLanguage } from './language';

/** Books, reschedules and cancels; confirms what the customer asked for and what is next. */
export async function appointmentAgent(input: AgentInput): Promise<AgentOutcome> {
  const lang = input.triage.language;
  const { dates, times } = input.triage.entities;
  const when = [dates[0], times[0]].filter(Boolean).join(' ');
  const facts = { action: input.intent, requestedDate: dates[0] ?? null, requestedTime: times[0] ?? null };

  if (input.intent === 'appointment_cancel') {
    return {
      agent: 'appointment',
      intent: input.intent,
      facts,
      text: inLanguage(lang, {
        en: 'I can cancel your appointment. Please confirm the date of the booking you want to cancel.',
        es: 'Puedo cancelar tu cita. Confírmame la fecha de la reserva que quieres cancelar.',
      }),
    };
  }
  if (input.intent === 'appointment_reschedule') {
    return {
      agent: 'appointment',
      intent: input.intent,
      facts,
      text: when
        ? inLanguage(lang, {
            en: `I can move your appointment to ${when}. Shall I confirm it?`,
            es: `Puedo cambiar tu cita para ${when}. ¿La confirmo?`,
          })
        : inLanguage(lang, {
            en: 'Sure, I can reschedule your appointment. Which day and time suit you better?',
            es: 'Claro, puedo cambiar tu cita. ¿Qué día y hora te vienen mejor?',
          }),
    };
  }
  return {
    agent: 'appointment',
    intent: input.intent,
    facts,
    text: when
      ? inLanguage(lang, {
          en: `I'd be happy to book your appointment for ${when}. ${times[0] ? 'Shall I confirm it?' : 'What time works best for you?'}`,
          es: `Con gusto agendo tu cita para ${when}. ${times[0] ? '¿La confirmo?' : '¿Qué hora te viene mejor?'}`,
        })
      : inLanguage(lang, {
          en: "I'd be happy to book an appointment for you. Which day and time would suit you?",
          es: 'Con gusto agendo una cita para ti. ¿Qué día y hora te vienen bien?',
        }),
  };
}
