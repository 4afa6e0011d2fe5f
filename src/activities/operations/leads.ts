import type { LeadScore } from '../../domain/lead-scoring';
import { Company } from '../../persistence/entities/company.entity';
import { Lead } from '../../persistence/entities/lead.entity';
import type { Db } from '../../persistence/transactions';
import { inLanguage } from '../agents/language';
import { insertOnce } from './insert-once';

/**
 * Leads as both the rule agent and the tools see them: record one (once per key), score it
 * again when the prospect tells more, read the chat's own, and look companies up in the
 * directory.
 */

/** Records the lead, or returns the one its key already recorded. */
export function recordLead(db: Db, lead: Lead): Promise<Lead> {
  return insertOnce(db, Lead, lead);
}

/**
 * Scores a lead again over what the prospect added, keeping what it was before any answer
 * (a retry writes the same row again). Returns the details written.
 */
export async function rescoreLead(db: Db, lead: Lead, score: LeadScore, answer: { text: string; by: string; email?: string | null; extra?: Record<string, unknown> }): Promise<Lead['details']> {
  const previous: { score: number; grade: Lead['grade'] } = lead.details?.previous ?? { score: lead.score, grade: lead.grade };
  const details: Lead['details'] = { ...score, ...answer.extra, answer: answer.text.slice(0, 1000), answeredBy: answer.by, previous };
  await db.getRepository(Lead).update(
    { id: lead.id },
    { score: score.total, grade: score.grade, email: lead.email ?? answer.email ?? null, details: details as never },
  );
  return details;
}

/** The chat's leads, newest first. */
export function chatLeads(db: Db, chatId: string, limit: number): Promise<Lead[]> {
  return db.getRepository(Lead).find({ where: { chatId }, order: { createdAt: 'DESC' }, take: limit });
}

/** What the sales team does next for a lead of this grade. */
export function leadNextStepText(language: string, grade: Lead['grade']): string {
  return grade === 'hot'
    ? inLanguage(language, { en: 'Someone from our sales team will call you today.', es: 'Una persona de nuestro equipo comercial te llamará hoy.' })
    : inLanguage(language, { en: 'Our sales team will send you an offer within one business day.', es: 'Nuestro equipo comercial te enviará una oferta en un día hábil.' });
}

/** Companies of the directory whose name, domain, industry or country contain the query (all when it is empty), by name. */
export async function searchCompanies(db: Db, query: string | undefined, limit: number): Promise<Company[]> {
  const all = await db.getRepository(Company).find({ order: { name: 'ASC' } });
  const q = query?.trim().toLowerCase();
  const matching = q ? all.filter((c) => [c.name, c.domain, c.industry ?? '', c.country ?? '', c.description ?? ''].some((v) => v.toLowerCase().includes(q))) : all;
  return matching.slice(0, limit);
}
