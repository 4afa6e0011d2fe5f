import { DateTime } from 'luxon';
import { In, type DataSource } from 'typeorm';
import type { AgentInput, AgentOutcome } from '../../contracts';
import type { QuestionOption, ResolvedAnswer } from '../../domain/questions';
import { normalizeText } from '../../domain/text';
import { Order } from '../../persistence/entities/order.entity';
import { Product } from '../../persistence/entities/product.entity';
import { ReturnRequest } from '../../persistence/entities/return-request.entity';
import {
  RETURN_WINDOW_DAYS,
  cancelPendingOrder,
  findChatOrder,
  insertReturnRequest,
  latestChatOrder,
  orderCancelledText,
  orderNotCancellableText,
  returnEligibility,
  returnKindFor,
  returnOpenedText,
} from '../operations/orders';
import { inLanguage } from './language';
import { answerFor, askWhichText, clip, contextString, derivedId, numbered, productOptions } from './questions';

export { RETURN_WINDOW_DAYS } from '../operations/orders';

/** How much of the customer's original request a question keeps. */
const REASON_CHARS = 300;

function day(date: Date | string | null, language: string): string {
  if (!date) return '';
  return DateTime.fromJSDate(new Date(date)).setLocale(language === 'es' ? 'es' : 'en').toFormat(language === 'es' ? "d 'de' LLLL" : 'd LLLL');
}

/**
 * Order status and returns over the order tables. An order is found by the number the
 * customer gave, and only among the chat's own orders: a number from another customer is
 * "not found", never disclosed.
 *
 * Both agents ask for the order number when they cannot find the order, and the returns
 * agent asks whether to cancel an order not delivered yet and what is wrong with an item
 * past the return window; the answers come back with `input.answer` and are finished here.
 */
export function createOrderAgents(db: DataSource) {
  const orders = db.getRepository(Order);
  const returns = db.getRepository(ReturnRequest);
  const products = db.getRepository(Product);

  /**
   * The chat's orders a return could be about, as options: labelled by number, items and
   * status, named by the distinctive words of their items in English and Spanish ("the yoga
   * mat", "la esterilla").
   */
  async function orderOptions(candidates: Order[], lang: string): Promise<QuestionOption[]> {
    const catalog = await products.findBy({ sku: In(candidates.flatMap((o) => o.items.map((i) => i.sku))) });
    const words = productOptions(catalog, lang);
    const keywordsOf = (sku: string) => words.find((w) => w.value === sku)?.keywords ?? [];
    return candidates.map((o) => ({
      value: o.id,
      label: `${o.id} (${o.items.map((i) => `${i.quantity} × ${lang === 'es' ? (catalog.find((p) => p.sku === i.sku)?.nameEs ?? i.name) : i.name}`).join(', ')})`,
      keywords: [...new Set(o.items.flatMap((i) => keywordsOf(i.sku)))],
    }));
  }

  /** The option whose item words the text names best ("it's the yoga mat"); none on a tie. */
  function named(options: QuestionOption[], text: string): QuestionOption | undefined {
    const words = normalizeText(text);
    const scored = options
      .map((o) => ({ o, hits: (o.keywords ?? []).filter((k) => new RegExp(`\\b${k.replace(/s$/, '')}s?\\b`).test(words)).length }))
      .filter((x) => x.hits > 0)
      .sort((a, b) => b.hits - a.hits);
    return scored.length > 0 && (scored.length === 1 || scored[0].hits > scored[1].hits) ? scored[0].o : undefined;
  }

  /** "Which order is it about?" with the chat's orders numbered, keeping what the customer said. */
  function whichOrder(input: AgentInput, options: QuestionOption[], reason: string, again = false): AgentOutcome {
    const lang = input.triage.language;
    return {
      agent: 'returns',
      intent: input.intent,
      text: again
        ? askWhichText(lang, options)
        : inLanguage(lang, {
            en: `Which order is it about? ${numbered(options)}`,
            es: `¿De qué pedido se trata? ${numbered(options)}`,
          }),
      facts: { eligible: null, asked: 'order', orders: options.map((o) => o.value) },
      awaiting: { kind: 'choice', options, context: { reason } },
    };
  }

  async function findOrder(input: AgentInput, number?: string): Promise<{ order: Order | null; asked?: string }> {
    const asked = number ?? input.triage.entities.orderNumbers[0];
    if (asked) {
      const order = await findChatOrder(db, input.chatId, asked);
      return { order, asked };
    }
    const latest = await latestChatOrder(db, input.chatId);
    return { order: latest };
  }

  function notFound(input: AgentInput, asked: string | undefined, agent: 'order' | 'returns', reason?: string): AgentOutcome {
    const lang = input.triage.language;
    return {
      agent,
      intent: input.intent,
      text: asked
        ? inLanguage(lang, { en: `I couldn't find order ${asked} for this chat. Could you check the number on your confirmation email?`, es: `No encontré el pedido ${asked} para este chat. ¿Puedes revisar el número en tu correo de confirmación?` })
        : inLanguage(lang, { en: "I couldn't find any order for this chat. What is your order number?", es: 'No encontré pedidos para este chat. ¿Cuál es tu número de pedido?' }),
      facts: { found: false, asked: asked ?? null },
      awaiting: { kind: 'order_number', ...(reason !== undefined ? { context: { reason } } : {}) },
    };
  }

  /** "I need the order number…", asked again after an answer without one. */
  function askNumberAgain(input: AgentInput, agent: 'order' | 'returns', reason?: string): AgentOutcome {
    return {
      agent,
      intent: input.intent,
      text: inLanguage(input.triage.language, {
        en: 'Sorry, I need the order number to look it up (for example 45821). You will find it in your confirmation email.',
        es: 'Perdona, necesito el número de pedido para buscarlo (por ejemplo 45821). Lo encontrarás en tu correo de confirmación.',
      }),
      facts: { found: false, asked: null },
      awaiting: { kind: 'order_number', ...(reason !== undefined ? { context: { reason } } : {}) },
    };
  }

  function noNumber(input: AgentInput, agent: 'order' | 'returns'): AgentOutcome {
    return {
      agent,
      intent: input.intent,
      text: inLanguage(input.triage.language, {
        en: "No problem. You'll find the order number in your confirmation email; write to us when you have it.",
        es: 'Sin problema. Encontrarás el número de pedido en tu correo de confirmación; escríbenos cuando lo tengas.',
      }),
      facts: { found: false, asked: null, declined: true },
    };
  }

  function statusOutcome(input: AgentInput, order: Order): AgentOutcome {
    const lang = input.triage.language;
    const items = order.items.map((i) => `${i.quantity} × ${i.name}`).join(', ');
    const texts: Record<Order['status'], { en: string; es: string }> = {
      reserved: {
        en: `Order ${order.id} (${items}) is reserved for you at the shop, 12 Harbour Road: you can pick it up and pay there.`,
        es: `El pedido ${order.id} (${items}) está reservado para ti en la tienda, 12 Harbour Road: puedes recogerlo y pagarlo allí.`,
      },
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

  async function orderAgent(input: AgentInput): Promise<AgentOutcome> {
    const answer = answerFor(input, 'order', 'order_number');
    if (answer) {
      const { reading } = answer;
      if (reading.kind === 'no') return noNumber(input, 'order');
      const number = reading.kind === 'value' ? reading.value : input.triage.entities.orderNumbers[0];
      if (!number) return askNumberAgain(input, 'order');
      const { order } = await findOrder(input, number);
      return order ? statusOutcome(input, order) : notFound(input, number, 'order');
    }
    const { order, asked } = await findOrder(input);
    if (!order) return notFound(input, asked, 'order');
    return statusOutcome(input, order);
  }

  // ---- Returns ----

  function returnOpened(input: AgentInput, order: Order, request: ReturnRequest): AgentOutcome {
    return {
      agent: 'returns',
      intent: input.intent,
      text: returnOpenedText(input.triage.language, order, request),
      facts: { orderId: order.id, eligible: true, returnId: request.id, kind: request.kind },
    };
  }

  function insertRequest(request: ReturnRequest): Promise<ReturnRequest> {
    return insertReturnRequest(db, request);
  }

  /** The return flow for a found order: eligibility, then an RMA derived from the workflow id. */
  async function returnFor(input: AgentInput, order: Order, reason: string): Promise<AgentOutcome> {
    const lang = input.triage.language;
    if (order.status === 'cancelled') {
      return {
        agent: 'returns',
        intent: input.intent,
        text: inLanguage(lang, { en: `Order ${order.id} was cancelled, so there is nothing to return.`, es: `El pedido ${order.id} fue cancelado, así que no hay nada que devolver.` }),
        facts: { orderId: order.id, eligible: false, reason: 'cancelled' },
      };
    }
    const eligibility = returnEligibility(order, DateTime.fromISO(input.receivedAt));
    if (!eligibility.eligible && eligibility.reason === 'not_delivered') {
      const { cancellable } = eligibility;
      return {
        agent: 'returns',
        intent: input.intent,
        text: inLanguage(lang, {
          en: `Order ${order.id} hasn't been delivered yet, so it can't be returned. If you no longer want it, we can cancel it before it ships — just say so.`,
          es: `El pedido ${order.id} aún no se ha entregado, así que no se puede devolver. Si ya no lo quieres, podemos cancelarlo antes del envío: solo dínoslo.`,
        }),
        facts: { orderId: order.id, eligible: false, reason: 'not_delivered' },
        awaiting: cancellable ? { kind: 'confirm', context: { action: 'cancel_order', orderId: order.id } } : undefined,
      };
    }
    if (!eligibility.eligible) {
      const age = eligibility.daysSincePurchase;
      return {
        agent: 'returns',
        intent: input.intent,
        text: inLanguage(lang, {
          en: `Order ${order.id} was bought ${Math.floor(age)} days ago, past our ${RETURN_WINDOW_DAYS}-day return window. If the item is faulty, it may still be covered by the 1-year warranty — tell me what's wrong.`,
          es: `El pedido ${order.id} se compró hace ${Math.floor(age)} días, fuera del plazo de devolución de ${RETURN_WINDOW_DAYS} días. Si el artículo tiene un defecto, puede cubrirlo la garantía de 1 año: cuéntame qué ocurre.`,
        }),
        facts: { orderId: order.id, eligible: false, reason: 'window_passed', daysSincePurchase: Math.floor(age) },
        awaiting: { kind: 'details', context: { action: 'warranty', orderId: order.id } },
      };
    }
    const request = await insertRequest(
      returns.create({
        // Derived from the workflow id: a retry computes the same RMA number.
        id: derivedId('RMA-', input.workflowId),
        orderId: order.id,
        chatId: input.chatId,
        reason: reason.slice(0, 1000),
        kind: returnKindFor(reason),
        status: 'requested',
        workflowId: input.workflowId,
      }),
    );
    return returnOpened(input, order, request);
  }

  /** "Yes, cancel it": an order still being prepared is cancelled; one already on its way is not. */
  async function cancelOrder(input: AgentInput, orderId: string): Promise<AgentOutcome> {
    const lang = input.triage.language;
    const found = await orders.findOneBy({ id: orderId, chatId: input.chatId });
    if (!found) return notFound(input, orderId, 'returns');
    const order = await cancelPendingOrder(db, found);
    if (order.status === 'cancelled') {
      return {
        agent: 'returns',
        intent: input.intent,
        text: orderCancelledText(lang, order),
        facts: { orderId: order.id, action: 'cancelled', status: 'cancelled' },
      };
    }
    return {
      agent: 'returns',
      intent: input.intent,
      text: orderNotCancellableText(lang, order),
      facts: { orderId: order.id, action: 'not_cancelled', status: order.status },
    };
  }

  async function finishReturn(input: AgentInput, answer: ResolvedAnswer): Promise<AgentOutcome> {
    const lang = input.triage.language;
    const { question, reading } = answer;
    const action = contextString(answer, 'action');
    const orderId = contextString(answer, 'orderId');

    if (question.kind === 'order_number') {
      const reason = contextString(answer, 'reason');
      if (reading.kind === 'no') return noNumber(input, 'returns');
      const number = reading.kind === 'value' ? reading.value : input.triage.entities.orderNumbers[0];
      if (!number) return askNumberAgain(input, 'returns', reason);
      const { order } = await findOrder(input, number);
      if (!order) return notFound(input, number, 'returns', reason);
      return returnFor(input, order, reason ?? input.body);
    }

    if (question.kind === 'choice') {
      const reason = [contextString(answer, 'reason'), input.body].filter(Boolean).join(' — ');
      const options = question.options ?? [];
      if (reading.kind === 'no') return { agent: 'returns', intent: input.intent, text: inLanguage(lang, { en: 'No problem. Write to us whenever you want to return something.', es: 'Sin problema. Escríbenos cuando quieras devolver algo.' }), facts: { declined: true } };
      const picked = reading.kind === 'option' ? reading.option.value : (input.triage.entities.orderNumbers[0] ?? named(options, input.body)?.value);
      if (!picked) return whichOrder(input, options, contextString(answer, 'reason') ?? '', true);
      const { order } = await findOrder(input, picked);
      if (!order) return notFound(input, picked, 'returns', reason);
      return returnFor(input, order, reason);
    }

    if (question.kind === 'confirm' && action === 'cancel_order' && orderId) {
      if (reading.kind === 'yes') return cancelOrder(input, orderId);
      if (reading.kind === 'no') {
        return {
          agent: 'returns',
          intent: input.intent,
          text: inLanguage(lang, { en: `OK, order ${orderId} stays as it is.`, es: `De acuerdo, el pedido ${orderId} sigue como está.` }),
          facts: { orderId, action: 'kept' },
        };
      }
      return {
        agent: 'returns',
        intent: input.intent,
        text: inLanguage(lang, { en: `Shall I cancel order ${orderId}? Please reply yes or no.`, es: `¿Cancelo el pedido ${orderId}? Responde sí o no.` }),
        facts: { orderId, action: 'asked_again' },
        awaiting: { kind: 'confirm', context: { action: 'cancel_order', orderId } },
      };
    }

    if (question.kind === 'details' && action === 'warranty' && orderId) {
      const order = await orders.findOneBy({ id: orderId, chatId: input.chatId });
      if (!order) return notFound(input, orderId, 'returns');
      if (reading.kind === 'no') {
        return {
          agent: 'returns',
          intent: input.intent,
          text: inLanguage(lang, {
            en: 'No problem. If you notice a fault later, write to us: the 1-year warranty covers it.',
            es: 'Sin problema. Si notas algún fallo más adelante, escríbenos: la garantía de 1 año lo cubre.',
          }),
          facts: { orderId, action: 'declined' },
        };
      }
      if (reading.kind !== 'text' || input.body.trim().length < 2) {
        return {
          agent: 'returns',
          intent: input.intent,
          text: inLanguage(lang, { en: `What is wrong with the item from order ${orderId}?`, es: `¿Qué le pasa al artículo del pedido ${orderId}?` }),
          facts: { orderId, action: 'asked_again' },
          awaiting: { kind: 'details', context: { action: 'warranty', orderId } },
        };
      }
      const request = await insertRequest(
        returns.create({
          id: derivedId('RMA-', input.workflowId),
          orderId: order.id,
          chatId: input.chatId,
          reason: input.body.slice(0, 1000),
          kind: 'warranty',
          status: 'requested',
          workflowId: input.workflowId,
        }),
      );
      return returnOpened(input, order, request);
    }
    return returnsStart(input);
  }

  async function returnsStart(input: AgentInput): Promise<AgentOutcome> {
    if (!input.triage.entities.orderNumbers[0]) {
      // No number: with several orders, the one whose items the customer names, or the question which.
      const candidates = await orders.find({ where: { chatId: input.chatId, status: In(['reserved', 'processing', 'shipped', 'delivered']) }, order: { orderedAt: 'DESC' }, take: 5 });
      if (candidates.length > 1) {
        const options = await orderOptions(candidates, input.triage.language);
        const hit = named(options, input.body);
        if (hit) return returnFor(input, candidates.find((o) => o.id === hit.value)!, input.body);
        return whichOrder(input, options, clip(input.body, REASON_CHARS));
      }
    }
    const { order, asked } = await findOrder(input);
    if (!order) return notFound(input, asked, 'returns', clip(input.body, REASON_CHARS));
    return returnFor(input, order, input.body);
  }

  async function returnsAgent(input: AgentInput): Promise<AgentOutcome> {
    // A retry finds the request its first attempt opened.
    const existing = await returns.findOneBy({ workflowId: input.workflowId });
    if (existing) {
      const order = await orders.findOneBy({ id: existing.orderId });
      if (order) return returnOpened(input, order, existing);
    }
    const answer = answerFor(input, 'returns', 'order_number', 'confirm', 'details', 'choice');
    if (answer) return finishReturn(input, answer);
    return returnsStart(input);
  }

  return { orderAgent, returnsAgent };
}
