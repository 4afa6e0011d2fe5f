import { scoreLead, type LeadScore } from './lead-scoring';

/**
 * Qualifying a lead as CRMs and web forms hand it over (the `sales.qualify_lead` task of
 * user-defined workflows): the form's fields mapped onto BANT lead scoring.
 */

/** The fields of a lead that qualification reads; several have a common alias. */
export interface LeadForm {
  budget?: number;
  timeframe?: string;
  timeline?: string;
  requirements?: string;
  need?: string;
  notes?: string;
  message?: string;
  role?: string;
  title?: string;
  company_size?: number;
  employees?: number;
}

export type LeadQualification = LeadScore & { qualified: boolean };

const QUARTER = /\bq([1-4])\W*(\d{4})\b|\b(\d{4})\W*q([1-4])\b/i;
const MONTH_YEAR = /\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{4})\b/i;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * A form's timeframe ("Q3 2026", "March 2027") as the words lead scoring understands,
 * measured from now; a timeframe already past says nothing about when they will buy.
 */
export function timelineFromTimeframe(timeframe: string, now: Date): { timeline?: string; signal?: string } {
  let end: Date | undefined;
  const q = timeframe.match(QUARTER);
  if (q) {
    const quarter = Number(q[1] ?? q[4]);
    const year = Number(q[2] ?? q[3]);
    end = new Date(Date.UTC(year, quarter * 3, 0));
  } else {
    const m = timeframe.match(MONTH_YEAR);
    if (m) end = new Date(Date.UTC(Number(m[2]), MONTHS.indexOf(m[1].slice(0, 3).toLowerCase()) + 1, 0));
  }
  if (!end) return { timeline: timeframe };
  const months = (end.getTime() - now.getTime()) / (30 * 24 * 3600 * 1000);
  if (months < 0) return { signal: `timeframe ${timeframe} is in the past` };
  if (months <= 1) return { timeline: 'this month' };
  if (months <= 6) return { timeline: `within ${Math.ceil(months)} months` };
  return { timeline: 'next year' };
}

/** Scores a lead's form at `now`; anything but a cold lead is qualified. */
export function qualifyLead(lead: LeadForm, now: Date): LeadQualification {
  const timeframe = lead.timeframe ?? lead.timeline;
  const fromTimeframe = timeframe ? timelineFromTimeframe(timeframe, now) : {};
  const requirements = lead.requirements ?? lead.need;
  // A form's "requirements" field is a stated need, whatever words fill it.
  const parts = [requirements ? `require ${requirements}` : '', lead.notes ?? '', lead.message ?? ''];
  const score = scoreLead({
    text: parts.filter(Boolean).join('. '),
    budget: lead.budget,
    role: lead.role ?? lead.title,
    companySize: lead.company_size ?? lead.employees,
    timeline: fromTimeframe.timeline,
  });
  const signals = fromTimeframe.signal ? [...score.signals, fromTimeframe.signal] : score.signals;
  return { ...score, signals, qualified: score.grade !== 'cold' };
}
