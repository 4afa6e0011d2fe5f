import { z } from 'zod';
import { evidenceFromText, mergeEvidence } from '../../domain/grounding';
import { defineTool, done, evidence } from './tool';

/**
 * The inquiry and troubleshooting agents' tool: the knowledge base (Markdown articles in
 * English and Spanish), searched in the customer's language first, among the articles of
 * the calling agent's kind. What an article says is what a reply may state.
 */

const searchArticles = defineTool({
  name: 'search_articles',
  description:
    "Searches the business's articles (opening hours, location, services and prices, payment, shipping, returns, warranty, privacy; troubleshooting guides for the products). Returns the best passages with the article's id and title, to answer from and cite.",
  schema: z.strictObject({ query: z.string().trim().min(2).max(500).describe("The customer's question or problem, in their words or as keywords") }),
  effect: false,
  describe: (a) => a.query.slice(0, 80),
  async run(args, ctx) {
    const hits = ctx.deps.knowledgeBase.search(args.query, { language: ctx.language, intent: ctx.agent === 'troubleshooting' ? 'troubleshooting' : 'inquiry', limit: 3 });
    const articles = hits.map((h) => ({ id: h.id, title: h.title, language: h.language, text: h.snippet.trim() }));
    return done(
      { articles, ...(articles.length === 0 ? { note: 'no article answers this; ask for details, or offer a person' } : {}) },
      {
        effect: false,
        evidence: mergeEvidence(evidence({ references: articles.map((a) => a.id) }), ...articles.map((a) => evidenceFromText(`${a.title}. ${a.text}`))),
        facts: { articles: hits.map((h) => ({ id: h.id, title: h.title, score: Number(h.score.toFixed(2)) })) },
        detail: articles.length ? articles.map((a) => a.id).join(', ') : 'nothing found',
      },
    );
  },
});

export const KNOWLEDGE_TOOLS = [searchArticles];
