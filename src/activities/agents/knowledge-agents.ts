import type { AgentInput, AgentOutcome } from '../../contracts';
import type { KnowledgeSearch } from '../deps';
import { inLanguage } from './language';

/**
 * Inquiry and troubleshooting both answer from the Markdown knowledge base and cite the
 * article they used, so a person can check the answer against its source.
 */
export function createKnowledgeAgents(kb: KnowledgeSearch) {
  function answer(input: AgentInput, agent: 'inquiry' | 'troubleshooting'): AgentOutcome {
    const lang = input.triage.language === 'es' ? 'es' : 'en';
    const hits = kb.search(input.body, { language: lang, intent: agent, limit: 2 });
    if (hits.length === 0) {
      return {
        agent,
        intent: input.intent,
        text:
          agent === 'inquiry'
            ? inLanguage(lang, {
                en: "I couldn't find that in our information. Could you tell me a bit more (hours, location, prices, payment, shipping, returns)?",
                es: 'No encontré eso en nuestra información. ¿Podrías darme más detalles (horarios, ubicación, precios, pagos, envíos, devoluciones)?',
              })
            : inLanguage(lang, {
                en: "I couldn't find a guide for that problem. Which product is it, and what exactly happens?",
                es: 'No encontré una guía para ese problema. ¿Qué producto es y qué ocurre exactamente?',
              }),
        facts: { articles: [] },
      };
    }
    const [best] = hits;
    const source = inLanguage(lang, { en: `(Source: ${best.title})`, es: `(Fuente: ${best.title})` });
    return {
      agent,
      intent: input.intent,
      text: `${best.snippet.trim()} ${source}`,
      facts: { articles: hits.map((h) => ({ id: h.id, title: h.title, score: Number(h.score.toFixed(2)) })), article: best.id },
    };
  }

  return {
    inquiryAgent: async (input: AgentInput): Promise<AgentOutcome> => answer(input, 'inquiry'),
    troubleshootingAgent: async (input: AgentInput): Promise<AgentOutcome> => answer(input, 'troubleshooting'),
  };
}
