import type { Entities } from './entities';
import { normalizeText } from './text';

/**
 * BANT lead qualification: budget, authority, need and timeline, each scored 0–25 from
 * what the prospect wrote. Shared by the lead agent and the `sales.qualify_lead` task of
 * user-defined workflows, so both score a lead the same way.
 */
export interface LeadScore {
  budget: number;
  authority: number;
  need: number;
  timeline: number;
  total: number;
  grade: 'hot' | 'warm' | 'cold';
  /** What each score rests on, for the sales team and the agent log. */
  signals: string[];
}

export interface LeadFacts {
  text: string;
  entities?: Pick<Entities, 'amounts'>;
  /** Explicit values a caller already knows (a form, a CRM), taking precedence over text. */
  budget?: number;
  role?: string;
  companySize?: number;
  timeline?: string;
}

const AUTHORITY_HIGH = /\b(owner|founder|co-?founder|ceo|cto|cfo|coo|director|head of|vp|vice president|president|partner|decision maker|i decide|dueno|duena|fundador|fundadora|gerente general|director|directora|socio|socia)\b/;
const AUTHORITY_MID = /\b(manager|lead|supervisor|coordinator|purchasing|procurement|buyer|gerente|jefe|jefa|encargado|encargada|compras)\b/;
const NEED_STRONG = /\b(need|looking for|require|must have|problem|pain|struggling|replace|switch from|necesitamos|necesito|buscamos|busco|requerimos|problema|reemplazar|cambiar de)\b/;
const NEED_WEAK = /\b(interested|curious|exploring|considering|thinking about|interesa|interesado|interesada|explorando|evaluando|considerando)\b/;
const TIMELINE_NOW = /\b(asap|urgent|urgently|this week|this month|immediately|right away|now|ya|urgente|esta semana|este mes|inmediatamente|cuanto antes)\b/;
const TIMELINE_SOON = /\b(next month|this quarter|next quarter|within \d+ (weeks|months)|in \d+ (weeks|months)|soon|el proximo mes|este trimestre|proximo trimestre|en \d+ (semanas|meses)|pronto)\b/;
const TIMELINE_LATER = /\b(next year|someday|eventually|no rush|el ano que viene|el proximo ano|algun dia|sin prisa)\b/;
const TEAM_SIZE = /\b(\d{1,6})\s*(employees|people|staff|users|seats|locations|stores|clinics|empleados|personas|usuarios|sucursales|tiendas|clinicas)\b/;

function clamp(n: number): number {
  return Math.max(0, Math.min(25, Math.round(n)));
}

export function scoreLead(facts: LeadFacts): LeadScore {
  const text = normalizeText(facts.text);
  const signals: string[] = [];

  const amount = facts.budget ?? Math.max(0, ...(facts.entities?.amounts ?? []).map((a) => a.value));
  let budget = 0;
  if (amount >= 10_000) budget = 25;
  else if (amount >= 2_000) budget = 18;
  else if (amount > 0) budget = 10;
  else if (/\b(budget|presupuesto)\b/.test(text)) budget = 8;
  if (budget > 0) signals.push(amount > 0 ? `budget ${amount}` : 'mentions a budget');

  const role = normalizeText(facts.role ?? '') + ' ' + text;
  let authority = 0;
  if (AUTHORITY_HIGH.test(role)) authority = 25;
  else if (AUTHORITY_MID.test(role)) authority = 15;
  else if (/\b(we|our|nosotros|nuestra|nuestro)\b/.test(text)) authority = 8;
  if (authority > 0) signals.push(authority === 25 ? 'decision maker' : authority === 15 ? 'influencer' : 'speaks for a team');

  let need = 0;
  if (NEED_STRONG.test(text)) need = 20;
  else if (NEED_WEAK.test(text)) need = 12;
  const size = facts.companySize ?? Number(text.match(TEAM_SIZE)?.[1] ?? 0);
  if (size >= 50) need += 5;
  else if (size > 0) need += 3;
  if (need > 0) signals.push(size > 0 ? `need, team of ${size}` : 'states a need');

  const timelineText = normalizeText(facts.timeline ?? '') + ' ' + text;
  let timeline = 0;
  if (TIMELINE_NOW.test(timelineText)) timeline = 25;
  else if (TIMELINE_SOON.test(timelineText)) timeline = 17;
  else if (TIMELINE_LATER.test(timelineText)) timeline = 5;
  if (timeline > 0) signals.push(timeline === 25 ? 'buying now' : timeline === 17 ? 'buying soon' : 'buying later');

  const scores = { budget: clamp(budget), authority: clamp(authority), need: clamp(need), timeline: clamp(timeline) };
  const total = scores.budget + scores.authority + scores.need + scores.timeline;
  const grade = total >= 70 ? 'hot' : total >= 40 ? 'warm' : 'cold';
  return { ...scores, total, grade, signals };
}
