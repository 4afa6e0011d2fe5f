import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { DataSource } from 'typeorm';
import type { AgentInput, AgentOutcome } from '../../contracts';
import { normalizeText, stripAccents } from '../../domain/text';
import { Order, type OrderLine } from '../../persistence/entities/order.entity';
import { Product } from '../../persistence/entities/product.entity';
import { Quote } from '../../persistence/entities/quote.entity';
import { isUniqueViolation } from '../deps';
import { inLanguage } from './language';
import { formatMoney } from './money';

/** Bulk pricing: the discount a quantity earns. */
export function bulkDiscountPercent(totalUnits: number): number {
  if (totalUnits >= 50) return 15;
  if (totalUnits >= 20) return 10;
  if (totalUnits >= 10) return 5;
  return 0;
}

const QUOTE_VALID_DAYS = 14;

function words(text: string): string[] {
  return stripAccents(text.toLowerCase()).match(/[a-z0-9]+/g) ?? [];
}

/** Products the text names, with the quantity written before the name ("20 yoga mats"). */
export function productsMentioned(text: string, catalog: Product[]): Array<{ product: Product; quantity: number }> {
  const normalized = normalizeText(text);
  const found: Array<{ product: Product; quantity: number }> = [];
  for (const product of catalog) {
    const names = [product.name, product.nameEs].map((n) => words(n).filter((w) => w.length > 3 && !['with', 'pair', 'para', 'alta'].includes(w)));
    const hit = names.some((nameWords) => {
      const key = nameWords.filter((w) => !['high', 'density', 'smart', 'upper', 'non', 'slip', 'wellness', 'body', 'composition'].includes(w));
      // A product is named when its distinctive words (or their singular forms) appear.
      return key.length > 0 && key.filter((w) => new RegExp(`\\b${w.replace(/s$/, '')}s?\\b`).test(normalized)).length >= Math.min(2, key.length);
    });
    if (!hit) continue;
    const nameWord = words(product.name).find((w) => w.length > 3 && new RegExp(`\\b${w.replace(/s$/, '')}`).test(normalized)) ?? '';
    const qty = normalized.match(new RegExp(`(\\d{1,5})\\s+(?:[a-z-]+\\s+){0,3}${nameWord.replace(/s$/, '')}`));
    found.push({ product, quantity: qty ? Math.max(1, Number(qty[1])) : 1 });
  }
  return found;
}

export function createCatalogAgents(db: DataSource) {
  const products = db.getRepository(Product);
  const orders = db.getRepository(Order);
  const quotes = db.getRepository(Quote);

  async function quoteAgent(input: AgentInput): Promise<AgentOutcome> {
    const lang = input.triage.language;
    const existing = await quotes.findOneBy({ workflowId: input.workflowId });
    const catalog = await products.find();
    let quote = existing;
    if (!quote) {
      const wanted = productsMentioned(input.body, catalog);
      if (wanted.length === 0) {
        return {
          agent: 'quote',
          intent: input.intent,
          text: inLanguage(lang, {
            en: 'Happy to prepare a quote. Which products and how many of each? For example: "20 yoga mats and 20 resistance band sets".',
            es: 'Con gusto preparo un presupuesto. ¿Qué productos y cuántas unidades de cada uno? Por ejemplo: "20 esterillas de yoga y 20 sets de bandas".',
          }),
          facts: { quoted: false },
        };
      }
      const lines: OrderLine[] = wanted.map(({ product, quantity }) => ({ sku: product.sku, name: product.name, quantity, priceCents: product.priceCents }));
      const units = lines.reduce((n, l) => n + l.quantity, 0);
      const discountPercent = bulkDiscountPercent(units);
      const subtotal = lines.reduce((n, l) => n + l.quantity * l.priceCents, 0);
      quote = quotes.create({
        id: `Q-${createHash('sha256').update(input.workflowId).digest('hex').slice(0, 8).toUpperCase()}`,
        chatId: input.chatId,
        lines,
        discountPercent,
        totalCents: Math.round(subtotal * (1 - discountPercent / 100)),
        currency: 'USD',
        validUntil: DateTime.fromISO(input.receivedAt).plus({ days: QUOTE_VALID_DAYS }).toJSDate(),
        workflowId: input.workflowId,
      });
      try {
        await quotes.insert(quote);
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        quote = await quotes.findOneByOrFail({ workflowId: input.workflowId });
      }
    }
    const lineText = quote.lines.map((l) => `${l.quantity} × ${l.name} (${formatMoney(l.priceCents, quote!.currency, lang)})`).join(', ');
    const total = formatMoney(quote.totalCents, quote.currency, lang);
    const valid = DateTime.fromJSDate(new Date(quote.validUntil)).setLocale(lang === 'es' ? 'es' : 'en').toFormat(lang === 'es' ? "d 'de' LLLL" : 'd LLLL');
    const discount = quote.discountPercent
      ? inLanguage(lang, { en: ` including a ${quote.discountPercent}% volume discount`, es: ` con un ${quote.discountPercent}% de descuento por volumen` })
      : '';
    return {
      agent: 'quote',
      intent: input.intent,
      text: inLanguage(lang, {
        en: `Quote ${quote.id}: ${lineText}. Total ${total}${discount}, valid until ${valid}. Reply "accept" to go ahead or ask me anything about it.`,
        es: `Presupuesto ${quote.id}: ${lineText}. Total ${total}${discount}, válido hasta el ${valid}. Responde "acepto" para seguir o pregúntame lo que necesites.`,
      }),
      facts: { quoted: true, quoteId: quote.id, totalCents: quote.totalCents, currency: quote.currency, discountPercent: quote.discountPercent },
      next: { kind: 'follow_up', purpose: 'quote', reference: quote.id },
    };
  }

  async function recommendationAgent(input: AgentInput): Promise<AgentOutcome> {
    const lang = input.triage.language;
    const catalog = await products.find();
    const history = await orders.find({ where: { chatId: input.chatId } });
    const bought = new Set(history.flatMap((o) => o.items.map((i) => i.sku)));
    const boughtTags = new Set(catalog.filter((p) => bought.has(p.sku)).flatMap((p) => p.tags));
    const text = normalizeText(input.body);
    const asked = new Set(
      catalog.flatMap((p) => p.tags).filter((tag) => text.includes(tag) || SYNONYMS[tag]?.some((s) => text.includes(s))),
    );
    const budget = input.triage.entities.amounts[0]?.value;

    const scored = catalog
      .filter((p) => !bought.has(p.sku) && p.stock > 0 && (budget === undefined || p.priceCents <= budget * 100))
      .map((p) => ({
        product: p,
        score: p.tags.filter((t) => asked.has(t)).length * 3 + p.tags.filter((t) => boughtTags.has(t)).length,
      }))
      .filter((s) => s.score > 0 || asked.size === 0)
      .sort((a, b) => b.score - a.score || a.product.priceCents - b.product.priceCents)
      .slice(0, 3);

    if (scored.length === 0) {
      return {
        agent: 'recommendation',
        intent: input.intent,
        text: inLanguage(lang, {
          en: 'Tell me a little about what it is for (recovery, posture, exercise at home, tracking your health, a gift) and your budget, and I will suggest something.',
          es: 'Cuéntame para qué lo quieres (recuperación, postura, ejercicio en casa, controlar tu salud, un regalo) y tu presupuesto, y te sugiero algo.',
        }),
        facts: { recommended: [] },
      };
    }
    const list = scored.map(({ product }) => `${lang === 'es' ? product.nameEs : product.name} (${formatMoney(product.priceCents, product.currency, lang)})`).join('; ');
    const why = bought.size
      ? inLanguage(lang, { en: ' chosen to go with what you already have', es: ' elegidas para complementar lo que ya tienes' })
      : '';
    return {
      agent: 'recommendation',
      intent: input.intent,
      text: inLanguage(lang, { en: `My suggestions${why}: ${list}. Want me to reserve one for you?`, es: `Mis sugerencias${why}: ${list}. ¿Quieres que te reserve alguna?` }),
      facts: { recommended: scored.map((s) => s.product.sku), basedOnPurchases: [...bought] },
    };
  }

  return { quoteAgent, recommendationAgent };
}

/** Customer words for the catalog's tags, English and Spanish (normalized). */
const SYNONYMS: Record<string, string[]> = {
  recovery: ['sore', 'recuperacion', 'recover', 'muscle pain', 'dolor muscular', 'after running', 'despues de correr'],
  posture: ['postura', 'slouch', 'desk', 'escritorio', 'espalda'],
  back: ['espalda', 'back pain', 'lumbar'],
  yoga: ['pilates', 'stretch', 'estirar'],
  exercise: ['workout', 'gym', 'ejercicio', 'entrenar', 'training', 'fitness'],
  home: ['at home', 'en casa'],
  sleep: ['sleep', 'dormir', 'sueno', 'almohada', 'pillow'],
  tracking: ['track', 'steps', 'pasos', 'monitor', 'medir'],
  gift: ['regalo', 'present', 'birthday', 'cumpleanos'],
  heart: ['blood pressure', 'presion', 'tension', 'corazon'],
  weight: ['weight', 'peso', 'adelgazar', 'bajar de peso'],
  knee: ['rodilla'],
  injury: ['lesion', 'injured', 'sprain', 'esguince'],
  office: ['oficina', 'desk', 'escritorio'],
  sport: ['running', 'correr', 'deporte', 'sports'],
};
