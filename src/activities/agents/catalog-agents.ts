import type { DataSource } from 'typeorm';
import type { AgentInput, AgentOutcome } from '../../contracts';
import { extractEntities } from '../../domain/entities';
import type { ResolvedAnswer } from '../../domain/questions';
import { normalizeText } from '../../domain/text';
import type { OrderLine } from '../../persistence/entities/order.entity';
import { Product } from '../../persistence/entities/product.entity';
import { Quote } from '../../persistence/entities/quote.entity';
import {
  acceptQuote,
  outOfStockText,
  priceQuote as priceLines,
  productsMentioned,
  purchasedSkus,
  quoteAcceptedText,
  quoteNumber,
  quoteSummaryText,
  quoteValidText,
  recommendProducts,
  recordQuote,
  reservationText,
  reserveProduct,
  tagsAsked,
} from '../operations/catalog';
import { inLanguage } from './language';
import { formatMoney } from './money';
import { answerFor, clip, contextString, derivedNumber, numbered, productOptions } from './questions';

export { bulkDiscountPercent, productsMentioned } from '../operations/catalog';

export function createCatalogAgents(db: DataSource) {
  const products = db.getRepository(Product);
  const quotes = db.getRepository(Quote);

  function validText(quote: Quote, lang: string): string {
    return quoteValidText(quote, lang);
  }

  function askProducts(input: AgentInput, again = false): AgentOutcome {
    return {
      agent: 'quote',
      intent: input.intent,
      text: again
        ? inLanguage(input.triage.language, {
            en: 'Sorry, I did not recognise any of our products there. Which products and how many of each? For example: "20 yoga mats and 20 resistance band sets".',
            es: 'Perdona, no reconocí ninguno de nuestros productos. ¿Qué productos y cuántas unidades de cada uno? Por ejemplo: "20 esterillas de yoga y 20 sets de bandas".',
          })
        : inLanguage(input.triage.language, {
            en: 'Happy to prepare a quote. Which products and how many of each? For example: "20 yoga mats and 20 resistance band sets".',
            es: 'Con gusto preparo un presupuesto. ¿Qué productos y cuántas unidades de cada uno? Por ejemplo: "20 esterillas de yoga y 20 sets de bandas".',
          }),
      facts: { quoted: false },
      awaiting: { kind: 'products' },
    };
  }

  /** Prices what `text` names as a quote keyed by this workflow (a retry finds it); undefined when it names nothing. */
  async function priceQuote(input: AgentInput, text: string): Promise<Quote | undefined> {
    const existing = await quotes.findOneBy({ workflowId: input.workflowId });
    if (existing) return existing;
    const wanted = productsMentioned(text, await products.find());
    if (wanted.length === 0) return undefined;
    const lines: OrderLine[] = wanted.map(({ product, quantity }) => ({ sku: product.sku, name: product.name, quantity, priceCents: product.priceCents }));
    const quote = priceLines(db, { id: quoteNumber(input.workflowId), chatId: input.chatId, workflowId: input.workflowId, lines, receivedAt: input.receivedAt });
    return recordQuote(db, quote);
  }

  function quoted(input: AgentInput, quote: Quote): AgentOutcome {
    const lang = input.triage.language;
    return {
      agent: 'quote',
      intent: input.intent,
      text: `${quoteSummaryText(lang, quote)} ${inLanguage(lang, { en: 'Reply "accept" to go ahead or ask me anything about it.', es: 'Responde "acepto" para seguir o pregúntame lo que necesites.' })}`,
      facts: { quoted: true, quoteId: quote.id, totalCents: quote.totalCents, currency: quote.currency, discountPercent: quote.discountPercent },
      next: { kind: 'follow_up', purpose: 'quote', reference: quote.id },
      awaiting: { kind: 'confirm', context: { quoteId: quote.id } },
    };
  }

  /** "Accept": the quote is accepted once, at the moment of the message that accepted it. */
  async function accept(input: AgentInput, quoteId: string): Promise<AgentOutcome> {
    const lang = input.triage.language;
    const quote = await quotes.findOneBy({ id: quoteId, chatId: input.chatId });
    if (!quote) {
      return {
        agent: 'quote',
        intent: input.intent,
        text: inLanguage(lang, { en: `I couldn't find quote ${quoteId} any more. Tell me what you need and I will prepare a new one.`, es: `Ya no encuentro el presupuesto ${quoteId}. Dime qué necesitas y preparo uno nuevo.` }),
        facts: { quoteId, accepted: false },
        awaiting: { kind: 'products' },
      };
    }
    const now = await acceptQuote(db, quote, new Date(input.receivedAt));
    return {
      agent: 'quote',
      intent: input.intent,
      text: quoteAcceptedText(lang, now),
      facts: { quoted: true, quoteId: now.id, accepted: true, acceptedAt: now.acceptedAt ? new Date(now.acceptedAt).toISOString() : null, totalCents: now.totalCents },
    };
  }

  async function finishQuote(input: AgentInput, answer: ResolvedAnswer): Promise<AgentOutcome> {
    const lang = input.triage.language;
    const { question, reading } = answer;
    if (question.kind === 'products') {
      if (reading.kind === 'no') {
        return {
          agent: 'quote',
          intent: input.intent,
          text: inLanguage(lang, { en: 'No problem. Write to us whenever you would like a quote.', es: 'Sin problema. Escríbenos cuando quieras un presupuesto.' }),
          facts: { quoted: false, declined: true },
        };
      }
      const quote = await priceQuote(input, input.body);
      return quote ? quoted(input, quote) : askProducts(input, true);
    }

    const quoteId = contextString(answer, 'quoteId');
    if (!quoteId) return quoteStart(input);
    if (reading.kind === 'yes') return accept(input, quoteId);
    if (reading.kind === 'no') {
      const quote = await quotes.findOneBy({ id: quoteId, chatId: input.chatId });
      const valid = quote ? validText(quote, lang) : '';
      return {
        agent: 'quote',
        intent: input.intent,
        text: quote
          ? inLanguage(lang, { en: `No problem, quote ${quote.id} stays valid until ${valid} if you change your mind.`, es: `Sin problema, el presupuesto ${quote.id} sigue vigente hasta el ${valid} por si cambias de idea.` })
          : inLanguage(lang, { en: 'No problem.', es: 'Sin problema.' }),
        facts: { quoteId, accepted: false },
      };
    }
    // Other words: a changed list is priced as a new quote; anything else is asked again.
    const quote = await priceQuote(input, input.body);
    if (quote) return quoted(input, quote);
    return {
      agent: 'quote',
      intent: input.intent,
      text: inLanguage(lang, {
        en: `Reply "accept" to go ahead with quote ${quoteId}, or tell me what to change (for example "30 yoga mats instead").`,
        es: `Responde "acepto" para seguir con el presupuesto ${quoteId}, o dime qué cambiar (por ejemplo "mejor 30 esterillas de yoga").`,
      }),
      facts: { quoteId, accepted: false, askedAgain: true },
      awaiting: { kind: 'confirm', context: { quoteId } },
    };
  }

  async function quoteStart(input: AgentInput): Promise<AgentOutcome> {
    const quote = await priceQuote(input, input.body);
    return quote ? quoted(input, quote) : askProducts(input);
  }

  async function quoteAgent(input: AgentInput): Promise<AgentOutcome> {
    const answer = answerFor(input, 'quote', 'products', 'confirm');
    if (answer) {
      // A retry of a turn that priced a new quote finds it.
      const mine = await quotes.findOneBy({ workflowId: input.workflowId });
      if (mine) return quoted(input, mine);
      return finishQuote(input, answer);
    }
    return quoteStart(input);
  }

  // ---- Recommendations ----

  const recommend = recommendProducts;

  function suggestions(input: AgentInput, picks: Product[], bought: Set<string>): AgentOutcome {
    const lang = input.triage.language;
    const list = picks.map((product) => `${lang === 'es' ? product.nameEs : product.name} (${formatMoney(product.priceCents, product.currency, lang)})`).join('; ');
    const why = bought.size
      ? inLanguage(lang, { en: ' chosen to go with what you already have', es: ' elegidas para complementar lo que ya tienes' })
      : '';
    return {
      agent: 'recommendation',
      intent: input.intent,
      text: inLanguage(lang, { en: `My suggestions${why}: ${list}. Want me to reserve one for you?`, es: `Mis sugerencias${why}: ${list}. ¿Quieres que te reserve alguna?` }),
      facts: { recommended: picks.map((p) => p.sku), basedOnPurchases: [...bought] },
      awaiting: { kind: 'choice', options: productOptions(picks, lang) },
    };
  }

  function purchases(chatId: string): Promise<Set<string>> {
    return purchasedSkus(db, chatId);
  }

  async function recommendationStart(input: AgentInput): Promise<AgentOutcome> {
    const lang = input.triage.language;
    const catalog = await products.find();
    const bought = await purchases(input.chatId);
    const picks = recommend(catalog, bought, input.body, input.triage.entities.amounts[0]?.value);
    if (picks.length === 0) {
      return {
        agent: 'recommendation',
        intent: input.intent,
        text: inLanguage(lang, {
          en: 'Tell me a little about what it is for (recovery, posture, exercise at home, tracking your health, a gift) and your budget, and I will suggest something.',
          es: 'Cuéntame para qué lo quieres (recuperación, postura, ejercicio en casa, controlar tu salud, un regalo) y tu presupuesto, y te sugiero algo.',
        }),
        facts: { recommended: [] },
        awaiting: { kind: 'details', context: { original: clip(input.body, 300) } },
      };
    }
    return suggestions(input, picks, bought);
  }

  /** Holds one unit of `sku` at the shop: an order row in `reserved`, its id derived from the workflow id. */
  async function reserve(input: AgentInput, sku: string): Promise<AgentOutcome> {
    const lang = input.triage.language;
    // Derived from the workflow id (a retry finds its own row), in the shape order numbers are read in.
    const id = derivedNumber('RES-', input.workflowId);
    const order = await reserveProduct(db, { id, chatId: input.chatId, sku, at: new Date(input.receivedAt) });
    if (!order) {
      return {
        agent: 'recommendation',
        intent: input.intent,
        text: outOfStockText(lang),
        facts: { action: 'out_of_stock', sku },
      };
    }
    return {
      agent: 'recommendation',
      intent: input.intent,
      text: await reservationText(db, lang, order),
      facts: { action: 'reserved', orderId: order.id, sku: order.items[0].sku },
    };
  }

  /** A suggested product the customer asked about: its price (and, in English, what it is), and the offer to reserve it. */
  function described(input: AgentInput, product: Product): AgentOutcome {
    const lang = input.triage.language;
    const price = formatMoney(product.priceCents, product.currency, lang);
    return {
      agent: 'recommendation',
      intent: input.intent,
      text: inLanguage(lang, {
        en: `The ${product.name} costs ${price}: ${product.description} Want me to reserve it?`,
        es: `${product.nameEs} cuesta ${price}. ¿Quieres que te haga la reserva?`,
      }),
      facts: { action: 'described', sku: product.sku },
      awaiting: { kind: 'choice', options: productOptions([product], lang) },
    };
  }

  async function finishRecommendation(input: AgentInput, answer: ResolvedAnswer): Promise<AgentOutcome> {
    const lang = input.triage.language;
    const { question, reading } = answer;
    const close: AgentOutcome = {
      agent: 'recommendation',
      intent: input.intent,
      text: inLanguage(lang, { en: 'No problem. Ask me whenever you would like a suggestion.', es: 'Sin problema. Pregúntame cuando quieras una sugerencia.' }),
      facts: { action: 'declined' },
    };
    if (reading.kind === 'no') return close;

    if (question.kind === 'details') {
      const original = contextString(answer, 'original') ?? '';
      const catalog = await products.find();
      const bought = await purchases(input.chatId);
      const budget = input.triage.entities.amounts[0]?.value ?? extractEntities(original).amounts[0]?.value;
      const picks = recommend(catalog, bought, `${original} ${input.body}`, budget);
      if (picks.length > 0) return suggestions(input, picks, bought);
      const cheapest = catalog.filter((p) => p.stock > 0).reduce<Product | undefined>((min, p) => (!min || p.priceCents < min.priceCents ? p : min), undefined);
      return {
        agent: 'recommendation',
        intent: input.intent,
        text: inLanguage(lang, {
          en: `I couldn't find a product that fits that${cheapest ? ` (our products start at ${formatMoney(cheapest.priceCents, cheapest.currency, lang)})` : ''}. A member of our team can help you choose: just reply here.`,
          es: `No encontré un producto que encaje${cheapest ? ` (nuestros productos empiezan en ${formatMoney(cheapest.priceCents, cheapest.currency, lang)})` : ''}. Una persona del equipo puede ayudarte a elegir: responde aquí.`,
        }),
        facts: { recommended: [] },
      };
    }

    // A choice among the suggested products.
    const options = question.options ?? [];
    if (reading.kind === 'option') return reserve(input, reading.option.value);
    if (reading.kind === 'text') {
      const catalog = await products.find();
      const named = productsMentioned(input.body, catalog).filter(({ product }) => options.some((o) => o.value === product.sku));
      // A question about one ("how much is the foam roller?") is answered, not taken as the pick.
      if (named.length === 1) return asksAbout(input.body) ? described(input, named[0].product) : reserve(input, named[0].product.sku);
      // New wishes instead of a pick ("something for my back, up to $100"): suggest again for them.
      const budget = input.triage.entities.amounts[0]?.value;
      if (budget !== undefined || tagsAsked(catalog, input.body).size > 0) {
        const bought = await purchases(input.chatId);
        const picks = recommend(catalog, bought, input.body, budget);
        if (picks.length > 0) return suggestions(input, picks, bought);
      }
    }
    if (options.length === 0) return close;
    // The same products, labelled in the language of this turn.
    const catalog = await products.find();
    const offered = options.map((o) => catalog.find((p) => p.sku === o.value)).filter((p): p is Product => p !== undefined);
    const shown = offered.length === options.length ? productOptions(offered, lang) : options;
    return {
      agent: 'recommendation',
      intent: input.intent,
      text: inLanguage(lang, {
        en: `Which one would you like me to reserve? ${numbered(shown)}`,
        es: `¿Cuál quieres que te reserve? ${numbered(shown)}`,
      }),
      facts: { action: 'asked_again', recommended: shown.map((o) => o.value) },
      awaiting: { kind: 'choice', options: shown },
    };
  }

  async function recommendationAgent(input: AgentInput): Promise<AgentOutcome> {
    const answer = answerFor(input, 'recommendation', 'details', 'choice');
    if (answer) return finishRecommendation(input, answer);
    return recommendationStart(input);
  }

  return { quoteAgent, recommendationAgent };
}

/** A question rather than a pick: "how much is the foam roller?", "¿cuánto cuesta el rodillo?". */
function asksAbout(body: string): boolean {
  return /[?¿]/.test(body) || /^(?:how|what|which|is|are|does|do|cuanto|cuanta|que|cual|como|es|tiene)\b/.test(normalizeText(body));
}
