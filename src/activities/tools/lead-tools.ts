import { DateTime } from 'luxon';
import { z } from 'zod';
import { scoreLead } from '../../domain/lead-scoring';
import { Lead } from '../../persistence/entities/lead.entity';
import { stableUuid } from '../../persistence/stable-id';
import { inLanguage } from '../agents/language';
import { enrichLeadFacts } from '../definitions/enrich-lead';
import { chatLeads, leadNextStepText, recordLead, rescoreLead, searchCompanies } from '../operations/leads';
import { defineTool, distinct, done, evidence } from './tool';

/**
 * The lead agent's tools: scoring the prospect of this chat (BANT, as the rule agent and the
 * `lead.score_lead` task score) and recording the lead, looking a company up, and the leads
 * this chat already left with the companies of the directory. Other customers' leads are
 * never read: the model talks to a prospect, and what it reads it may repeat.
 */

const scoreLeadSchema = z
  .strictObject({
    budget: z.number().nonnegative().max(1_000_000_000).optional().describe('The budget the prospect named, in whole currency units'),
    authority: z.string().trim().max(200).optional().describe("The prospect's role or title (e.g. owner, CEO, purchasing manager)"),
    need: z.string().trim().max(2000).optional().describe('What they need or the problem to solve, in their words'),
    timeline: z.string().trim().max(200).optional().describe('When they want to start (e.g. "this month", "next quarter")'),
    company: z.string().trim().max(200).optional(),
    company_size: z.number().int().nonnegative().max(10_000_000).optional().describe('People who would use it, or employees'),
    email: z.email('expected an email address').max(256).optional(),
  })
  .refine((a) => Object.values(a).some((v) => v !== undefined), 'give at least one of budget, authority, need, timeline, company, company_size, email');

function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const scoreLeadTool = defineTool({
  name: 'score_lead',
  description:
    "Scores this chat's prospect on budget, authority, need and timeline (0–25 each; hot from 70, warm from 40) and records the lead for the sales team; calling it again with more details scores the same lead again. Returns the score and what sales does next.",
  schema: scoreLeadSchema,
  effect: true,
  describe: (a) => Object.entries(a).filter(([, v]) => v !== undefined).map(([k]) => k).join(', '),
  async run(args, ctx) {
    const text = [args.need, args.company ? `company: ${args.company}` : undefined].filter(Boolean).join('\n');
    const given = definedOnly({ budget: args.budget, role: args.authority, companySize: args.company_size, timeline: args.timeline });
    const [existing] = await chatLeads(ctx.db, ctx.chatId, 1);
    let lead: Lead;
    let score;
    if (existing) {
      // What the prospect said before still holds: a call that adds the timeline keeps the budget and role.
      const facts = { ...(existing.details?.facts as typeof given | undefined), ...given };
      score = scoreLead({ text: `${existing.message}\n${text}`, ...facts });
      await rescoreLead(ctx.db, existing, score, { text, by: ctx.key, email: args.email, extra: { company: args.company ?? existing.details?.company ?? null, facts } });
      lead = { ...existing, score: score.total, grade: score.grade };
    } else {
      score = scoreLead({ text, ...given });
      lead = await recordLead(ctx.db, ctx.db.getRepository(Lead).create({
        id: stableUuid(ctx.key),
        chatId: ctx.chatId,
        email: args.email ?? null,
        score: score.total,
        grade: score.grade,
        details: { ...score, company: args.company ?? null, source: 'llm', facts: given },
        message: (text || [args.authority, args.timeline].filter(Boolean).join('\n')).slice(0, 2000),
        workflowId: ctx.key,
        createdAt: new Date(ctx.receivedAt),
      }));
    }
    const next = leadNextStepText(ctx.language, lead.grade);
    return done(
      {
        lead: { score: lead.score, grade: lead.grade, budget: score.budget, authority: score.authority, need: score.need, timeline: score.timeline, signals: score.signals, updated: Boolean(existing) },
        next_step: next,
      },
      {
        effect: true,
        evidence: {},
        facts: { leadId: lead.id, score: lead.score, grade: lead.grade, breakdown: { budget: score.budget, authority: score.authority, need: score.need, timeline: score.timeline } },
        confirmation: `${inLanguage(ctx.language, { en: "Thank you, I've passed your details to our sales team.", es: 'Gracias, he pasado tus datos a nuestro equipo comercial.' })} ${next}`,
        detail: `${lead.grade} ${lead.score}`,
      },
    );
  },
});

const enrichLead = defineTool({
  name: 'enrich_lead',
  description:
    "Looks up the prospect's company: what its website says (allow-listed sites only) or the company directory holds — name, industry, size, country, description.",
  schema: z
    .strictObject({
      company: z.string().trim().min(1).max(200).optional().describe('The company name'),
      website: z.string().trim().min(3).max(2048).optional().describe('The company website, e.g. acmecorp.com'),
      email: z.email('expected an email address').max(320).optional().describe("The prospect's work email (its domain names the company)"),
    })
    .refine((a) => a.company !== undefined || a.website !== undefined || a.email !== undefined, 'give company, website or email'),
  effect: false,
  describe: (a) => a.website ?? a.email?.split('@').pop() ?? a.company ?? '',
  async run(args, ctx) {
    const enriched = await enrichLeadFacts({ db: ctx.deps.db, website: ctx.deps.website }, { company: args.company, website: args.website, email: args.email });
    if (enriched.source === 'none' && args.company) {
      const [listed] = await searchCompanies(ctx.db, args.company, 1);
      if (listed) {
        const company = { name: listed.name, industry: listed.industry, size: listed.size, country: listed.country, description: listed.description, website: `https://${listed.domain}` };
        return done({ domain: listed.domain, company, source: 'directory', notes: [] }, { effect: false, evidence: evidence({ references: [listed.domain] }), detail: 'directory' });
      }
    }
    return done(enriched, { effect: false, evidence: evidence({ references: distinct([enriched.domain]) }), detail: enriched.source });
  },
});

const fetchLeads = defineTool({
  name: 'fetch_leads',
  description:
    "The leads this chat already left (score, grade, when) and companies of the business's directory matching a query (name, domain, industry, country): to see whether the prospect or their company is known.",
  schema: z.strictObject({
    query: z.string().trim().max(200).optional().describe('Words to match companies of the directory; omit to list them'),
    limit: z.number().int().min(1).max(20).optional().describe('At most this many companies (5 when absent)'),
  }),
  effect: false,
  describe: (a) => a.query ?? 'all',
  async run(args, ctx) {
    const mine = await chatLeads(ctx.db, ctx.chatId, 5);
    const companies = await searchCompanies(ctx.db, args.query, args.limit ?? 5);
    return done(
      {
        my_leads: mine.map((l) => ({ score: l.score, grade: l.grade, company: l.details?.company ?? null, created_on: DateTime.fromJSDate(new Date(l.createdAt)).setZone(ctx.deps.business.timezone).toISODate() })),
        companies: companies.map((c) => ({ domain: c.domain, name: c.name, industry: c.industry, size: c.size, country: c.country, description: c.description })),
      },
      { effect: false, evidence: evidence({ references: companies.map((c) => c.domain) }), detail: `${mine.length} leads, ${companies.length} companies` },
    );
  },
});

export const LEAD_TOOLS = [scoreLeadTool, enrichLead, fetchLeads];
