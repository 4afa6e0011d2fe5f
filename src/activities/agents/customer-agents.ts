import { DateTime } from 'luxon';
import type { DataSource } from 'typeorm';
import type { AgentInput, AgentOutcome } from '../../contracts';
import { atTime, resolveDate } from '../../domain/business-calendar';
import { scoreLead } from '../../domain/lead-scoring';
import { normalizeText } from '../../domain/text';
import { Customer } from '../../persistence/entities/customer.entity';
import { DocumentUpload } from '../../persistence/entities/document-upload.entity';
import { Lead } from '../../persistence/entities/lead.entity';
import { Reminder } from '../../persistence/entities/reminder.entity';
import { stableUuid } from '../../persistence/stable-id';
import { isUniqueViolation, type BusinessSettings } from '../deps';
import { inLanguage } from './language';

/** Inserts a row keyed by workflow id, or returns the row an earlier attempt wrote. */
async function insertOnce<T extends { workflowId: string }>(db: DataSource, entity: new () => T, row: T): Promise<T> {
  const repo = db.getRepository(entity);
  const existing = await repo.findOneBy({ workflowId: row.workflowId } as never);
  if (existing) return existing;
  try {
    await repo.insert(row as never);
    return row;
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return repo.findOneByOrFail({ workflowId: row.workflowId } as never);
  }
}


export function createCustomerAgents(db: DataSource, business: BusinessSettings) {
  const customers = db.getRepository(Customer);

  async function personalizationAgent(input: AgentInput): Promise<AgentOutcome> {
    const lang = input.triage.language;
    const text = normalizeText(input.body);
    const existing = await customers.findOneBy({ chatId: input.chatId });
    const changes: Partial<Pick<Customer, 'email' | 'phone' | 'name' | 'language' | 'optedOut' | 'deletionRequestedAt'>> = {};
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
    const phone = input.triage.entities.phones[0];
    if (phone) {
      changes.phone = phone;
      done.push('phone');
    }
    const name = input.body.match(/\b(?:my name is|call me|me llamo|mi nombre es)\s+([\p{L}' -]{2,60})/iu)?.[1]?.trim();
    if (name) {
      changes.name = name.replace(/[.!,]+$/, '');
      done.push('name');
    }
    const language = /\b(in spanish|en espanol|spanish please)\b/.test(text) ? 'es' : /\b(in english|en ingles)\b/.test(text) ? 'en' : undefined;
    if (language) {
      changes.language = language;
      done.push('language');
    }

    if (done.length === 0) {
      return {
        agent: 'personalization',
        intent: input.intent,
        text: inLanguage(lang, {
          en: 'Sure. What would you like to update: your name, email, phone, language, or contact preferences?',
          es: 'Claro. ¿Qué quieres actualizar: tu nombre, correo, teléfono, idioma o preferencias de contacto?',
        }),
        facts: { updated: [] },
      };
    }
    if (existing) await customers.update({ chatId: input.chatId }, changes);
    else {
      await customers.save(customers.create({ chatId: input.chatId, name: null, email: null, phone: null, language: null, timezone: null, preferences: {}, optedOut: false, deletionRequestedAt: null, ...changes }));
    }

    const parts: string[] = [];
    if (done.includes('deletion_requested')) {
      parts.push(inLanguage(lang, {
        en: 'We have recorded your request to delete your data; it will be completed within 30 days and we will stop all marketing messages now.',
        es: 'Hemos registrado tu solicitud de borrar tus datos; se completará en un plazo de 30 días y dejamos de enviarte mensajes comerciales desde ahora.',
      }));
    } else if (done.includes('opted_out')) {
      parts.push(inLanguage(lang, { en: "You won't receive any more follow-up or marketing messages from us.", es: 'No recibirás más mensajes de seguimiento ni comerciales.' }));
    }
    const fields = done.filter((d) => !['deletion_requested', 'opted_out'].includes(d));
    if (fields.length) {
      const names: Record<string, { en: string; es: string }> = { email: { en: 'email', es: 'correo' }, phone: { en: 'phone', es: 'teléfono' }, name: { en: 'name', es: 'nombre' }, language: { en: 'language', es: 'idioma' } };
      parts.push(inLanguage(lang, {
        en: `Updated your ${fields.map((f) => names[f].en).join(', ')}.`,
        es: `Actualizamos tu ${fields.map((f) => names[f].es).join(', ')}.`,
      }));
    }
    return { agent: 'personalization', intent: input.intent, text: parts.join(' '), facts: { updated: done } };
  }

  async function leadAgent(input: AgentInput): Promise<AgentOutcome> {
    const lang = input.triage.language;
    const score = scoreLead({ text: input.body, entities: input.triage.entities });
    const lead = await insertOnce(db, Lead, {
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
    const next =
      lead.grade === 'hot'
        ? inLanguage(lang, { en: 'Someone from our sales team will call you today.', es: 'Una persona de nuestro equipo comercial te llamará hoy.' })
        : inLanguage(lang, {
            en: 'To prepare the right offer: roughly how many people would use it, what budget do you have in mind, and when would you like to start?',
            es: 'Para preparar la oferta adecuada: ¿cuántas personas lo usarían, qué presupuesto tienes en mente y cuándo te gustaría empezar?',
          });
    return {
      agent: 'lead',
      intent: input.intent,
      text: `${inLanguage(lang, { en: 'Thanks for your interest in Harbour Wellness!', es: '¡Gracias por tu interés en Harbour Wellness!' })} ${next}`,
      facts: { leadId: lead.id, score: lead.score, grade: lead.grade, breakdown: { budget: score.budget, authority: score.authority, need: score.need, timeline: score.timeline } },
    };
  }

  async function documentAgent(input: AgentInput): Promise<AgentOutcome> {
    const lang = input.triage.language;
    const named = input.body.match(/[\w.-]+\.(pdf|docx?|xlsx?|csv|png|jpe?g)\b/i)?.[0];
    const reference = input.media?.reference ?? named;
    if (!reference) {
      return {
        agent: 'document',
        intent: input.intent,
        text: inLanguage(lang, { en: "I don't see a file attached. Could you send it again as a document or photo?", es: 'No veo ningún archivo adjunto. ¿Puedes enviarlo de nuevo como documento o foto?' }),
        facts: { recorded: false },
      };
    }
    const kindMatch = normalizeText(input.body).match(/\b(invoice|receipt|contract|prescription|id|factura|recibo|contrato|receta)\b/);
    const doc = await insertOnce(db, DocumentUpload, {
      id: stableUuid(input.workflowId),
      chatId: input.chatId,
      reference,
      mimeType: input.media?.mimeType ?? null,
      kind: kindMatch?.[1] ?? 'file',
      status: 'received',
      workflowId: input.workflowId,
      createdAt: new Date(input.receivedAt),
    });
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

  async function reminderAgent(input: AgentInput): Promise<AgentOutcome> {
    const lang = input.triage.language;
    const now = DateTime.fromISO(input.receivedAt, { zone: business.timezone });
    const day = input.triage.entities.dates.map((d) => resolveDate(d, now)).find(Boolean);
    const time = input.triage.entities.times[0];
    let at: DateTime | undefined;
    if (day) at = atTime(day, time ?? '09:00');
    else if (time) {
      at = atTime(now, time);
      if (at <= now) at = at.plus({ days: 1 });
    } else {
      const inMatch = normalizeText(input.body).match(/\b(?:in|en|dentro de)\s+(\d{1,3})\s*(minutes?|mins?|hours?|hrs?|days?|minutos?|horas?|dias?)\b/);
      if (inMatch) {
        const n = Number(inMatch[1]);
        const unit = inMatch[2].startsWith('m') ? 'minutes' : inMatch[2].startsWith('h') ? 'hours' : 'days';
        at = now.plus({ [unit]: n });
      }
    }
    if (!at || at <= now) {
      return {
        agent: 'reminder',
        intent: input.intent,
        text: inLanguage(lang, { en: 'Sure — when should I remind you? (for example "tomorrow at 9am" or "in 2 hours")', es: 'Claro, ¿cuándo te lo recuerdo? (por ejemplo "mañana a las 9" o "en 2 horas")' }),
        facts: { scheduled: false },
      };
    }
    const about =
      input.body.match(/\b(?:to|about|that|de que|que|para)\s+(.{3,200})$/i)?.[1]?.replace(/\s*(tomorrow|today|manana|hoy|at \d.*|a las \d.*|in \d+.*|en \d+.*)$/i, '').trim() ?? input.body;
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

  return { personalizationAgent, leadAgent, documentAgent, reminderAgent };
}
