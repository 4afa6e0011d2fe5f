import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Order } from '../../persistence/entities/order.entity';
import { ReturnRequest } from '../../persistence/entities/return-request.entity';
import { formatMoney } from '../agents/money';
import { derivedId } from '../agents/questions';
import {
  RETURN_WINDOW_DAYS,
  cancelPendingOrder,
  chatOrders,
  findChatOrder,
  insertReturnRequest,
  isCancellable,
  orderCancelledText,
  returnEligibility,
  returnKindFor,
  returnOpenedText,
} from '../operations/orders';
import { noArguments, normalizeOrderNumber, orderNumber } from './schemas';
import { defineTool, distinct, done, evidence, failed, type ToolContext } from './tool';

/**
 * The order and returns agents' tools. Orders are looked up among the chat's own only: a
 * number another customer holds is "not found", exactly like a number nobody holds.
 * Cancelling an order always waits for a person; so does a refund above
 * `LLM_APPROVAL_REFUND_ABOVE`.
 */

const LISTED_ORDERS = 10;

function localDay(date: Date | string | null, ctx: ToolContext): string | null {
  return date ? DateTime.fromJSDate(new Date(date), { zone: ctx.deps.business.timezone }).toISODate() : null;
}

function orderView(order: Order, ctx: ToolContext) {
  const delivered = localDay(order.deliveredAt, ctx);
  return {
    order_number: order.id,
    status: order.status,
    items: order.items.map((i) => ({ sku: i.sku, name: i.name, quantity: i.quantity, unit_price_cents: i.priceCents })),
    total_cents: order.totalCents,
    currency: order.currency,
    ordered_on: localDay(order.orderedAt, ctx),
    shipped_on: localDay(order.shippedAt, ctx),
    delivered_on: delivered,
    estimated_delivery: localDay(order.estimatedDelivery, ctx),
    carrier: order.carrier,
    tracking_number: order.trackingNumber,
    ...(order.status === 'delivered'
      ? { return_window_ends: DateTime.fromJSDate(new Date(order.orderedAt), { zone: ctx.deps.business.timezone }).plus({ days: RETURN_WINDOW_DAYS }).toISODate() }
      : {}),
  };
}

function ordersEvidence(views: Array<ReturnType<typeof orderView>>) {
  return evidence({
    references: distinct(views.flatMap((v) => [v.order_number, v.tracking_number])),
    amounts: views.flatMap((v) => [{ cents: v.total_cents, currency: v.currency }, ...v.items.map((i) => ({ cents: i.unit_price_cents, currency: v.currency }))]),
    dates: distinct(views.flatMap((v) => [v.ordered_on, v.shipped_on, v.delivered_on, v.estimated_delivery, v.return_window_ends])),
    orderStatuses: distinct(views.map((v) => v.status)),
  });
}

function notFound(number: string) {
  return failed(`no order ${number} for this chat`, { hint: 'check the number with the customer; list_my_orders shows the orders of this chat' });
}

const listMyOrders = defineTool({
  name: 'list_my_orders',
  description: "The chat's orders, newest first: number, status, items, total (in cents), dates (YYYY-MM-DD), carrier and tracking number.",
  schema: noArguments,
  effect: false,
  describe: () => 'this chat',
  async run(_args, ctx) {
    const views = (await chatOrders(ctx.db, ctx.chatId, LISTED_ORDERS)).map((o) => orderView(o, ctx));
    return done(
      { orders: views, ...(views.length === 0 ? { note: 'no orders for this chat' } : {}) },
      { effect: false, evidence: ordersEvidence(views), detail: `${views.length} orders` },
    );
  },
});

const lookupOrder = defineTool({
  name: 'lookup_order',
  description: "One of the chat's orders by its number: status, items, total (in cents), dates (YYYY-MM-DD), carrier and tracking number.",
  schema: z.strictObject({ order_number: orderNumber }),
  effect: false,
  describe: (a) => normalizeOrderNumber(a.order_number),
  async run(args, ctx) {
    const number = normalizeOrderNumber(args.order_number);
    const order = await findChatOrder(ctx.db, ctx.chatId, number);
    if (!order) return notFound(number);
    const view = orderView(order, ctx);
    return done({ order: view }, { effect: false, evidence: ordersEvidence([view]), detail: order.status });
  },
});

const RETURN_KINDS = ['refund', 'exchange', 'warranty'] as const;

const startReturnSchema = z.strictObject({
  order_number: orderNumber,
  reason: z.string().trim().min(3).max(1000).describe("What is wrong, or why the customer returns it, in the customer's words"),
  kind: z
    .enum(RETURN_KINDS)
    .optional()
    .describe('refund (money back), exchange (another size or item) or warranty (a fault, also after the return window); read from the reason when absent'),
  items: z
    .array(z.string().trim().min(1).max(64))
    .min(1)
    .max(20)
    .optional()
    .describe('SKUs of the items returned when not the whole order'),
});
type StartReturnArgs = z.output<typeof startReturnSchema>;

/** The lines of the order the return is about: those named, or all; undefined names a SKU the order does not hold. */
function returnedLines(order: Order, items: string[] | undefined): { lines: Order['items'] } | { unknown: string } {
  if (!items) return { lines: order.items };
  const lines: Order['items'] = [];
  for (const sku of items) {
    const line = order.items.find((i) => i.sku.toUpperCase() === sku.toUpperCase());
    if (!line) return { unknown: sku };
    if (!lines.includes(line)) lines.push(line);
  }
  return { lines };
}

function refundCents(lines: Order['items']): number {
  return lines.reduce((sum, l) => sum + l.priceCents * l.quantity, 0);
}

function kindOf(args: StartReturnArgs): (typeof RETURN_KINDS)[number] {
  return args.kind ?? returnKindFor(args.reason);
}

const startReturn = defineTool({
  name: 'start_return',
  description: `Opens a return (RMA) for one of the chat's delivered orders, within the ${RETURN_WINDOW_DAYS}-day return window (a warranty claim also after it). Returns the RMA number. A refund above the approval limit waits for a person first.`,
  schema: startReturnSchema,
  effect: true,
  describe: (a) => `${normalizeOrderNumber(a.order_number)} ${kindOf(a)}${a.items ? ` (${a.items.join(', ')})` : ''}`,
  async approval(args, ctx) {
    if (kindOf(args) !== 'refund') return undefined;
    const order = await findChatOrder(ctx.db, ctx.chatId, normalizeOrderNumber(args.order_number));
    if (!order) return undefined;
    const returned = returnedLines(order, args.items);
    if (!('lines' in returned)) return undefined;
    // A refund that cannot happen fails at once (run says why); a person is asked only about one that would.
    if (order.status === 'cancelled' || !returnEligibility(order, DateTime.fromISO(ctx.receivedAt)).eligible) return undefined;
    const value = refundCents(returned.lines);
    const limit = ctx.deps.refundApprovalAboveCents;
    if (value <= limit) return undefined;
    return `a refund of ${formatMoney(value, order.currency, 'en')} is above ${formatMoney(limit, order.currency, 'en')}: a person approves it first`;
  },
  async run(args, ctx) {
    const number = normalizeOrderNumber(args.order_number);
    const order = await findChatOrder(ctx.db, ctx.chatId, number);
    if (!order) return notFound(number);
    const returned = returnedLines(order, args.items);
    if (!('lines' in returned)) return failed(`order ${order.id} has no item ${returned.unknown}`, { items: order.items.map((i) => ({ sku: i.sku, name: i.name })) });
    const kind = kindOf(args);
    if (order.status === 'cancelled') return failed(`order ${order.id} was cancelled, so there is nothing to return`, { status: order.status });
    const eligibility = returnEligibility(order, DateTime.fromISO(ctx.receivedAt));
    if (!eligibility.eligible && eligibility.reason === 'not_delivered') {
      return failed(`order ${order.id} has not been delivered yet (status ${order.status}), so it cannot be returned`, {
        status: order.status,
        ...(isCancellable(order) ? { hint: 'it can still be cancelled (cancel_order, with a person approving it)' } : {}),
      });
    }
    if (!eligibility.eligible && kind !== 'warranty') {
      return failed(`order ${order.id} was bought ${eligibility.daysSincePurchase} days ago, past the ${RETURN_WINDOW_DAYS}-day return window`, {
        hint: 'a faulty item may still be covered by the 1-year warranty: ask what is wrong, then start_return with kind warranty',
      });
    }
    const value = refundCents(returned.lines);
    const itemsNote = args.items ? ` [items: ${returned.lines.map((l) => l.sku).join(', ')}]` : '';
    const request = await insertReturnRequest(
      ctx.db,
      ctx.db.getRepository(ReturnRequest).create({
        id: derivedId('RMA-', ctx.key),
        orderId: order.id,
        chatId: ctx.chatId,
        reason: `${args.reason}${itemsNote}`.slice(0, 1000),
        kind,
        status: 'requested',
        workflowId: ctx.key,
      }),
    );
    const amounts = kind === 'warranty' ? [] : [{ cents: value, currency: order.currency }];
    return done(
      {
        return: {
          reference: request.id,
          order_number: order.id,
          kind: request.kind,
          status: request.status,
          items: returned.lines.map((l) => ({ sku: l.sku, name: l.name, quantity: l.quantity })),
          ...(kind === 'warranty' ? {} : { value_cents: value, currency: order.currency }),
        },
      },
      {
        effect: true,
        evidence: evidence({ references: [request.id, order.id], amounts, orderStatuses: [order.status] }),
        facts: { orderId: order.id, returnId: request.id, kind: request.kind, ...(kind === 'warranty' ? {} : { refundCents: value }) },
        confirmation: returnOpenedText(ctx.language, order, request),
        detail: request.id,
      },
    );
  },
});

const cancelOrder = defineTool({
  name: 'cancel_order',
  description:
    "Cancels one of the chat's orders that has not shipped yet (status processing or reserved); the refund goes back to the original payment method. A person always approves it first: tell the customer it is waiting for approval.",
  schema: z.strictObject({ order_number: orderNumber }),
  effect: true,
  describe: (a) => normalizeOrderNumber(a.order_number),
  async approval(args, ctx) {
    // Only a call that would cancel waits for a person; one that cannot fails at once.
    const order = await findChatOrder(ctx.db, ctx.chatId, normalizeOrderNumber(args.order_number));
    return order && isCancellable(order) ? `cancelling order ${order.id} needs a person's approval` : undefined;
  },
  async run(args, ctx) {
    const number = normalizeOrderNumber(args.order_number);
    const order = await findChatOrder(ctx.db, ctx.chatId, number);
    if (!order) return notFound(number);
    if (order.status === 'cancelled') return failed(`order ${order.id} is already cancelled`, { status: order.status });
    const after = await cancelPendingOrder(ctx.db, order);
    if (after.status !== 'cancelled') {
      return failed(`order ${order.id} is ${after.status}, so it can no longer be cancelled`, {
        status: after.status,
        hint: `once delivered it can be returned within ${RETURN_WINDOW_DAYS} days`,
      });
    }
    return done(
      { cancelled: { order_number: after.id, status: after.status, refund_cents: after.totalCents, currency: after.currency } },
      {
        effect: true,
        evidence: evidence({ references: [after.id], amounts: [{ cents: after.totalCents, currency: after.currency }], orderStatuses: ['cancelled'] }),
        facts: { orderId: after.id, action: 'cancelled', status: 'cancelled' },
        confirmation: orderCancelledText(ctx.language, after),
        detail: 'cancelled',
      },
    );
  },
});

export const ORDER_TOOLS = [listMyOrders, lookupOrder, startReturn, cancelOrder];
