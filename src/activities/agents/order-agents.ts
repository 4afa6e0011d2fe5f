import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { DataSource } from 'typeorm';
import type { AgentInput, AgentOutcome } from '../../contracts';
import { Order } from '../../persistence/entities/order.entity';
import { ReturnRequest } from '../../persistence/entities/return-request.entity';
import { isUniqueViolation } from '../deps';
import { inLanguage } from './language';

/** Days after purchase within which an unused item may be returned (knowledge base: returns-and-refunds). */
export const RETURN_WINDOW_DAYS = 30;

function day(date: Date | string | null, language: string): string {
  if (!date) return '';
  return DateTime.fromJSDate(new Date(date)).setLocale(language === 'es' ? 'es' : 'en').toFormat(language === 'es' ? "d 'de' LLLL" : 'd LLLL');
}

/**
 * Order status and returns over the order tables. An order is found by the number the
 * customer gave, and only among the chat's own orders: a number from another customer is
 * "not found", never disclosed.
 */
export function createOrderAgents(db: DataSource) {
  const orders = db.getRepository(Order);
  const returns = db.getRepository(ReturnRequest);

  async function findOrder(input: AgentInput): Promise<{ order: Order | null; asked?: string }> {
    const asked = input.triage.entities.orderNumbers[0];
    if (asked) {
      const order = await orders.findOneBy({ id: asked, chatId: input.chatId });
      return { order, asked };
    }
    const latest = await orders.findOne({ where: { chatId: input.chatId }, order: { orderedAt: 'DESC' } });
    return { order: latest };
  }

  function notFound(input: AgentInput, asked: string | undefined, agent: 'order' | 'returns'): AgentOutcome {
    const lang = input.triage.language;
    return {
      agent,
      intent: input.intent,
      text: asked
        ? inLanguage(lang, { en: `I couldn't find order ${asked} for this chat. Could you check the number on your confirmation email?`, es: `No encontré el pedido ${asked} para este chat. ¿Puedes revisar el número en tu correo de confirmación?` })
        : inLanguage(lang, { en: "I couldn't find any order for this chat. What is your order number?", es: 'No encontré pedidos para este chat. ¿Cuál es tu número de pedido?' }),
      facts: { found: false, asked: asked ?? null },
    };
  }

  async function orderAgent(input: AgentInput): Promise<AgentOutcome> {
    const lang = input.triage.language;
    const { order, asked } = await findOrder(input);
    if (!order) return notFound(input, asked, 'order');
    const items = order.items.map((i) => `${i.quantity} × ${i.name}`).join(', ');
    const texts: Record<Order['status'], { en: string; es: string }> = {
      processing: {
        en: `Order ${order.id} (${items}) is being prepared; we expect to deliver it by ${day(order.estimatedDelivery, 'en')}.`,
        es: `El pedido ${order.id} (${items}) se está preparando; esperamos entregarlo antes del ${day(order.estimatedDelivery, 'es')}.`,
      },
      shipped: {
        en: `Order ${order.id} (${items}) shipped on ${day(order.shippedAt, 'en')} with ${order.carrier}, tracking number ${order.trackingNumber}. Expected delivery: ${day(order.estimatedDelivery, 'en')}.`,
        es: `El pedido ${order.id} (${items}) salió el ${day(order.shippedAt, 'es')} con ${order.carrier}, número de seguimiento ${order.trackingNumber}. Entrega prevista: ${day(order.estimatedDelivery, 'es')}.`,
      },
      delivered: {
        en: `Order ${order.id} (${items}) was delivered on ${day(order.deliveredAt, 'en')}.`,
        es: `El pedido ${order.id} (${items}) se entregó el ${day(order.deliveredAt, 'es')}.`,
      },
      cancelled: { en: `Order ${order.id} was cancelled.`, es: `El pedido ${order.id} fue cancelado.` },
    };
    return {
      agent: 'order',
      intent: input.intent,
      text: inLanguage(lang, texts[order.status]),
      facts: { found: true, orderId: order.id, status: order.status, carrier: order.carrier, trackingNumber: order.trackingNumber },
    };
  }

  async function returnsAgent(input: AgentInput): Promise<AgentOutcome> {
    const lang = input.triage.language;
    const existing = await returns.findOneBy({ workflowId: input.workflowId });
    const { order, asked } = existing ? { order: await orders.findOneBy({ id: existing.orderId }), asked: existing.orderId } : await findOrder(input);
    if (!order) return notFound(input, asked, 'returns');

    if (!existing) {
      if (order.status !== 'delivered' || !order.deliveredAt) {
        return {
          agent: 'returns',
          intent: input.intent,
          text: inLanguage(lang, {
            en: `Order ${order.id} hasn't been delivered yet, so it can't be returned. If you no longer want it, we can cancel it before it ships — just say so.`,
            es: `El pedido ${order.id} aún no se ha entregado, así que no se puede devolver. Si ya no lo quieres, podemos cancelarlo antes del envío: solo dínoslo.`,
          }),
          facts: { orderId: order.id, eligible: false, reason: 'not_delivered' },
        };
      }
      const receivedAt = DateTime.fromISO(input.receivedAt);
      const age = receivedAt.diff(DateTime.fromJSDate(new Date(order.orderedAt)), 'days').days;
      if (age > RETURN_WINDOW_DAYS) {
        return {
          agent: 'returns',
          intent: input.intent,
          text: inLanguage(lang, {
            en: `Order ${order.id} was bought ${Math.floor(age)} days ago, past our ${RETURN_WINDOW_DAYS}-day return window. If the item is faulty, it may still be covered by the 1-year warranty — tell me what's wrong.`,
            es: `El pedido ${order.id} se compró hace ${Math.floor(age)} días, fuera del plazo de devolución de ${RETURN_WINDOW_DAYS} días. Si el artículo tiene un defecto, puede cubrirlo la garantía de 1 año: cuéntame qué ocurre.`,
          }),
          facts: { orderId: order.id, eligible: false, reason: 'window_passed', daysSincePurchase: Math.floor(age) },
        };
      }
    }
    const exchange = /\b(exchange|swap|different size|otra talla|cambiar|cambio)\b/i.test(input.body);
    const request =
      existing ??
      returns.create({
        // Derived from the workflow id: a retry computes the same RMA number.
        id: `RMA-${createHash('sha256').update(input.workflowId).digest('hex').slice(0, 8).toUpperCase()}`,
        orderId: order.id,
        chatId: input.chatId,
        reason: input.body.slice(0, 1000),
        kind: exchange ? 'exchange' : 'refund',
        status: 'requested',
        workflowId: input.workflowId,
      });
    if (!existing) {
      try {
        await returns.insert(request);
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
    }
    return {
      agent: 'returns',
      intent: input.intent,
      text: inLanguage(lang, {
        en: `I've opened return ${request.id} for order ${order.id} (${request.kind}). Bring the unused item in its original packaging to 12 Harbour Road, or send it back quoting ${request.id} (return shipping is paid by the customer unless the product is faulty). Refunds go back to your original payment method 5–10 business days after we receive it.`,
        es: `He abierto la devolución ${request.id} del pedido ${order.id} (${request.kind === 'exchange' ? 'cambio' : 'reembolso'}). Trae el artículo sin usar en su embalaje original a 12 Harbour Road, o envíalo indicando ${request.id} (el envío de la devolución lo paga el cliente salvo que el producto sea defectuoso). El reembolso vuelve a tu método de pago original 5–10 días hábiles después de recibirlo.`,
      }),
      facts: { orderId: order.id, eligible: true, returnId: request.id, kind: request.kind },
    };
  }

  return { orderAgent, returnsAgent };
}
