import { Customer } from '../../persistence/entities/customer.entity';
import type { Db } from '../../persistence/transactions';
import { inLanguage } from '../agents/language';

/**
 * The chat's customer profile as both the rule agent and the tools see it: read it, apply
 * changes (creating the row on a first change), and tell the customer what changed.
 */

export type ProfileChanges = Partial<Pick<Customer, 'email' | 'phone' | 'name' | 'language' | 'optedOut' | 'deletionRequestedAt'>>;

/** What a change did, as the texts and the task log name it. */
export type ProfileChange = 'email' | 'phone' | 'name' | 'language' | 'opted_out' | 'opted_in' | 'deletion_requested';

const FIELD_NAMES: Record<string, { en: string; es: string }> = {
  email: { en: 'email', es: 'correo' },
  phone: { en: 'phone', es: 'teléfono' },
  name: { en: 'name', es: 'nombre' },
  language: { en: 'language', es: 'idioma' },
};

export function readProfile(db: Db, chatId: string): Promise<Customer | null> {
  return db.getRepository(Customer).findOneBy({ chatId });
}

/** Writes the changes to the chat's profile; the first change creates it. */
export async function applyProfileChanges(db: Db, chatId: string, existing: Customer | null, changes: ProfileChanges): Promise<void> {
  const customers = db.getRepository(Customer);
  if (existing) await customers.update({ chatId }, changes);
  else {
    await customers.save(customers.create({ chatId, name: null, email: null, phone: null, language: null, timezone: null, preferences: {}, optedOut: false, deletionRequestedAt: null, ...changes }));
  }
}

/** "Updated your email, phone." with what opting out or a deletion request means, in the customer's language. */
export function profileUpdatedText(language: string, done: string[]): string {
  const parts: string[] = [];
  if (done.includes('deletion_requested')) {
    parts.push(inLanguage(language, {
      en: 'We have recorded your request to delete your data; it will be completed within 30 days and we will stop all marketing messages now.',
      es: 'Hemos registrado tu solicitud de borrar tus datos; se completará en un plazo de 30 días y dejamos de enviarte mensajes comerciales desde ahora.',
    }));
  } else if (done.includes('opted_out')) {
    parts.push(inLanguage(language, { en: "You won't receive any more follow-up or marketing messages from us.", es: 'No recibirás más mensajes de seguimiento ni comerciales.' }));
  } else if (done.includes('opted_in')) {
    parts.push(inLanguage(language, { en: 'You will receive our follow-up and marketing messages again.', es: 'Volverás a recibir nuestros mensajes de seguimiento y comerciales.' }));
  }
  const fields = done.filter((d) => FIELD_NAMES[d] !== undefined);
  if (fields.length) {
    parts.push(inLanguage(language, {
      en: `Updated your ${fields.map((f) => FIELD_NAMES[f].en).join(', ')}.`,
      es: `Actualizamos tu ${fields.map((f) => FIELD_NAMES[f].es).join(', ')}.`,
    }));
  }
  return parts.join(' ');
}
