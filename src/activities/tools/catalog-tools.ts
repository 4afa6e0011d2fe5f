import { DateTime } from 'luxon';
import { z } from 'zod';
import type { OrderLine } from '../../persistence/entities/order.entity';
import { Product } from '../../persistence/entities/product.entity';
import { Quote } from '../../persistence/entities/quote.entity';
import { stripAccents } from '../../domain/text';
import { derivedNumber } from '../agents/questions';
import {
  acceptQuote,
  outOfStockText,
  priceQuote,
  productsMentioned,
  quoteAcceptedText,
  quoteNumber,
  quoteSummaryText,
  recordQuote,
  reservationText,
  reserveProduct,
  searchCatalog,
} from '../operations/catalog';
import { chatOrders } from '../operations/orders';
import { noArguments } from './schemas';
import { defineTool, distinct, done, evidence, failed, type ToolContext } from './tool';

/**
 * The quote and recommendation agents' tools over the catalog: searching it, pricing and
 * recording a quote (volume discounts as the rule agent gives them), accepting it, the
 * chat's purchases, and holding a product at the shop. Prices are in cents.
 */

const LISTED_PRODUCTS = 5;

function productView(p: Product, language: string) {
  return { sku: p.sku, name: language === 'es' ? p.nameEs : p.name, price_cents: p.priceCents, currency: p.currency, in_stock: p.stock > 0, category: p.category, description: p.description };
}

function localDay(date: Date | string, ctx: ToolContext): string {
  return DateTime.fromJSDate(new Date(date), { zone: ctx.deps.business.timezone }).toISODate()!;
}

function plain(text: string): string {
  return stripAccents(text.toLowerCase()).replace(/[^a-z0-9]+/g, ' ').trim();
}

/** The product a quote line names: its SKU, its name (English or Spanish), or words that name only it. */
function resolveProduct(catalog: Product[], named: string): Product | Product[] {
  const bySku = catalog.find((p) => p.sku.toUpperCase() === named.trim().toUpperCase());
  if (bySku) return bySku;
  const wanted = plain(named);
  const byName = catalog.find((p) => plain(p.name) === wanted || plain(p.nameEs) === wanted);
  if (byName) return byName;
  const mentioned = productsMentioned(named, catalog);
  if (mentioned.length === 1) return mentioned[0].product;
  return mentioned.length > 1 ? mentioned.map((m) => m.product) : searchCatalog(catalog, named, { limit: 3 });
}

function quoteView(quote: Quote, ctx: ToolContext) {
  const subtotal = quote.lines.reduce((n, l) => n + l.quantity * l.priceCents, 0);
  return {
    quote_id: quote.id,
    status: quote.status,
    lines: quote.lines.map((l) => ({ sku: l.sku, name: l.name, quantity: l.quantity, unit_price_cents: l.priceCents, line_total_cents: l.quantity * l.priceCents })),
    subtotal_cents: subtotal,
    discount_percent: quote.discountPercent,
    discount_cents: subtotal - quote.totalCents,
    total_cents: quote.totalCents,
    currency: quote.currency,
    valid_until: localDay(quote.validUntil, ctx),
  };
}

function quoteEvidence(view: ReturnType<typeof quoteView>) {
  const money = (cents: number) => ({ cents, currency: view.currency });
  return evidence({
    references: distinct([view.quote_id, ...view.lines.map((l) => l.sku)]),
    amounts: [...view.lines.flatMap((l) => [money(l.unit_price_cents), money(l.line_total_cents)]), money(view.subtotal_cents), money(view.total_cents), ...(view.discount_cents ? [money(view.discount_cents)] : [])],
    dates: [view.valid_until],
  });
}

const searchProducts = defineTool({
  name: 'search_products',
  description: 'Searches the catalog by what the customer wants (a need, a product name, a category; English or Spanish). Returns up to 5 products with SKU, name, price in cents and stock.',
  schema: z.strictObject({
    query: z.string().trim().min(1).max(200).describe('What to look for, e.g. "something for back pain" or "yoga mat"'),
    max_price: z.number().positive().max(1_000_000).optional().describe('Highest price per item, in whole currency units (e.g. 50 for $50)'),
  }),
  effect: false,
  describe: (a) => `${a.query}${a.max_price !== undefined ? ` ≤ ${a.max_price}` : ''}`,
  async run(args, ctx) {
    const catalog = await ctx.db.getRepository(Product).find();
    const found = searchCatalog(catalog, args.query, { maxPriceCents: args.max_price !== undefined ? Math.round(args.max_price * 100) : undefined, limit: LISTED_PRODUCTS });
    const views = found.map((p) => productView(p, ctx.language));
    return done(
      { products: views, ...(views.length === 0 ? { note: 'nothing in the catalog matches; ask what it is for, or widen the budget' } : {}) },
      { effect: false, evidence: evidence({ references: views.map((v) => v.sku), amounts: views.map((v) => ({ cents: v.price_cents, currency: v.currency })) }), detail: `${views.length} found` },
    );
  },
});

const priceQuoteTool = defineTool({
  name: 'price_quote',
  description:
    'Prices a list of products and records the quote for this chat: unit prices, a volume discount (5% from 10 units, 10% from 20, 15% from 50), the total in cents and the date it is valid until. Returns the quote number.',
  schema: z.strictObject({
    items: z
      .array(
        z.strictObject({
          product: z.string().trim().min(1).max(200).describe('The SKU (from search_products) or the product name'),
          quantity: z.number().int().min(1).max(10_000),
        }),
      )
      .min(1)
      .max(20),
  }),
  effect: true,
  describe: (a) => a.items.map((i) => `${i.quantity} × ${i.product}`).join(', '),
  async run(args, ctx) {
    const catalog = await ctx.db.getRepository(Product).find();
    const lines: OrderLine[] = [];
    for (const item of args.items) {
      const product = resolveProduct(catalog, item.product);
      if (Array.isArray(product)) {
        return failed(`no single product matches "${item.product}"`, { candidates: product.map((p) => productView(p, ctx.language)), hint: 'use the SKU from search_products' });
      }
      const line = lines.find((l) => l.sku === product.sku);
      if (line) line.quantity += item.quantity;
      else lines.push({ sku: product.sku, name: product.name, quantity: item.quantity, priceCents: product.priceCents });
    }
    const quote = await recordQuote(ctx.db, priceQuote(ctx.db, { id: quoteNumber(ctx.key), chatId: ctx.chatId, workflowId: ctx.key, lines, receivedAt: ctx.receivedAt }));
    const view = quoteView(quote, ctx);
    return done(
      { quote: view },
      {
        effect: true,
        evidence: quoteEvidence(view),
        facts: { quoted: true, quoteId: quote.id, totalCents: quote.totalCents, currency: quote.currency, discountPercent: quote.discountPercent },
        confirmation: quoteSummaryText(ctx.language, quote),
        next: { kind: 'follow_up', purpose: 'quote', reference: quote.id },
        detail: `${quote.id} ${quote.totalCents} ${quote.currency}`,
      },
    );
  },
});

const acceptQuoteTool = defineTool({
  name: 'accept_quote',
  description: "Accepts one of the chat's open quotes when the customer says to go ahead; the invoice and delivery date follow by email.",
  schema: z.strictObject({ quote_id: z.string().trim().regex(/^Q-[0-9A-Fa-f]{8}$/, 'expected a quote number such as Q-1A2B3C4D') }),
  effect: true,
  describe: (a) => a.quote_id.toUpperCase(),
  async run(args, ctx) {
    const id = args.quote_id.toUpperCase();
    const quote = await ctx.db.getRepository(Quote).findOneBy({ id, chatId: ctx.chatId });
    if (!quote) return failed(`no quote ${id} for this chat`, { hint: 'price a new quote with price_quote' });
    if (quote.status !== 'accepted' && new Date(quote.validUntil) < new Date(ctx.receivedAt)) {
      return failed(`quote ${id} expired on ${localDay(quote.validUntil, ctx)}`, { hint: 'price a new quote with price_quote' });
    }
    const wasOpen = quote.status !== 'accepted';
    const accepted = await acceptQuote(ctx.db, quote, new Date(ctx.receivedAt));
    const view = quoteView(accepted, ctx);
    return done(
      { quote: view },
      {
        effect: wasOpen,
        evidence: quoteEvidence(view),
        facts: { quoteId: accepted.id, accepted: true, totalCents: accepted.totalCents },
        confirmation: quoteAcceptedText(ctx.language, accepted),
        detail: wasOpen ? 'accepted' : 'already accepted',
      },
    );
  },
});

const listMyPurchases = defineTool({
  name: 'list_my_purchases',
  description: "What the chat's customer has ordered before (products, order number, date, status), newest first: to suggest what goes with it and not what they already have.",
  schema: noArguments,
  effect: false,
  describe: () => 'this chat',
  async run(_args, ctx) {
    const orders = await chatOrders(ctx.db, ctx.chatId, 20);
    const purchases = orders.flatMap((o) =>
      o.items.map((i) => ({ sku: i.sku, name: i.name, quantity: i.quantity, unit_price_cents: i.priceCents, currency: o.currency, order_number: o.id, ordered_on: localDay(o.orderedAt, ctx), order_status: o.status })),
    );
    return done(
      { purchases, ...(purchases.length === 0 ? { note: 'no purchases for this chat' } : {}) },
      {
        effect: false,
        evidence: evidence({
          references: distinct(purchases.flatMap((p) => [p.order_number, p.sku])),
          amounts: purchases.map((p) => ({ cents: p.unit_price_cents, currency: p.currency })),
          dates: distinct(purchases.map((p) => p.ordered_on)),
          orderStatuses: distinct(purchases.map((p) => p.order_status)),
        }),
        detail: `${purchases.length} items`,
      },
    );
  },
});

const reserveProductTool = defineTool({
  name: 'reserve_product',
  description: 'Holds one unit of a product at the shop (12 Harbour Road) for 48 hours for this chat; the customer pays when picking it up. Returns the reservation reference.',
  schema: z.strictObject({ sku: z.string().trim().min(1).max(64).describe('The SKU from search_products') }),
  effect: true,
  describe: (a) => a.sku.toUpperCase(),
  async run(args, ctx) {
    const sku = args.sku.toUpperCase();
    const product = await ctx.db.getRepository(Product).findOneBy({ sku });
    if (!product) return failed(`no product with SKU ${sku}`, { hint: 'find it with search_products' });
    const order = await reserveProduct(ctx.db, { id: derivedNumber('RES-', ctx.key), chatId: ctx.chatId, sku, at: new Date(ctx.receivedAt) });
    if (!order) return failed(`${sku} is out of stock`, { message: outOfStockText(ctx.language) });
    return done(
      { reservation: { reference: order.id, sku, name: ctx.language === 'es' ? product.nameEs : product.name, price_cents: order.totalCents, currency: order.currency, status: order.status, held_for_hours: 48 } },
      {
        effect: true,
        evidence: evidence({ references: [order.id, sku], amounts: [{ cents: order.totalCents, currency: order.currency }], orderStatuses: [order.status] }),
        facts: { action: 'reserved', orderId: order.id, sku },
        confirmation: await reservationText(ctx.db, ctx.language, order),
        detail: order.id,
      },
    );
  },
});

export const CATALOG_TOOLS = [searchProducts, priceQuoteTool, acceptQuoteTool, listMyPurchases, reserveProductTool];
