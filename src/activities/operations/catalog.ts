import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { Order, type OrderLine } from '../../persistence/entities/order.entity';
import { Product } from '../../persistence/entities/product.entity';
import { Quote } from '../../persistence/entities/quote.entity';
import { withSavepoint, type Db } from '../../persistence/transactions';
import { isUniqueViolation } from '../../persistence/unique-violation';
import { normalizeText, stripAccents } from '../../domain/text';
import { inLanguage } from '../agents/language';
import { formatMoney } from '../agents/money';

/**
 * The catalog as both the rule agents and the tools see it: finding products in words,
 * pricing a quote with volume discounts and recording it, accepting it, and holding a
 * product at the shop.
 */

/** How long a quote holds its prices. */
export const QUOTE_VALID_DAYS = 14;

/** Bulk pricing: the discount a quantity earns. */
export function bulkDiscountPercent(totalUnits: number): number {
  if (totalUnits >= 50) return 15;
  if (totalUnits >= 20) return 10;
  if (totalUnits >= 10) return 5;
  return 0;
}

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

/** The catalog's tags the text asks for ("recovery", "para la espalda"). */
export function tagsAsked(catalog: Product[], body: string): Set<string> {
  const text = normalizeText(body);
  return new Set(catalog.flatMap((p) => p.tags).filter((tag) => text.includes(tag) || SYNONYMS[tag]?.some((s) => text.includes(s))));
}

/**
 * Up to three in-stock products for what the text asks, within the budget (whole currency
 * units), leaving out what the customer already bought and preferring what goes with it.
 */
export function recommendProducts(catalog: Product[], bought: Set<string>, body: string, budget: number | undefined): Product[] {
  const boughtTags = new Set(catalog.filter((p) => bought.has(p.sku)).flatMap((p) => p.tags));
  const asked = tagsAsked(catalog, body);
  return catalog
    .filter((p) => !bought.has(p.sku) && p.stock > 0 && (budget === undefined || p.priceCents <= budget * 100))
    .map((p) => ({
      product: p,
      score: p.tags.filter((t) => asked.has(t)).length * 3 + p.tags.filter((t) => boughtTags.has(t)).length,
    }))
    .filter((s) => s.score > 0 || asked.size === 0)
    .sort((a, b) => b.score - a.score || a.product.priceCents - b.product.priceCents)
    .slice(0, 3)
    .map((s) => s.product);
}

/** Words too common to find a product by. */
const SEARCH_STOP_WORDS = new Set(['with', 'and', 'for', 'the', 'something', 'product', 'products', 'para', 'con', 'del', 'las', 'los', 'una', 'uno', 'algo', 'producto', 'productos', 'want', 'need', 'quiero', 'necesito']);

/**
 * Products matching a search, best first: the tags it asks for (synonyms included), then
 * the words of their names (English and Spanish), category and description; at most
 * `maxPriceCents` each when given.
 */
export function searchCatalog(catalog: Product[], query: string, options: { maxPriceCents?: number; limit: number }): Product[] {
  const asked = tagsAsked(catalog, query);
  const queryWords = new Set(words(query).filter((w) => w.length >= 3 && !SEARCH_STOP_WORDS.has(w)).map((w) => w.replace(/s$/, '')));
  const hits = (text: string) => new Set(words(text).map((w) => w.replace(/s$/, '')).filter((w) => queryWords.has(w))).size;
  return catalog
    .filter((p) => options.maxPriceCents === undefined || p.priceCents <= options.maxPriceCents)
    .map((p) => ({
      product: p,
      score: p.tags.filter((t) => asked.has(t)).length * 3 + hits(`${p.name} ${p.nameEs} ${p.sku}`) * 2 + hits(`${p.category} ${p.description}`),
    }))
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.product.priceCents - b.product.priceCents)
    .slice(0, options.limit)
    .map((s) => s.product);
}

/** The SKUs the chat has ordered. */
export async function purchasedSkus(db: Db, chatId: string): Promise<Set<string>> {
  const history = await db.getRepository(Order).find({ where: { chatId } });
  return new Set(history.flatMap((o) => o.items.map((i) => i.sku)));
}

/** `Q-` + 8 upper-case hex characters of the key's hash: a retry derives the same quote number. */
export function quoteNumber(key: string): string {
  return `Q-${createHash('sha256').update(key).digest('hex').slice(0, 8).toUpperCase()}`;
}

/** A priced quote (not yet recorded): volume discount on the units, valid for `QUOTE_VALID_DAYS` from `receivedAt`. */
export function priceQuote(db: Db, quote: { id: string; chatId: string; workflowId: string; lines: OrderLine[]; receivedAt: string }): Quote {
  const units = quote.lines.reduce((n, l) => n + l.quantity, 0);
  const discountPercent = bulkDiscountPercent(units);
  const subtotal = quote.lines.reduce((n, l) => n + l.quantity * l.priceCents, 0);
  return db.getRepository(Quote).create({
    id: quote.id,
    chatId: quote.chatId,
    lines: quote.lines,
    discountPercent,
    totalCents: Math.round(subtotal * (1 - discountPercent / 100)),
    currency: 'USD',
    validUntil: DateTime.fromISO(quote.receivedAt).plus({ days: QUOTE_VALID_DAYS }).toJSDate(),
    workflowId: quote.workflowId,
    status: 'open',
    acceptedAt: null,
  });
}

/** Records a quote; a retry (or a racing attempt) finds the one its key already recorded. */
export async function recordQuote(db: Db, quote: Quote): Promise<Quote> {
  try {
    await withSavepoint(db, (d) => d.getRepository(Quote).insert(quote));
    return quote;
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return db.getRepository(Quote).findOneByOrFail({ workflowId: quote.workflowId });
  }
}

/** "30 November" / "30 de noviembre": the day a quote is valid until. */
export function quoteValidText(quote: Pick<Quote, 'validUntil'>, language: string): string {
  return DateTime.fromJSDate(new Date(quote.validUntil)).setLocale(language === 'es' ? 'es' : 'en').toFormat(language === 'es' ? "d 'de' LLLL" : 'd LLLL');
}

/** "Quote Q-…: 20 × Non-slip yoga mat ($45.00). Total $810.00 including a 10% volume discount, valid until 14 December." */
export function quoteSummaryText(language: string, quote: Quote): string {
  const lineText = quote.lines.map((l) => `${l.quantity} × ${l.name} (${formatMoney(l.priceCents, quote.currency, language)})`).join(', ');
  const total = formatMoney(quote.totalCents, quote.currency, language);
  const valid = quoteValidText(quote, language);
  const discount = quote.discountPercent
    ? inLanguage(language, { en: ` including a ${quote.discountPercent}% volume discount`, es: ` con un ${quote.discountPercent}% de descuento por volumen` })
    : '';
  return inLanguage(language, {
    en: `Quote ${quote.id}: ${lineText}. Total ${total}${discount}, valid until ${valid}.`,
    es: `Presupuesto ${quote.id}: ${lineText}. Total ${total}${discount}, válido hasta el ${valid}.`,
  });
}

/** Accepts the quote once, at `at`; an accepted quote stays as it was. Returns the quote as stored. */
export async function acceptQuote(db: Db, quote: Quote, at: Date): Promise<Quote> {
  const quotes = db.getRepository(Quote);
  if (quote.status !== 'accepted') await quotes.update({ id: quote.id, status: 'open' }, { status: 'accepted', acceptedAt: at });
  return quotes.findOneByOrFail({ id: quote.id });
}

/** "Thank you! Quote … is accepted (total …)." */
export function quoteAcceptedText(language: string, quote: Quote): string {
  return inLanguage(language, {
    en: `Thank you! Quote ${quote.id} is accepted (total ${formatMoney(quote.totalCents, quote.currency, language)}). We'll email you the invoice and the delivery date within one business day.`,
    es: `¡Gracias! El presupuesto ${quote.id} queda aceptado (total ${formatMoney(quote.totalCents, quote.currency, language)}). Te enviaremos por correo la factura y la fecha de entrega en un día hábil.`,
  });
}

/**
 * Holds one unit of `sku` at the shop: an order row in `reserved` with the given id (derived
 * from the caller's key, so a retry finds its own row). Undefined when the product is
 * unknown or out of stock.
 */
export async function reserveProduct(db: Db, reservation: { id: string; chatId: string; sku: string; at: Date }): Promise<Order | undefined> {
  const orders = db.getRepository(Order);
  const existing = await orders.findOneBy({ id: reservation.id });
  if (existing) return existing;
  const product = await db.getRepository(Product).findOneBy({ sku: reservation.sku });
  if (!product || product.stock <= 0) return undefined;
  const order = orders.create({
    id: reservation.id,
    chatId: reservation.chatId,
    status: 'reserved',
    items: [{ sku: product.sku, name: product.name, quantity: 1, priceCents: product.priceCents }],
    totalCents: product.priceCents,
    currency: product.currency,
    carrier: null,
    trackingNumber: null,
    orderedAt: reservation.at,
    shippedAt: null,
    deliveredAt: null,
    estimatedDelivery: null,
  });
  try {
    await withSavepoint(db, (d) => d.getRepository(Order).insert(order));
    return order;
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return orders.findOneByOrFail({ id: reservation.id });
  }
}

/** "Done: I've reserved the … for you, reference RES-…", naming the product in the customer's language. */
export async function reservationText(db: Db, language: string, order: Order): Promise<string> {
  const line = order.items[0];
  const product = await db.getRepository(Product).findOneBy({ sku: line.sku });
  const name = language === 'es' && product ? product.nameEs : line.name;
  const price = formatMoney(order.totalCents, order.currency, language);
  return inLanguage(language, {
    en: `Done: I've reserved the ${name} (${price}) for you, reference ${order.id}. It is held at the shop, 12 Harbour Road, for 48 hours; you can pay when you pick it up.`,
    es: `Reserva hecha: ${name} (${price}), referencia ${order.id}. Te guardamos la reserva en la tienda, 12 Harbour Road, durante 48 horas; puedes pagar al recogerla.`,
  });
}

/** "Sorry, that product is out of stock right now." */
export function outOfStockText(language: string): string {
  return inLanguage(language, { en: 'Sorry, that product is out of stock right now. Would you like another suggestion?', es: 'Lo siento, ese producto está agotado ahora mismo. ¿Quieres otra sugerencia?' });
}
