import { DateTime } from 'luxon';
import { In } from 'typeorm';
import { Order } from '../../persistence/entities/order.entity';
import { ReturnRequest } from '../../persistence/entities/return-request.entity';
import { withSavepoint, type Db } from '../../persistence/transactions';
import { isUniqueViolation } from '../../persistence/unique-violation';
import { inLanguage } from '../agents/language';

/**
 * The chat's orders as both the rule agents and the tools see them: an order is found only
 * among the chat's own (another customer's number is "not found", never disclosed); a
 * return opens an RMA within the return window; an order still being prepared can be
 * cancelled, one on its way cannot.
 */

/** Days after purchase within which an unused item may be returned (knowledge base: returns-and-refunds). */
export const RETURN_WINDOW_DAYS = 30;

/** Statuses an order may be cancelled from. */
const CANCELLABLE: Order['status'][] = ['processing', 'reserved'];

const EXCHANGE = /\b(exchange|swap|different size|otra talla|cambiar|cambio)\b/i;

/** The chat's order with this number (upper-cased, as stored), or null. */
export function findChatOrder(db: Db, chatId: string, orderNumber: string): Promise<Order | null> {
  return db.getRepository(Order).findOneBy({ id: orderNumber.toUpperCase(), chatId });
}

/** The chat's most recent order, or null. */
export function latestChatOrder(db: Db, chatId: string): Promise<Order | null> {
  return db.getRepository(Order).findOne({ where: { chatId }, order: { orderedAt: 'DESC' } });
}

/** The chat's orders, newest first. */
export function chatOrders(db: Db, chatId: string, limit: number): Promise<Order[]> {
  return db.getRepository(Order).find({ where: { chatId }, order: { orderedAt: 'DESC' }, take: limit });
}

/** What kind of return a reason asks for: an exchange when it says so, otherwise a refund. */
export function returnKindFor(reason: string): 'refund' | 'exchange' {
  return EXCHANGE.test(reason) ? 'exchange' : 'refund';
}

export type ReturnEligibility =
  | { eligible: true }
  | { eligible: false; reason: 'not_delivered'; cancellable: boolean }
  | { eligible: false; reason: 'window_passed'; daysSincePurchase: number };

/** Whether `order` can be returned at `at`: delivered, and bought within the return window. */
export function returnEligibility(order: Order, at: DateTime): ReturnEligibility {
  if (order.status !== 'delivered' || !order.deliveredAt) {
    return { eligible: false, reason: 'not_delivered', cancellable: order.status === 'processing' || order.status === 'shipped' || order.status === 'reserved' };
  }
  const age = at.diff(DateTime.fromJSDate(new Date(order.orderedAt)), 'days').days;
  if (age > RETURN_WINDOW_DAYS) return { eligible: false, reason: 'window_passed', daysSincePurchase: Math.floor(age) };
  return { eligible: true };
}

/** Inserts the request; a retry (or a racing attempt) finds the row the first one wrote. */
export async function insertReturnRequest(db: Db, request: ReturnRequest): Promise<ReturnRequest> {
  try {
    await withSavepoint(db, (d) => d.getRepository(ReturnRequest).insert(request));
    return request;
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return (await db.getRepository(ReturnRequest).findOneBy({ workflowId: request.workflowId })) ?? request;
  }
}

/** What the customer is told when a return (or a warranty claim) is opened. */
export function returnOpenedText(language: string, order: Pick<Order, 'id'>, request: Pick<ReturnRequest, 'id' | 'kind'>): string {
  if (request.kind === 'warranty') {
    return inLanguage(language, {
      en: `Thank you. I've opened warranty claim ${request.id} for order ${order.id}. Our team will review it within two business days and tell you how we will repair or replace the item; please keep it and its packaging, and a photo of the fault helps.`,
      es: `Gracias. He abierto la reclamación de garantía ${request.id} del pedido ${order.id}. Nuestro equipo la revisará en dos días hábiles y te dirá cómo repararemos o cambiaremos el artículo; consérvalo con su embalaje, y una foto del fallo nos ayuda.`,
    });
  }
  return inLanguage(language, {
    en: `I've opened return ${request.id} for order ${order.id} (${request.kind}). Bring the unused item in its original packaging to 12 Harbour Road, or send it back quoting ${request.id} (return shipping is paid by the customer unless the product is faulty). Refunds go back to your original payment method 5–10 business days after we receive it.`,
    es: `He abierto la devolución ${request.id} del pedido ${order.id} (${request.kind === 'exchange' ? 'cambio' : 'reembolso'}). Trae el artículo sin usar en su embalaje original a 12 Harbour Road, o envíalo indicando ${request.id} (el envío de la devolución lo paga el cliente salvo que el producto sea defectuoso). El reembolso vuelve a tu método de pago original 5–10 días hábiles después de recibirlo.`,
  });
}

/** True when an order in this status may still be cancelled. */
export function isCancellable(order: Pick<Order, 'status'>): boolean {
  return CANCELLABLE.includes(order.status);
}

/**
 * Cancels the chat's order if it is still being prepared, and reads it again. Conditional:
 * an order that shipped a moment ago is left alone.
 */
export async function cancelPendingOrder(db: Db, order: Order): Promise<Order> {
  if (!isCancellable(order)) return order;
  const repo = db.getRepository(Order);
  await repo.update({ id: order.id, chatId: order.chatId, status: In(CANCELLABLE) }, { status: 'cancelled' });
  return (await repo.findOneBy({ id: order.id, chatId: order.chatId }))!;
}

/** "Done: order … is cancelled." */
export function orderCancelledText(language: string, order: Pick<Order, 'id'>): string {
  return inLanguage(language, {
    en: `Done: order ${order.id} is cancelled. The refund goes back to your original payment method within 5–10 business days.`,
    es: `Listo: el pedido ${order.id} queda cancelado. El reembolso vuelve a tu método de pago original en 5–10 días hábiles.`,
  });
}

/** "Order … has already shipped, so it can no longer be cancelled." */
export function orderNotCancellableText(language: string, order: Pick<Order, 'id'>): string {
  return inLanguage(language, {
    en: `Order ${order.id} has already shipped, so it can no longer be cancelled. Once it is delivered you can return it within ${RETURN_WINDOW_DAYS} days — just write to us.`,
    es: `El pedido ${order.id} ya salió, así que ya no se puede cancelar. Cuando lo recibas podrás devolverlo en un plazo de ${RETURN_WINDOW_DAYS} días: solo escríbenos.`,
  });
}
