import type { AgentInput, AgentOutcome } from '../../contracts';
import type { KnowledgeSearch } from '../deps';
import { inLanguage } from './language';
import { answerFor, clip, contextString } from './questions';

/**
 * Inquiry and troubleshooting both answer from the Markdown knowledge base and cite the
 * article they used, so a person can check the answer against its source. When nothing is
 * found they ask for more; the answer is searched together with the original question, and
 * if that finds nothing either, the customer is told a person will help.
 */
export function createKnowledgeAgents(kb: KnowledgeSearch) {
  function answer(input: AgentInput, agent: 'inquiry' | 'troubleshooting'): AgentOutcome {
    const lang = input.triage.language === 'es' ? 'es' : 'en';
    const reply = answerFor(input, agent, 'details');
    const original = reply ? contextString(reply, 'original') ?? '' : '';
    if (reply?.reading.kind === 'no') {
      return {
        agent,
        intent: input.intent,
        text: inLanguage(lang, { en: 'No problem. Ask me anything else whenever you like.', es: 'Sin problema. Pregúntame lo que quieras cuando quieras.' }),
        facts: { articles: [], declined: true },
      };
    }
    const query = reply ? `${original} ${input.body}`.trim() : input.body;
    const hits = kb.search(query, { language: lang, intent: agent, limit: 2 });
    if (hits.length === 0 && reply) {
      return {
        agent,
        intent: input.intent,
        text: inLanguage(lang, {
          en: "Thanks. I still couldn't find an answer in our information, so a member of our team will look at your question and reply here shortly.",
          es: 'Gracias. Sigo sin encontrar la respuesta en nuestra información, así que una persona del equipo revisará tu pregunta y te responderá aquí en breve.',
        }),
        facts: { articles: [], needsPerson: true },
      };
    }
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
        awaiting: { kind: 'details', context: { original: clip(input.body, 300) } },
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
