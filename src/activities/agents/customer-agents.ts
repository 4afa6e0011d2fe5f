import { DateTime } from 'luxon';
import type { DataSource } from 'typeorm';
import type { AgentInput, AgentOutcome } from '../../contracts';
import { atTime, resolveDate } from '../../domain/business-calendar';
import { extractEntities } from '../../domain/entities';
import { scoreLead } from '../../domain/lead-scoring';
import type { ResolvedAnswer } from '../../domain/questions';
import { normalizeText } from '../../domain/text';
import { Customer } from '../../persistence/entities/customer.entity';
import { DocumentUpload } from '../../persistence/entities/document-upload.entity';
import { Lead } from '../../persistence/entities/lead.entity';
import { Reminder } from '../../persistence/entities/reminder.entity';
import { stableUuid } from '../../persistence/stable-id';
import type { BusinessSettings } from '../deps';
import { insertOnce } from '../operations/insert-once';
import { leadNextStepText, recordLead, rescoreLead } from '../operations/leads';
import { applyProfileChanges, profileUpdatedText, readProfile, type ProfileChanges } from '../operations/profiles';
import { inLanguage } from './language';
import { readClockTime } from '../../domain/answers';
import { answerFor, clip, contextString } from './questions';

type ContactField = 'email' | 'phone' | 'name' | 'language';
type Changes = ProfileChanges;

/** Words that name a profile field (normalized text). */
const FIELD_WORDS: Array<[ContactField, RegExp]> = [
  ['email', /\b(e-?mail|mail|email address|correo|correo electronico|e-?mail address)\b/],
  ['phone', /\b(phone|phone number|mobile|cell|telephone|number|telefono|movil|celular|numero)\b/],
  ['name', /\b(name|nombre)\b/],
  ['language', /\b(language|idioma|lengua)\b/],
];

const ASK_FIELD: Record<ContactField, { en: string; es: string }> = {
  email: { en: 'What is your new email address?', es: '¿Cuál es tu nuevo correo electrónico?' },
  phone: { en: 'What is your new phone number?', es: '¿Cuál es tu nuevo número de teléfono?' },
  name: { en: 'What name should we use for you?', es: '¿Qué nombre quieres que usemos?' },
  language: { en: 'Which language would you like us to write in: English or Spanish?', es: '¿En qué idioma prefieres que te escribamos: español o inglés?' },
};

function isContactField(value: unknown): value is ContactField {
  return value === 'email' || value === 'phone' || value === 'name' || value === 'language';
}

/** The one field the text names, when it names exactly one. */
function namedField(text: string): ContactField | undefined {
  const named = FIELD_WORDS.filter(([, pattern]) => pattern.test(text)).map(([field]) => field);
  // "phone number" names the phone, not a second field.
  const fields = [...new Set(named)];
  return fields.length === 1 ? fields[0] : undefined;
}

/** A bare name given in answer to "what name should we use?": "Ana López", "soy Ana", "it's Ana". */
function bareName(body: string): string | undefined {
  const cleaned = body
    .trim()
    .replace(/^(?:it'?s|it is|i'?m|i am|soy|es|me llamo|mi nombre es|my name is|call me|please use|use)\s+/i, '')
    .replace(/[.!,]+$/, '')
    .trim();
  if (!/^[\p{L}][\p{L}' .-]{1,59}$/u.test(cleaned)) return undefined;
  if (cleaned.split(/\s+/).length > 4) return undefined;
  return cleaned;
}

/** A bare language answer: "Spanish", "español", "in English please". */
function bareLanguage(text: string): 'en' | 'es' | undefined {
  if (/\b(spanish|espanol|castellano)\b/.test(text)) return 'es';
  if (/\b(english|ingles)\b/.test(text)) return 'en';
  return undefined;
}

const DOCUMENT_KINDS = /\b(invoice|receipt|contract|prescription|id|factura|recibo|contrato|receta)\b/;

export function createCustomerAgents(db: DataSource, business: BusinessSettings) {

  /** Reads the changes a message asks for; `field` is the profile field the agent just asked for. */
  function readChanges(input: AgentInput, existing: Customer | null, field?: ContactField): { changes: Changes; done: string[] } {
    const text = normalizeText(input.body);
    const changes: Changes = {};
    const done: string[] = [];

    if (/\b(delete|remove|erase|borrar|eliminar)\b.{0,25}\b(data|account|information|datos|cuenta|informacion)\b/.test(text)) {
      changes.deletionRequestedAt = existing?.deletionRequestedAt ?? new Date(input.receivedAt);
      changes.optedOut = true;
      done.push('deletion_requested');
    } else if (/\b(unsubscribe|stop (sending|messaging)|opt out|don'?t (message|contact) me|darme de baja|no me (escriban|envien))\b/.test(text)) {
      changes.optedOut = true;
      done.push('opted_out');
    }
    const email = input.triage.entities.emails[0];
    if (email) {
      changes.email = email;
      done.push('email');
    }
    let phone = input.triage.entities.phones[0];
    if (!phone && field === 'phone') {
      // Asked for the phone: a shorter run of digits is still the answer ("600 111 222").
      const digits = input.body.replace(/[^\d+]/g, '');
      if (/^\+?\d{7,15}$/.test(digits)) phone = digits;
    }
    if (phone) {
      changes.phone = phone;
      done.push('phone');
    }
    let name = input.body.match(/\b(?:my name is|call me|me llamo|mi nombre es)\s+([\p{L}' -]{2,60})/iu)?.[1]?.trim();
    if (!name && field === 'name' && !email && !phone) name = bareName(input.body);
    if (name) {
      changes.name = name.replace(/[.!,]+$/, '');
      done.push('name');
    }
    const language =
      /\b(in spanish|en espanol|spanish please)\b/.test(text) ? 'es' : /\b(in english|en ingles)\b/.test(text) ? 'en' : field === 'language' ? bareLanguage(text) : undefined;
    if (language) {
      changes.language = language;
      done.push('language');
    }
    return { changes, done };
  }

  function askWhat(input: AgentInput, field?: ContactField): AgentOutcome {
    return {
      agent: 'personalization',
      intent: input.intent,
      text: inLanguage(input.triage.language, {
        en: 'Sure. What would you like to update: your name, email, phone, language, or contact preferences?',
        es: 'Claro. ¿Qué quieres actualizar: tu nombre, correo, teléfono, idioma o preferencias de contacto?',
      }),
      facts: { updated: [] },
      awaiting: { kind: 'contact', ...(field ? { context: { field } } : {}) },
    };
  }

  function askFor(input: AgentInput, field: ContactField, again: boolean): AgentOutcome {
    const lang = input.triage.language;
    const sorry = again ? inLanguage(lang, { en: "Sorry, I couldn't read that. ", es: 'Perdona, no pude leerlo. ' }) : '';
    return {
      agent: 'personalization',
      intent: input.intent,
      text: `${sorry}${inLanguage(lang, ASK_FIELD[field])}`,
      facts: { updated: [], asked: field },
      awaiting: { kind: 'contact', context: { field } },
    };
  }

  async function apply(input: AgentInput, existing: Customer | null, changes: Changes, done: string[]): Promise<AgentOutcome> {
    await applyProfileChanges(db, input.chatId, existing, changes);
    return { agent: 'personalization', intent: input.intent, text: profileUpdatedText(input.triage.language, done), facts: { updated: done } };
  }

  async function personalizationAgent(input: AgentInput): Promise<AgentOutcome> {
    const lang = input.triage.language;
    const existing = await readProfile(db, input.chatId);
    const answer = answerFor(input, 'personalization', 'contact');
    const asked = answer?.question.context?.field;
    const field = isContactField(asked) ? asked : undefined;

    if (answer?.reading.kind === 'no') {
      return {
        agent: 'personalization',
        intent: input.intent,
        text: inLanguage(lang, { en: 'OK, I have left your details as they are.', es: 'De acuerdo, dejo tus datos como están.' }),
        facts: { updated: [] },
      };
    }

    const { changes, done } = readChanges(input, existing, field);
    if (done.length > 0) return apply(input, existing, changes, done);

    const named = namedField(normalizeText(input.body));
    if (!answer) return named ? askFor(input, named, false) : askWhat(input);
    // "my email", "el correo": the field without its value is asked for; a field asked and not given, again.
    if (named) return askFor(input, named, false);
    if (field) return askFor(input, field, true);
    return askWhat(input);
  }

  function leadReply(input: AgentInput, grade: Lead['grade']): string {
    return leadNextStepText(input.triage.language, grade);
  }

  /** The prospect answered people/budget/start: the lead is scored again over both messages. */
  async function finishLead(input: AgentInput, answer: ResolvedAnswer): Promise<AgentOutcome> {
    const lang = input.triage.language;
    const leadId = contextString(answer, 'leadId');
    const lead = leadId ? await db.getRepository(Lead).findOneBy({ id: leadId }) : null;
    if (!lead) return leadStart(input);
    if (answer.reading.kind === 'no') {
      return {
        agent: 'lead',
        intent: input.intent,
        text: `${inLanguage(lang, { en: 'No problem.', es: 'Sin problema.' })} ${leadReply(input, lead.grade)}`,
        facts: { leadId: lead.id, score: lead.score, grade: lead.grade, answered: false },
      };
    }
    const amounts = input.triage.entities.amounts.length ? input.triage.entities.amounts : extractEntities(lead.message).amounts;
    const score = scoreLead({ text: `${lead.message}\n${input.body}`, entities: { amounts } });
    // What the lead was before any answer; a retry keeps it, and writes the same row again.
    const { previous } = await rescoreLead(db, lead, score, { text: input.body, by: input.workflowId, email: input.triage.entities.emails[0] });
    return {
      agent: 'lead',
      intent: input.intent,
      text: `${inLanguage(lang, { en: 'Thank you, that helps!', es: '¡Gracias, eso nos ayuda!' })} ${leadReply(input, score.grade)}`,
      facts: {
        leadId: lead.id,
        score: score.total,
        grade: score.grade,
        previousGrade: previous.grade,
        breakdown: { budget: score.budget, authority: score.authority, need: score.need, timeline: score.timeline },
      },
    };
  }

  async function leadStart(input: AgentInput): Promise<AgentOutcome> {
    const lang = input.triage.language;
    const score = scoreLead({ text: input.body, entities: input.triage.entities });
    const lead = await recordLead(db, {
      id: stableUuid(input.workflowId),
      chatId: input.chatId,
      email: input.triage.entities.emails[0] ?? null,
      score: score.total,
      grade: score.grade,
      details: { ...score },
      message: input.body.slice(0, 2000),
      workflowId: input.workflowId,
      createdAt: new Date(input.receivedAt),
    });
    const hot = lead.grade === 'hot';
    const next = hot
      ? leadReply(input, 'hot')
      : inLanguage(lang, {
          en: 'To prepare the right offer: roughly how many people would use it, what budget do you have in mind, and when would you like to start?',
          es: 'Para preparar la oferta adecuada: ¿cuántas personas lo usarían, qué presupuesto tienes en mente y cuándo te gustaría empezar?',
        });
    return {
      agent: 'lead',
      intent: input.intent,
      text: `${inLanguage(lang, { en: 'Thanks for your interest in Harbour Wellness!', es: '¡Gracias por tu interés en Harbour Wellness!' })} ${next}`,
      facts: { leadId: lead.id, score: lead.score, grade: lead.grade, breakdown: { budget: score.budget, authority: score.authority, need: score.need, timeline: score.timeline } },
      awaiting: hot ? undefined : { kind: 'details', context: { leadId: lead.id } },
    };
  }

  async function leadAgent(input: AgentInput): Promise<AgentOutcome> {
    const answer = answerFor(input, 'lead', 'details');
    return answer ? finishLead(input, answer) : leadStart(input);
  }

  function recordDocument(input: AgentInput, reference: string, kindHint?: string): Promise<DocumentUpload> {
    const kindMatch = normalizeText(input.body).match(DOCUMENT_KINDS);
    return insertOnce(db, DocumentUpload, {
      id: stableUuid(input.workflowId),
      chatId: input.chatId,
      reference,
      mimeType: input.media?.mimeType ?? null,
      kind: kindMatch?.[1] ?? kindHint ?? 'file',
      status: 'received',
      workflowId: input.workflowId,
      createdAt: new Date(input.receivedAt),
    });
  }

  async function documentAgent(input: AgentInput): Promise<AgentOutcome> {
    const lang = input.triage.language;
    const answer = answerFor(input, 'document', 'attachment');
    const named = input.body.match(/[\w.-]+\.(pdf|docx?|xlsx?|csv|png|jpe?g|heic)\b/i)?.[0];
    const reference = input.media?.reference ?? named;
    if (!reference) {
      if (answer?.reading.kind === 'no') {
        return {
          agent: 'document',
          intent: input.intent,
          text: inLanguage(lang, { en: 'OK. Send it here whenever you are ready.', es: 'De acuerdo. Envíalo por aquí cuando quieras.' }),
          facts: { recorded: false, declined: true },
        };
      }
      const kind = answer ? contextString(answer, 'documentKind') : normalizeText(input.body).match(DOCUMENT_KINDS)?.[1];
      return {
        agent: 'document',
        intent: input.intent,
        text: answer
          ? inLanguage(lang, {
              en: 'I still don\'t see a file. Please attach it to your message as a document or photo (or reply "no" if you\'d rather not send it).',
              es: 'Sigo sin ver ningún archivo. Adjúntalo a tu mensaje como documento o foto (o responde "no" si prefieres no enviarlo).',
            })
          : inLanguage(lang, { en: "I don't see a file attached. Could you send it again as a document or photo?", es: 'No veo ningún archivo adjunto. ¿Puedes enviarlo de nuevo como documento o foto?' }),
        facts: { recorded: false },
        awaiting: { kind: 'attachment', ...(kind ? { context: { documentKind: kind } } : {}) },
      };
    }
    const doc = await recordDocument(input, reference, answer ? contextString(answer, 'documentKind') : undefined);
    return {
      agent: 'document',
      intent: input.intent,
      text: inLanguage(lang, {
        en: `Got it — we've received your ${doc.kind === 'file' ? 'file' : doc.kind} and will process it within one business day (reference ${doc.id.slice(0, 8).toUpperCase()}).`,
        es: `Recibido: tenemos tu ${doc.kind === 'file' ? 'archivo' : doc.kind} y lo procesaremos en un día hábil (referencia ${doc.id.slice(0, 8).toUpperCase()}).`,
      }),
      facts: { recorded: true, documentId: doc.id, reference: doc.reference, kind: doc.kind },
    };
  }

  /** When the text says to remind: a day and/or time, or "in 2 hours"; undefined when it says none. */
  function remindAtFrom(input: AgentInput, now: DateTime): DateTime | undefined {
    const text = normalizeText(input.body);
    const day = input.triage.entities.dates.map((d) => resolveDate(d, now)).find(Boolean);
    const time = input.triage.entities.times[0] ?? readClockTime(input.body);
    if (day) return atTime(day, time ?? '09:00');
    if (time) {
      const at = atTime(now, time);
      return at <= now ? at.plus({ days: 1 }) : at;
    }
    const inMatch = text.match(/\b(?:in|en|dentro de)\s+(\d{1,3})\s*(minutes?|mins?|hours?|hrs?|days?|minutos?|horas?|dias?)\b/);
    if (inMatch) {
      const n = Number(inMatch[1]);
      const unit = inMatch[2].startsWith('m') ? 'minutes' : inMatch[2].startsWith('h') ? 'hours' : 'days';
      return now.plus({ [unit]: n });
    }
    return undefined;
  }

  async function schedule(input: AgentInput, at: DateTime, about: string): Promise<AgentOutcome> {
    const lang = input.triage.language;
    const reminder = await insertOnce(db, Reminder, {
      id: stableUuid(input.workflowId),
      chatId: input.chatId,
      channel: input.channel,
      text: about.slice(0, 500),
      remindAt: at.toJSDate(),
      status: 'scheduled',
      workflowId: input.workflowId,
      createdAt: new Date(input.receivedAt),
    });
    const remindAt = DateTime.fromJSDate(new Date(reminder.remindAt), { zone: business.timezone });
    const when = remindAt.setLocale(lang === 'es' ? 'es' : 'en').toFormat(lang === 'es' ? "cccc d 'de' LLLL 'a las' HH:mm" : "cccc d LLLL 'at' HH:mm");
    return {
      agent: 'reminder',
      intent: input.intent,
      text: inLanguage(lang, { en: `Done — I'll remind you on ${when}.`, es: `Listo, te lo recordaré el ${when}.` }),
      facts: { scheduled: true, reminderId: reminder.id, remindAt: remindAt.toUTC().toISO() },
      next: { kind: 'reminder', reminderId: reminder.id, remindAt: remindAt.toUTC().toISO()!, text: reminder.text },
    };
  }

  function askWhen(input: AgentInput, about: string, again: boolean): AgentOutcome {
    const lang = input.triage.language;
    return {
      agent: 'reminder',
      intent: input.intent,
      text: again
        ? inLanguage(lang, { en: 'Sorry, I need a day or time for the reminder — for example "tomorrow at 9am" or "in 2 hours".', es: 'Perdona, necesito un día o una hora para el recordatorio; por ejemplo "mañana a las 9" o "en 2 horas".' })
        : inLanguage(lang, { en: 'Sure — when should I remind you? (for example "tomorrow at 9am" or "in 2 hours")', es: 'Claro, ¿cuándo te lo recuerdo? (por ejemplo "mañana a las 9" o "en 2 horas")' }),
      facts: { scheduled: false },
      awaiting: { kind: 'when', context: { about: clip(about, 200) } },
    };
  }

  async function reminderAgent(input: AgentInput): Promise<AgentOutcome> {
    const lang = input.triage.language;
    const now = DateTime.fromISO(input.receivedAt, { zone: business.timezone });
    const answer = answerFor(input, 'reminder', 'when');
    if (answer) {
      const about = contextString(answer, 'about') ?? input.body;
      if (answer.reading.kind === 'no') {
        return { agent: 'reminder', intent: input.intent, text: inLanguage(lang, { en: "OK, no reminder then.", es: 'De acuerdo, sin recordatorio.' }), facts: { scheduled: false, declined: true } };
      }
      const at = remindAtFrom(input, now);
      return at && at > now ? schedule(input, at, about) : askWhen(input, about, true);
    }
    const at = remindAtFrom(input, now);
    const about =
      input.body.match(/\b(?:to|about|that|de que|que|para)\s+(.{3,200})$/i)?.[1]?.replace(/\s*(tomorrow|today|manana|hoy|at \d.*|a las \d.*|in \d+.*|en \d+.*)$/i, '').trim() ?? input.body;
    if (!at || at <= now) {
      // Asked "when?": what to remind is kept, without the "remind me" around it.
      const what = about === input.body ? input.body.replace(/^\s*(?:please\s+)?(?:can you\s+)?(?:remind me|recu[eé]rdame|recordarme)\s*/i, '').trim() || input.body : about;
      return askWhen(input, what, false);
    }
    return schedule(input, at, about);
  }

  return { personalizationAgent, leadAgent, documentAgent, reminderAgent };
}
