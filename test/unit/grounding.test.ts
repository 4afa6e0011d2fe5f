import {
  checkGrounding,
  claimsIn,
  evidenceFromFacts,
  evidenceFromText,
  isoWeekday,
  mergeEvidence,
  type Evidence,
} from '../../src/domain/grounding';

/**
 * Grounded replies: a text a model wrote for a customer may claim a booking, a reference, a
 * price, a date, a time or an order status only when a tool (or the rule agent's draft)
 * returned it. Each scenario below is a real draft of a rule agent, with the facts the agent
 * returned; each case is a text a model might send instead, in English or Spanish, and
 * whether it may go out. The evidence is built as `writeReply` builds it: the draft's claims
 * merged with the facts'.
 */

interface Scenario {
  draft?: string;
  facts?: Record<string, unknown>;
  /** Evidence a tool returned directly (the agent loop), besides draft and facts. */
  evidence?: Evidence;
}

function evidenceOf(s: Scenario): Evidence {
  return mergeEvidence(s.draft ? evidenceFromText(s.draft) : {}, s.facts ? evidenceFromFacts(s.facts) : {}, s.evidence ?? {});
}

// ---- The scenarios: what the rule agents write and return. 1 December 2026 is a Tuesday.

const BOOKED_EN: Scenario = {
  draft: "You're booked for a consultation on Tuesday 1 December, 10:00. Booking reference 3F2A9C1B. Reply here if you need to change it.",
  facts: { appointment: { action: 'booked', appointmentId: '3f2a9c1b-5d7e-4c2a-9b1f-0a1b2c3d4e5f', startsAt: '2026-12-01T09:00:00.000Z' } },
};
const BOOKED_ES: Scenario = {
  draft: 'Tu cita de consulta queda reservada para el martes 1 de diciembre, 10:00. Referencia 3F2A9C1B. Responde aquí si necesitas cambiarla.',
  facts: BOOKED_EN.facts,
};
const OFFERED_EN: Scenario = {
  draft:
    "I'd be happy to book an appointment for you. Available times: Tuesday 1 December, 10:00; Tuesday 1 December, 10:30; Tuesday 1 December, 11:00. Which one suits you?",
  facts: { appointment: { action: 'offered', offered: ['2026-12-01T10:00:00.000+01:00', '2026-12-01T10:30:00.000+01:00', '2026-12-01T11:00:00.000+01:00'] } },
};
const OFFERED_ES: Scenario = {
  draft:
    'Con gusto te reservo una cita. Horarios disponibles: martes 1 de diciembre, 10:00; martes 1 de diciembre, 10:30; martes 1 de diciembre, 11:00. ¿Cuál te viene bien?',
  facts: OFFERED_EN.facts,
};
const MOVED_EN: Scenario = {
  draft: 'Done: your appointment is now on Wednesday 2 December, 15:00. Booking reference 3F2A9C1B.',
  facts: { appointment: { action: 'moved', appointmentId: '3f2a9c1b-5d7e-4c2a-9b1f-0a1b2c3d4e5f', startsAt: '2026-12-02T14:00:00.000Z' } },
};
const CANCELLED_APPOINTMENT_ES: Scenario = {
  draft: 'Tu cita del martes 1 de diciembre, 10:00 queda cancelada. Escríbenos cuando quieras reservar de nuevo.',
  facts: { appointment: { action: 'cancelled', appointmentId: '3f2a9c1b-5d7e-4c2a-9b1f-0a1b2c3d4e5f' } },
};
const HOURS_EN: Scenario = {
  draft:
    'Our opening hours are Monday to Friday 9:00–18:00 and Saturday 10:00–14:00. The clinic and the shop keep the same hours. (Source: Opening hours)',
  facts: { inquiry: { articles: [{ id: 'opening-hours', title: 'Opening hours', score: 7.31 }], article: 'opening-hours' } },
};
const HOURS_ES: Scenario = {
  draft: 'Nuestro horario es de lunes a viernes de 9:00 a 18:00 y los sábados de 10:00 a 14:00. La clínica y la tienda tienen el mismo horario. (Fuente: Horario)',
  facts: { inquiry: { articles: [{ id: 'opening-hours', title: 'Horario', score: 6.2 }], article: 'opening-hours' } },
};
const PRICES_EN: Scenario = {
  draft:
    'Consultation: $60. A general wellness consultation with one of our practitioners, for a first visit or a new problem. Follow-up visit: $40. Physiotherapy session: $75 per session. (Source: Services and prices)',
  facts: { inquiry: { articles: [{ id: 'services-and-prices', title: 'Services and prices', score: 5.1 }] } },
};
const SHIPPED_EN: Scenario = {
  draft:
    'Order 45821 (1 × Pulse massage gun) shipped on 28 November with DHL, tracking number JD014600006281230. Expected delivery: 2 December.',
  facts: { order: { found: true, orderId: '45821', status: 'shipped', carrier: 'DHL', trackingNumber: 'JD014600006281230' } },
};
const SHIPPED_ES: Scenario = {
  draft:
    'El pedido 45821 (1 × Pulse massage gun) salió el 28 de noviembre con DHL, número de seguimiento JD014600006281230. Entrega prevista: 2 de diciembre.',
  facts: SHIPPED_EN.facts,
};
const PROCESSING_EN: Scenario = {
  draft: 'Order ORD-1234 (1 × Ergonomic memory-foam pillow) is being prepared; we expect to deliver it by 3 December.',
  facts: { order: { found: true, orderId: 'ORD-1234', status: 'processing', carrier: null, trackingNumber: null } },
};
const DELIVERED_ES: Scenario = {
  draft: 'El pedido 45790 (1 × Non-slip yoga mat, 1 × Resistance bands set) se entregó el 19 de noviembre.',
  facts: { order: { found: true, orderId: '45790', status: 'delivered', carrier: 'DHL', trackingNumber: 'JD014600006281001' } },
};
const QUOTE_EN: Scenario = {
  draft:
    'Quote Q-7C41D2E9: 20 × Non-slip yoga mat ($45.00), 20 × Resistance bands set ($25.00). Total $1,260.00 including a 10% volume discount, valid until 15 December. Reply "accept" to go ahead or ask me anything about it.',
  facts: { quote: { quoted: true, quoteId: 'Q-7C41D2E9', totalCents: 126000, currency: 'USD', discountPercent: 10 } },
};
const QUOTE_ES: Scenario = {
  draft:
    'Presupuesto Q-7C41D2E9: 20 × Non-slip yoga mat (45,00\u00a0US$), 20 × Resistance bands set (25,00\u00a0US$). Total 1260,00\u00a0US$ con un 10% de descuento por volumen, válido hasta el 15 de diciembre. Responde "acepto" para seguir o pregúntame lo que necesites.',
  facts: QUOTE_EN.facts,
};
const RETURN_EN: Scenario = {
  draft:
    "I've opened return RMA-8E21F04A for order 45790 (refund). Bring the unused item in its original packaging to 12 Harbour Road, or send it back quoting RMA-8E21F04A (return shipping is paid by the customer unless the product is faulty). Refunds go back to your original payment method 5–10 business days after we receive it.",
  facts: { returns: { orderId: '45790', eligible: true, returnId: 'RMA-8E21F04A', kind: 'refund' } },
};
const RESERVED_EN: Scenario = {
  draft:
    "Done: I've reserved the Pulse massage gun ($129.00) for you, reference RES-04718236. It is held at the shop, 12 Harbour Road, for 48 hours; you can pay when you pick it up.",
  facts: { recommendation: { action: 'reserved', orderId: 'RES-04718236', sku: 'MG-100' } },
};
const RESERVED_ES: Scenario = {
  draft:
    'Reserva hecha: Pistola de masaje Pulse (129,00\u00a0US$), referencia RES-04718236. Te guardamos la reserva en la tienda, 12 Harbour Road, durante 48 horas; puedes pagar al recogerla.',
  facts: RESERVED_EN.facts,
};
const REMINDER_EN: Scenario = {
  draft: "Done — I'll remind you on Thursday 3 December at 09:00.",
  facts: { reminder: { scheduled: true, reminderId: 'b1f0c2d3-0000-4000-8000-000000000001', remindAt: '2026-12-03T08:00:00.000Z' } },
};
const NO_ORDER_EN: Scenario = {
  draft: "I couldn't find any order for this chat. What is your order number?",
  facts: { order: { found: false, asked: null } },
};
const ORDER_CANCELLED_EN: Scenario = {
  draft: 'Done: order ORD-1234 is cancelled. The refund goes back to your original payment method within 5–10 business days.',
  facts: { returns: { orderId: 'ORD-1234', action: 'cancelled', status: 'cancelled' } },
};
const NOT_DELIVERED_EN: Scenario = {
  draft:
    "Order 45821 hasn't been delivered yet, so it can't be returned. If you no longer want it, we can cancel it before it ships — just say so.",
  facts: { returns: { orderId: '45821', eligible: false, reason: 'not_delivered' } },
};
const SHIPPING_EN: Scenario = {
  draft:
    'Standard shipping takes 3 to 5 business days and costs $6. Standard shipping is free on orders over $75. Express shipping takes 1 to 2 business days and costs $15. (Source: Shipping)',
};
/** The agent loop: a book tool returned its evidence, and no draft exists. */
const TOOL_BOOKED: Scenario = {
  evidence: { bookings: [{ reference: '3F2A9C1B', date: '2026-12-01', time: '10:00', status: 'booked' }], references: ['3F2A9C1B'] },
};
const TOOL_PRICES_EUR: Scenario = {
  evidence: { amounts: [{ cents: 4500, currency: 'EUR' }, { cents: 123456, currency: 'EUR' }], references: ['Q-7C41D2E9'] },
};
const ASK_NUMBER_ES: Scenario = {
  draft: 'Perdona, necesito el número de pedido para buscarlo (por ejemplo 45821). Lo encontrarás en tu correo de confirmación.',
  facts: { order: { found: false, asked: null } },
};

type Case = [scenario: Scenario, text: string, ok: boolean, problem?: RegExp];

/** Faithful rewordings, offers and questions: they go out as the model wrote them. */
const PASSING: Record<string, Case> = {
  // Bookings the tools made, in other words.
  'EN booking reworded': [BOOKED_EN, "All set! Your consultation is booked for Tuesday, 1 December at 10:00. Your booking reference is 3F2A9C1B — just reply here if anything changes.", true],
  'EN booking with am time': [BOOKED_EN, "Great news — you're booked in for Tuesday 1 December at 10am (ref 3F2A9C1B).", true],
  'EN booking with US date order': [BOOKED_EN, "You're confirmed for Tuesday, December 1st at 10 a.m. Booking reference: 3F2A9C1B.", true],
  'EN booking, ISO date': [BOOKED_EN, 'Your consultation on 2026-12-01 at 10:00 is confirmed, reference 3F2A9C1B.', true],
  'EN booking, lower-case reference': [BOOKED_EN, "I've booked your consultation for 1 December at 10:00. Reference: 3f2a9c1b.", true],
  'EN booking, "I can confirm"': [BOOKED_EN, "I can confirm you're booked for Tuesday 1 December at 10:00. Reference 3F2A9C1B.", true],
  'EN booking, no details repeated': [BOOKED_EN, "You're all booked! Let me know here if you need to change anything.", true],
  'EN booking, tomorrow wording': [BOOKED_EN, 'Perfect, your consultation is booked for tomorrow at 10:00. Booking reference 3F2A9C1B.', true],
  'ES booking reworded': [BOOKED_ES, '¡Listo! Tu cita quedó reservada para el martes 1 de diciembre a las 10:00. Tu referencia es 3F2A9C1B.', true],
  'ES booking, "a las 10 de la mañana"': [BOOKED_ES, 'Perfecto, tu consulta está confirmada para el martes 1 de diciembre a las 10 de la mañana. Referencia: 3F2A9C1B.', true],
  'ES booking, "10h"': [BOOKED_ES, 'Te he reservado la consulta el 1 de diciembre a las 10h. Referencia 3F2A9C1B.', true],
  'ES booking, "agendada"': [BOOKED_ES, 'Tu cita ya está agendada: martes 1 de diciembre, 10:00. Si necesitas cambiarla, escríbenos por aquí.', true],
  'ES booking from EN draft': [BOOKED_EN, 'Tu cita está confirmada para el martes 1 de diciembre a las 10:00. Referencia 3F2A9C1B.', true],
  'EN booking, tool evidence': [TOOL_BOOKED, "You're booked for Tuesday 1 December at 10:00. Your booking reference is 3F2A9C1B.", true],
  'ES booking, tool evidence': [TOOL_BOOKED, 'Tu cita queda para el martes 1 de diciembre a las 10:00 (referencia 3F2A9C1B).', true],
  'EN moved appointment': [MOVED_EN, "Done! I've moved your appointment to Wednesday 2 December at 3pm. Reference 3F2A9C1B.", true],
  'EN moved appointment, "rescheduled"': [MOVED_EN, "Your appointment has been rescheduled to Wednesday, December 2nd at 15:00 (reference 3F2A9C1B).", true],
  'ES cancelled appointment': [CANCELLED_APPOINTMENT_ES, 'Hecho, he cancelado tu cita del martes 1 de diciembre a las 10:00. Cuando quieras, reservamos otra.', true],
  // Offers and questions claim nothing.
  'EN offer of slots': [OFFERED_EN, 'Happy to book you in! I have Tuesday 1 December at 10:00, 10:30 or 11:00 — which works best?', true],
  'EN offer, "I can book you"': [OFFERED_EN, 'I can book you at 10:00 on Tuesday 1 December, or at 10:30 if that suits you better.', true],
  'EN question, "shall I book"': [OFFERED_EN, 'Shall I book 10:00 on Tuesday 1 December for you?', true],
  'EN question, "would you like it booked"': [OFFERED_EN, 'Would you like me to get 10:30 booked for you, or is 11:00 better?', true],
  'EN offer with pm times': [OFFERED_EN, 'We have free slots on Tuesday, December 1 at 10am, 10:30am and 11am. Which would you prefer?', true],
  'ES offer of slots': [OFFERED_ES, 'Con mucho gusto. Tengo libre el martes 1 de diciembre a las 10:00, 10:30 u 11:00. ¿Cuál prefieres?', true],
  'ES question, "¿te la dejo reservada?"': [OFFERED_ES, '¿Te dejo reservada la cita del martes 1 de diciembre a las 10:30?', true],
  'ES offer, "puedo reservarte"': [OFFERED_ES, 'Puedo reservarte el martes 1 de diciembre a las 11:00 si te viene bien.', true],
  'ES offer, conditional participle': [OFFERED_ES, 'Si me confirmas, tu cita quedará reservada para las 10:00 del martes 1 de diciembre.', true],
  'EN negation: not booked yet': [OFFERED_EN, "Nothing is booked yet — just tell me which time suits you: 10:00, 10:30 or 11:00 on Tuesday 1 December.", true],
  'EN negation: could not book': [OFFERED_EN, "I couldn't book that time, but Tuesday 1 December at 10:30 is free. Would that work?", true],
  'ES negation: no está confirmada': [OFFERED_ES, 'Tu cita todavía no está confirmada: dime qué hora prefieres, 10:00, 10:30 u 11:00.', true],
  'EN "fully booked" is not a booking': [OFFERED_EN, 'The morning is fully booked except 10:00, 10:30 and 11:00 on Tuesday 1 December. Which one would you like?', true],
  'EN a slot taken by someone else': [OFFERED_EN, 'Sorry, that time is already booked. I can offer 10:00, 10:30 or 11:00 on Tuesday 1 December instead.', true],
  // Knowledge-base answers.
  'EN opening hours reworded': [HOURS_EN, "We're open Monday to Friday from 9am to 6pm, and on Saturdays from 10am to 2pm. The clinic and shop share the same hours.", true],
  'EN opening hours, 24h clock': [HOURS_EN, 'You can visit us Monday–Friday 09:00–18:00 and Saturday 10:00–14:00.', true],
  'EN opening hours, bare answer': [HOURS_EN, "We're open on weekdays and Saturday mornings, and closed on Sundays.", true],
  'ES opening hours reworded': [HOURS_ES, 'Abrimos de lunes a viernes de 9:00 a 18:00 y los sábados de 10:00 a 14:00. ¡Te esperamos!', true],
  'ES opening hours, "de la tarde"': [HOURS_ES, 'Estamos abiertos de lunes a viernes desde las 9 de la mañana hasta las 6 de la tarde, y los sábados de 10:00 a 14:00.', true],
  'ES opening hours from EN draft': [HOURS_EN, 'Abrimos de lunes a viernes de 9:00 a 18:00 y los sábados de 10:00 a 14:00.', true],
  'EN prices reworded': [PRICES_EN, 'A consultation is $60, a follow-up visit $40, and a physiotherapy session $75.', true],
  'EN prices with cents': [PRICES_EN, 'Our prices: consultation $60.00, follow-up $40.00, physiotherapy $75.00 per session.', true],
  'EN prices spelled in words': [PRICES_EN, 'A consultation costs 60 dollars and a follow-up visit 40 dollars.', true],
  'ES prices from EN draft': [PRICES_EN, 'La consulta cuesta 60 US$, la consulta de seguimiento 40 US$ y la sesión de fisioterapia 75 US$.', true],
  'ES prices, USD code': [PRICES_EN, 'La consulta son 60 dólares y la fisioterapia USD 75 por sesión.', true],
  'EN shipping reworded': [SHIPPING_EN, 'Standard delivery takes 3–5 business days for $6 (free over $75); express takes 1–2 days for $15.', true],
  // Orders.
  'EN shipped order reworded': [SHIPPED_EN, 'Good news: order 45821 is on its way! It shipped on 28 November with DHL (tracking JD014600006281230) and should arrive by 2 December.', true],
  'EN shipped order, "dispatched"': [SHIPPED_EN, 'Your massage gun was dispatched on November 28th via DHL, tracking number JD014600006281230. Expect it around December 2nd.', true],
  'EN shipped order, "in transit"': [SHIPPED_EN, 'Order #45821 is in transit with DHL — tracking JD014600006281230, expected 2 December.', true],
  'ES shipped order reworded': [SHIPPED_ES, 'Tu pedido 45821 ya está en camino: salió el 28 de noviembre con DHL (seguimiento JD014600006281230) y llegará hacia el 2 de diciembre.', true],
  'ES shipped order, "enviado"': [SHIPPED_ES, 'El pedido nº 45821 fue enviado el 28 de noviembre por DHL. Número de seguimiento: JD014600006281230.', true],
  'EN processing order reworded': [PROCESSING_EN, "Order ORD-1234 is being processed and we expect to deliver your pillow by 3 December.", true],
  'EN processing order, promise is no claim': [PROCESSING_EN, 'Your pillow (order ORD-1234) is being prepared and will be delivered by December 3.', true],
  'ES delivered order reworded': [DELIVERED_ES, 'Tu pedido 45790 fue entregado el 19 de noviembre.', true],
  'ES delivered order, "ha llegado"': [DELIVERED_ES, 'El pedido 45790 ya ha llegado: se entregó el 19 de noviembre.', true],
  'EN order not found, question': [NO_ORDER_EN, "I couldn't find an order linked to this chat. Could you send me your order number?", true],
  'EN not delivered, negated': [NOT_DELIVERED_EN, "Order 45821 hasn't been delivered yet, so it can't be returned right now — but we can still cancel it before it ships if you like.", true],
  'EN order cancelled reworded': [ORDER_CANCELLED_EN, "Done — order ORD-1234 has been cancelled, and your refund will reach your original payment method within 5–10 business days.", true],
  'ES example order number': [ASK_NUMBER_ES, 'Necesito tu número de pedido (por ejemplo, el pedido 45821) para buscarlo; lo tienes en el correo de confirmación.', true],
  // Quotes, returns, reservations, reminders.
  'EN quote reworded': [QUOTE_EN, 'Here is quote Q-7C41D2E9: 20 yoga mats at $45 each and 20 resistance band sets at $25 each. With the 10% volume discount, the total is $1,260, valid until December 15.', true],
  'EN quote, id without prefix': [QUOTE_EN, 'Your quote (7C41D2E9) comes to $1260.00 in total, valid until 15 December.', true],
  'ES quote reworded': [QUOTE_ES, 'Tu presupuesto Q-7C41D2E9: 20 esterillas a 45,00 US$ y 20 sets de bandas a 25,00 US$. Total: 1.260,00 US$, válido hasta el 15 de diciembre.', true],
  'ES quote, dollar sign': [QUOTE_ES, 'Presupuesto Q-7C41D2E9 por un total de $1,260.00 (10% de descuento), válido hasta el 15 de diciembre.', true],
  'EUR: the same price in another format': [TOOL_PRICES_EUR, 'El total es de 1.234,56 € (esterilla a 45 euros).', true],
  'EUR: the same price, English format': [TOOL_PRICES_EUR, 'The total is €1,234.56, with the mat at EUR 45.00.', true],
  'EN return reworded': [RETURN_EN, "I've opened return RMA-8E21F04A for order 45790. Please bring the unused item in its original packaging to 12 Harbour Road, or post it back quoting RMA-8E21F04A. Your refund arrives 5–10 business days after we receive it.", true],
  'EN reservation reworded': [RESERVED_EN, "I've reserved the Pulse massage gun for you ($129) — reference RES-04718236. It's held at 12 Harbour Road for 48 hours and you can pay on pickup.", true],
  'ES reservation reworded': [RESERVED_ES, 'Listo, te he reservado la pistola de masaje Pulse (129 US$), referencia RES-04718236. Te la guardamos 48 horas en la tienda de 12 Harbour Road.', true],
  'EN reminder reworded': [REMINDER_EN, "Sure thing! I'll remind you on Thursday, December 3rd at 9am.", true],
  'EN reminder, 24h': [REMINDER_EN, 'Reminder set: Thursday 3 December at 09:00.', true],
  // Texts without claims.
  'EN small talk': [HOURS_EN, 'Thanks for reaching out! Let me know if there is anything else I can help with.', true],
  'ES small talk': [HOURS_ES, '¡Gracias por escribirnos! Si necesitas algo más, aquí estoy.', true],
  'EN weekday alone is no date': [HOURS_EN, 'We are closed on Sundays, but you can come by on Saturday morning.', true],
  'EN durations are not times': [RETURN_EN, 'You have 30 days to return unused items, and refunds take 5–10 business days. Our chat answers 24/7.', true],
  'EN percentages and quantities': [QUOTE_EN, 'The 10% discount applies from 20 units, so your 40 items qualify.', true],
};

/** Texts that claim what no tool returned: the draft goes out instead. */
const FAILING: Record<string, Case> = {
  // The incident: a booking claimed in answer to a question about opening hours.
  'EN booking invented for an hours question': [HOURS_EN, 'Your massage is booked for tomorrow at 10:00, booking reference 3F2A9C1B. See you then!', false, /claims a booking but no booking was made/],
  'EN booking invented, reference named': [HOURS_EN, "We're open 9:00–18:00. I've also booked you in for Saturday at 10:00 — reference ZZ12AB34.", false, /names reference ZZ12AB34 that no tool returned/],
  'ES booking invented for an hours question': [HOURS_ES, 'Abrimos de 9:00 a 18:00. Tu cita está confirmada para mañana a las 10:00.', false, /claims a booking but no booking was made/],
  'ES "he reservado" without a booking': [HOURS_ES, 'Te he reservado una cita el sábado a las 10:00.', false, /claims a booking/],
  'ES "reservé" without a booking': [OFFERED_ES, 'Te reservé el martes 1 de diciembre a las 10:30.', false, /claims a booking/],
  'ES "agendada" without a booking': [OFFERED_ES, 'Tu cita quedó agendada para el martes 1 de diciembre a las 10:00.', false, /claims a booking/],
  'ES "tu cita queda para" without a booking': [OFFERED_ES, 'Perfecto, tu cita queda para el martes 1 de diciembre a las 11:00.', false, /claims a booking/],
  'ES "confirmada" without a booking': [PRICES_EN, 'Cita confirmada: consulta general por 60 US$.', false, /claims a booking/],
  'EN offer turned into a booking': [OFFERED_EN, "You're booked for Tuesday 1 December at 10:00!", false, /claims a booking but no booking was made/],
  'EN "I\'ve scheduled" after an offer': [OFFERED_EN, "I've scheduled your consultation for Tuesday 1 December at 10:30.", false, /claims a booking/],
  'EN "booking confirmed" after an offer': [OFFERED_EN, 'Booking confirmed: Tuesday 1 December, 11:00.', false, /claims a booking/],
  'EN "your appointment is on" after an offer': [OFFERED_EN, 'Your appointment is on Tuesday 1 December at 10:00.', false, /claims a booking/],
  'EN "it\'s booked" after a question': [NO_ORDER_EN, "It's booked! Anything else?", false, /claims a booking/],
  // Bookings with the wrong details.
  'EN booking, wrong time': [BOOKED_EN, "You're booked for Tuesday 1 December at 11:00. Booking reference 3F2A9C1B.", false, /claims a booking at 11:00 but the booking made is at 10:00/],
  'EN booking, wrong day': [BOOKED_EN, "You're booked for Wednesday 2 December at 10:00. Reference 3F2A9C1B.", false, /claims a booking on Wednesday 2 December/],
  'EN booking, pm instead of am': [BOOKED_EN, 'Your consultation is confirmed for 1 December at 10pm (ref 3F2A9C1B).', false, /at 22:00/],
  'ES booking, wrong time': [BOOKED_ES, 'Tu cita está reservada para el martes 1 de diciembre a las 11:30. Referencia 3F2A9C1B.', false, /claims a booking at 11:30/],
  'ES booking, wrong day': [BOOKED_ES, 'Tu cita queda reservada para el miércoles 2 de diciembre a las 10:00.', false, /claims a booking on Wednesday 2 December/],
  'EN tool booking, wrong time': [TOOL_BOOKED, "You're booked for 1 December at 10:30 (reference 3F2A9C1B).", false, /claims a booking at 10:30/],
  'EN tool booking, weekday wrong for the date': [TOOL_BOOKED, "You're booked for Wednesday 1 December at 10:00.", false, /Wednesday 1 December/],
  'EN moved, old time kept': [MOVED_EN, "I've moved your appointment to Wednesday 2 December at 10:00.", false, /claims a booking at 10:00/],
  'EN booking, offered slot that was not booked': [mergeScenarios(OFFERED_EN, BOOKED_EN), "You're booked for Tuesday 1 December at 11:00, reference 3F2A9C1B.", false, /claims a booking at 11:00/],
  // References no tool returned.
  'EN invented booking reference': [BOOKED_EN, "You're booked for Tuesday 1 December at 10:00. Booking reference ZZ12AB34.", false, /names reference ZZ12AB34 that no tool returned/],
  'EN reference with one character changed': [BOOKED_EN, "You're booked for Tuesday 1 December at 10:00. Booking reference 3F2A9C1C.", false, /names reference 3F2A9C1C/],
  'EN invented order number': [SHIPPED_EN, 'Order 45812 shipped on 28 November with DHL.', false, /names reference 45812/],
  'EN invented tracking number': [SHIPPED_EN, 'Order 45821 shipped on 28 November, tracking number JD014600006289999.', false, /names reference JD014600006289999/],
  'EN invented RMA': [RETURN_EN, "I've opened return RMA-8E21F04B for order 45790.", false, /names reference RMA-8E21F04B/],
  'EN prefix added to a reference': [BOOKED_EN, "You're booked for Tuesday 1 December at 10:00, reference RMA-3F2A9C1B.", false, /names reference RMA-3F2A9C1B/],
  'EN invented quote id': [QUOTE_EN, 'Quote Q-7C41D2E8 comes to $1,260.00.', false, /names reference Q-7C41D2E8/],
  'EN invented reservation': [recommendationNone(), "I've put the massage gun aside for you, reference RES-12345678.", false, /names reference RES-12345678/],
  'ES invented reference': [HOURS_ES, 'Tu número de pedido es el 99871; abrimos de 9:00 a 18:00.', false, /names reference 99871/],
  'ES invented localizador': [BOOKED_ES, 'Tu cita del martes 1 de diciembre a las 10:00 está confirmada, localizador AB12CD34.', false, /names reference AB12CD34/],
  'EN hash order number': [NO_ORDER_EN, 'I found order #78812 but it belongs to another chat.', false, /names reference 78812/],
  // Prices no tool returned.
  'EN price invented for a booking': [BOOKED_EN, "You're booked for Tuesday 1 December at 10:00 (ref 3F2A9C1B). The consultation costs €45.00.", false, /names price €45\.00 that no tool returned/],
  'EN price in the wrong currency': [PRICES_EN, 'A consultation is €60 and a follow-up €40.', false, /names price €60\.00/],
  'EN price changed': [PRICES_EN, 'A consultation is $65 and a follow-up visit $40.', false, /names price \$65\.00/],
  'EN discount computed by the model': [QUOTE_EN, 'Quote Q-7C41D2E9: $1,400.00 before the discount, $1,260.00 after it.', false, /names price \$1400\.00/],
  'EN unit price invented': [QUOTE_EN, 'That is $40.50 per yoga mat, $1,260 in total.', false, /names price \$40\.50/],
  'ES price invented': [HOURS_ES, 'Abrimos de 9:00 a 18:00 y la consulta cuesta 50 €.', false, /names price €50\.00/],
  'ES Spanish thousands invented': [QUOTE_ES, 'El total del presupuesto Q-7C41D2E9 es de 1.400,00 US$.', false, /names price \$1400\.00/],
  'ES "euros" invented': [PRICES_EN, 'La fisioterapia cuesta 80 euros por sesión.', false, /names price €80\.00/],
  'EN shipping price invented': [SHIPPING_EN, 'Express shipping costs $12 and takes 1 to 2 business days.', false, /names price \$12\.00/],
  // Dates and times no tool returned.
  'EN hours with a wrong closing time': [HOURS_EN, "We're open Monday to Friday 9am–7pm and Saturday 10am–2pm.", false, /names time 19:00 that no tool returned/],
  'EN hours with Sunday hours invented': [HOURS_EN, "We're open 9:00–18:00 on weekdays and 11:00–15:00 on Sundays.", false, /names time 11:00/],
  'ES hours with a wrong time': [HOURS_ES, 'Abrimos de lunes a viernes de 8:30 a 18:00.', false, /names time 08:30/],
  'ES "a las 8 de la tarde"': [HOURS_ES, 'Cerramos a las 8 de la tarde de lunes a viernes.', false, /names time 20:00/],
  'EN offered time invented': [OFFERED_EN, 'I have Tuesday 1 December at 10:00, 10:30, 11:00 or 12:30. Which one suits you?', false, /names time 12:30/],
  'EN offered date invented': [OFFERED_EN, 'I also have Thursday 3 December at 10:00 if Tuesday does not work.', false, /names date Thursday 3 December/],
  'EN wrong delivery date': [SHIPPED_EN, 'Order 45821 shipped on 28 November and should arrive on 4 December.', false, /names date 4 December/],
  'ES wrong delivery date': [SHIPPED_ES, 'Tu pedido 45821 salió el 28 de noviembre y llegará el 5 de diciembre.', false, /names date 5 December/],
  'EN wrong quote validity': [QUOTE_EN, 'Quote Q-7C41D2E9 is valid until 31 December.', false, /names date 31 December/],
  'ES wrong reminder time': [REMINDER_EN, 'Te lo recordaré el jueves 3 de diciembre a las 10:00.', false, /names time 10:00/],
  'EN numeric date invented': [HOURS_EN, 'We are closed on 24/12/2026 for the holidays.', false, /names date 24 December 2026/],
  // Order statuses no tool returned.
  'EN delivered claimed for a shipped order': [SHIPPED_EN, 'Order 45821 was delivered on 28 November.', false, /says an order is delivered but no tool returned that status/],
  'EN shipped claimed for an order being prepared': [PROCESSING_EN, 'Order ORD-1234 has shipped and will arrive by 3 December.', false, /says an order is shipped/],
  'EN cancelled claimed for a shipped order': [SHIPPED_EN, 'Order 45821 has been cancelled.', false, /says an order is cancelled/],
  'ES entregado claimed for a shipped order': [SHIPPED_ES, 'Tu pedido 45821 ya fue entregado.', false, /says an order is delivered/],
  'ES en camino claimed for an order not found': [NO_ORDER_EN, 'Tu pedido ya está en camino.', false, /says an order is shipped/],
  'ES cancelado claimed without a tool': [NOT_DELIVERED_EN, 'Listo, el pedido 45821 queda cancelado.', false, /says an order is cancelled/],
  'EN status invented on a return': [NOT_DELIVERED_EN, "Order 45821 is still being prepared, so it can't be returned yet.", false, /says an order is processing/],
  'EN "arrived" in an order sentence': [PROCESSING_EN, 'Good news, your order ORD-1234 has arrived!', false, /says an order is delivered/],
  // Several problems at once: every one is named.
  'EN several inventions': [HOURS_EN, "I've booked your massage for Friday 4 December at 16:30 for €55, reference QX99ZZ11.", false, /claims a booking but no booking was made/],
};

/** A recommendation that reserved nothing: the products were only suggested. */
function recommendationNone(): Scenario {
  return {
    draft: 'My suggestions: Pulse massage gun ($129.00); High-density foam roller ($35.00). Want me to reserve one for you?',
    facts: { recommendation: { recommended: ['MG-100', 'FR-200'], basedOnPurchases: [] } },
  };
}

function mergeScenarios(...scenarios: Scenario[]): Scenario {
  return { evidence: mergeEvidence(...scenarios.map(evidenceOf)) };
}

describe('checkGrounding: what a model-written reply may claim', () => {
  const all = { ...PASSING, ...FAILING };

  it('holds a table of at least 120 customer-facing replies, English and Spanish, passing and failing', () => {
    expect(Object.keys(all).length).toBeGreaterThanOrEqual(120);
    expect(Object.values(all).filter(([, , ok]) => ok).length).toBeGreaterThanOrEqual(50);
    expect(Object.values(all).filter(([, , ok]) => !ok).length).toBeGreaterThanOrEqual(50);
  });

  it.each(Object.entries(all))('%s', (_name, [scenario, text, ok, problem]) => {
    const result = checkGrounding(text, evidenceOf(scenario));
    if (ok) expect(result).toEqual({ ok: true, problems: [] });
    else {
      expect(result.ok).toBe(false);
      if (problem) expect(result.problems.join('\n')).toMatch(problem);
    }
  });

  it('names every problem of a text once, in short sentences', () => {
    const result = checkGrounding(FAILING['EN several inventions'][1], evidenceOf(HOURS_EN));
    expect(result.problems).toEqual([
      'claims a booking but no booking was made',
      'names reference QX99ZZ11 that no tool returned',
      'names price €55.00 that no tool returned',
      'names date Friday 4 December that no tool returned',
      'names time 16:30 that no tool returned',
    ]);
  });

  it('passes every draft against its own evidence', () => {
    const scenarios = [BOOKED_EN, BOOKED_ES, OFFERED_EN, OFFERED_ES, MOVED_EN, CANCELLED_APPOINTMENT_ES, HOURS_EN, HOURS_ES, PRICES_EN, SHIPPED_EN, SHIPPED_ES, PROCESSING_EN, DELIVERED_ES, QUOTE_EN, QUOTE_ES, RETURN_EN, RESERVED_EN, RESERVED_ES, REMINDER_EN, NO_ORDER_EN, ORDER_CANCELLED_EN, NOT_DELIVERED_EN, SHIPPING_EN, ASK_NUMBER_ES];
    for (const s of scenarios) expect({ draft: s.draft, ...checkGrounding(s.draft!, evidenceOf(s)) }).toEqual({ draft: s.draft, ok: true, problems: [] });
  });

  it('passes a text with no claims against empty evidence, and fails every kind of claim against it', () => {
    expect(checkGrounding('Thanks! Anything else I can help with?', {})).toEqual({ ok: true, problems: [] });
    expect(checkGrounding('Order 45821 was delivered on 2 December at 10:00 for $12.', {}).problems).toHaveLength(5);
  });
});

describe('claimsIn: the formats read', () => {
  const amounts = (text: string) => claimsIn(text).amounts.map((a) => `${a.currency} ${a.cents}`);
  const dates = (text: string) => claimsIn(text).dates.map((d) => `${d.date}${d.weekday ? ` w${d.weekday}` : ''}`);
  const times = (text: string) => claimsIn(text).times.map((t) => [t.time, ...t.alternatives].join('|'));
  const references = (text: string) => claimsIn(text).references.map((r) => r.reference);
  const statuses = (text: string) => claimsIn(text).orderStatuses.map((s) => s.status);
  const booked = (text: string) => claimsIn(text).bookings.length > 0;

  it.each([
    ['It costs €12.50.', ['EUR 1250']],
    ['It costs 12,50 €.', ['EUR 1250']],
    ['It costs EUR 12.50.', ['EUR 1250']],
    ['It costs 12.50 EUR.', ['EUR 1250']],
    ['It costs $12.', ['USD 1200']],
    ['It costs 12 euros.', ['EUR 1200']],
    ['Son 1.234,56 € en total.', ['EUR 123456']],
    ['That is $1,234.56 in total.', ['USD 123456']],
    ['Total 129,00\u00a0US$.', ['USD 12900']],
    ['Cuesta 35 dólares.', ['USD 3500']],
    ['From $40 to $75.', ['USD 4000', 'USD 7500']],
    ['£20 or 20 pounds.', ['GBP 2000', 'GBP 2000']],
    ['A 10% discount on 20 units, 5–10 days.', []],
  ])('amounts in %j', (text, expected) => expect(amounts(text)).toEqual(expected));

  it.each([
    ['See you on 2026-12-01.', ['2026-12-01']],
    ['Tuesday 1 December', ['--12-01 w2']],
    ['on December 1st', ['--12-01']],
    ['on Tuesday, December 1st, 2026', ['2026-12-01 w2']],
    ['el martes 1 de diciembre', ['--12-01 w2']],
    ['el 1 de diciembre de 2026', ['2026-12-01']],
    ['on the 1st of December', ['--12-01']],
    ['el sábado 5 de dic.', ['--12-05 w6']],
    ['on 01/12/2026', ['2026-12-01']],
    ['el 1/12', ['--12-01']],
    ['on May 5', ['--05-05']],
    ['items may 5 times', []],
    ['tomorrow, on Tuesday, mañana, el martes', []],
    ['open 24/7, 30-day returns, 1-year warranty', []],
  ])('dates in %j', (text, expected) => expect(dates(text)).toEqual(expected));

  it.each([
    ['at 10:00', ['10:00|22:00']],
    ['at 09:00', ['09:00']],
    ['at 10am', ['10:00']],
    ['at 10 a.m.', ['10:00']],
    ['at 10:30 pm', ['22:30']],
    ['at 12pm and 12am', ['12:00', '00:00']],
    ['a las 10', ['10:00|22:00']],
    ['a las 5 de la tarde', ['17:00']],
    ['a las 10 de la noche', ['22:00']],
    ['10 de la mañana', ['10:00']],
    ['a las 10h', ['10:00|22:00']],
    ['de 9h a 14h', ['09:00', '14:00']],
    ['9:00–18:00', ['09:00|21:00', '18:00']],
    ['at 3 tomorrow', ['03:00|15:00']],
    ['at 10 in the morning', ['10:00']],
    ['at noon', ['12:00']],
    ['in 2 hours, within 48h, 24h support, 5 minutes early', []],
  ])('times in %j', (text, expected) => expect(times(text)).toEqual(expected));

  it.each([
    ['Booking reference 3F2A9C1B.', ['3F2A9C1B']],
    ['Return RMA-8E21F04A, quote Q-7C41D2E9.', ['RMA-8E21F04A', 'Q-7C41D2E9']],
    ['Reservation RES-04718236.', ['RES-04718236']],
    ['Order 45821 and order ORD-1234.', ['45821', 'ORD-1234']],
    ['Pedido n.º 45821.', ['45821']],
    ['Order #45821.', ['45821']],
    ['Tracking PQ4F6P0702345670108001X.', ['PQ4F6P0702345670108001X']],
    ['reference abc12345', ['ABC12345']],
    ['12 Harbour Road, 48 hours, 2026, 10000 steps, E4 error, COVID', []],
    ['Call +34 600 111 222 or 600111222.', []],
  ])('references in %j', (text, expected) => expect(references(text)).toEqual(expected));

  it.each([
    ['Your order shipped yesterday.', ['shipped']],
    ['Your order has been dispatched.', ['shipped']],
    ['It is out for delivery.', ['shipped']],
    ['Your parcel is on the way.', ['shipped']],
    ['Tu pedido salió ayer.', ['shipped']],
    ['El paquete está en reparto.', ['shipped']],
    ['It was delivered on Monday.', ['delivered']],
    ['Se entregó el lunes.', ['delivered']],
    ['Your order is being prepared.', ['processing']],
    ['Tu pedido se está preparando.', ['processing']],
    ['Order 45821 is cancelled.', ['cancelled']],
    ['El pedido fue anulado.', ['cancelled']],
    ["It hasn't shipped yet.", []],
    ['It will be delivered by Friday.', []],
    ['Has it been delivered?', []],
    ['¿Ya se entregó?', []],
    ['It can no longer be cancelled.', []],
    ['We sent you an email.', []],
    ['Shipping is free over $75.', []],
  ])('order statuses in %j', (text, expected) => expect(statuses(text)).toEqual(expected));

  it.each([
    ["You're booked.", true],
    ['You are all booked in.', true],
    ["I've booked your consultation.", true],
    ['Your appointment is confirmed.', true],
    ['Booking confirmed!', true],
    ['Confirmed: Tuesday at 10:00.', true],
    ['Your session is scheduled for Friday.', true],
    ['Your appointment is now on Friday.', true],
    ['Booking reference 3F2A9C1B.', true],
    ['Reservado.', true],
    ['Tu cita queda reservada.', true],
    ['Tu cita está confirmada.', true],
    ['Tu cita está para el martes.', true],
    ['He reservado tu cita.', true],
    ['Te reservé la cita.', true],
    ['Tu cita ya está agendada.', true],
    ['Te he apuntado para el martes.', true],
    ['Reserva hecha.', true],
    ['Shall I book 10:00?', false],
    ['I can book you at 10:00.', false],
    ["I couldn't book it.", false],
    ['Would you like it booked?', false],
    ['¿Quieres que te la reserve?', false],
    ['¿Te la dejo reservada?', false],
    ['No pude reservarla.', false],
    ['Todavía no está confirmada.', false],
    ['Your return is confirmed.', false],
    ["I've scheduled a reminder for Friday.", false],
    ['Your email address is confirmed.', false],
    ['Saturday is fully booked.', false],
    ['Sorry, 11:00 is already booked.', false],
    ['Lo siento, esa hora ya está reservada.', false],
    ['Once you confirm, your appointment will be booked.', false],
    ['All rights reserved.', false],
    ['Your appointment is at our clinic.', false],
  ])('a booking in %j: %s', (text, expected) => expect(booked(text)).toBe(expected));

  it('takes the date, time and reference of a booking from its sentence, and the reference from the next one', () => {
    const [booking] = claimsIn(BOOKED_EN.draft!).bookings;
    expect(booking).toMatchObject({ verb: 'book', date: { date: '--12-01', weekday: 2 }, time: { time: '10:00' }, reference: { reference: '3F2A9C1B' } });
    expect(claimsIn(MOVED_EN.draft!).bookings[0]).toMatchObject({ date: { date: '--12-02' }, time: { time: '15:00' } });
    expect(claimsIn(RESERVED_ES.draft!).bookings[0]).toMatchObject({ verb: 'reserve', reference: { reference: 'RES-04718236' } });
  });
});

describe('evidence', () => {
  it('reads a trusted text: its booking, references, amounts, dates, times and statuses', () => {
    expect(evidenceFromText(BOOKED_EN.draft!)).toEqual({
      bookings: [{ reference: '3F2A9C1B', date: '--12-01', time: '10:00', status: 'booked' }],
      references: ['3F2A9C1B'],
      amounts: [],
      dates: ['--12-01'],
      times: ['10:00'],
      orderStatuses: [],
    });
    expect(evidenceFromText(MOVED_EN.draft!).bookings).toEqual([{ reference: '3F2A9C1B', date: '--12-02', time: '15:00', status: 'moved' }]);
    expect(evidenceFromText(SHIPPED_EN.draft!)).toMatchObject({ references: ['45821', 'JD014600006281230'], dates: ['--11-28', '--12-02'], orderStatuses: ['shipped'] });
    expect(evidenceFromText(QUOTE_ES.draft!).amounts).toEqual([
      { cents: 4500, currency: 'USD' },
      { cents: 2500, currency: 'USD' },
      { cents: 126000, currency: 'USD' },
    ]);
  });

  it('reads an agent\'s facts: ids, cents with their currency, statuses, offered slots and bookings', () => {
    expect(evidenceFromFacts(OFFERED_EN.facts)).toMatchObject({ dates: ['2026-12-01'], times: ['10:00', '10:30', '11:00'] });
    expect(evidenceFromFacts(QUOTE_EN.facts)).toMatchObject({ references: ['Q-7C41D2E9'], amounts: [{ cents: 126000, currency: 'USD' }] });
    expect(evidenceFromFacts(SHIPPED_EN.facts)).toMatchObject({ references: ['45821', 'JD014600006281230'], orderStatuses: ['shipped'] });
    expect(evidenceFromFacts(RESERVED_EN.facts)).toMatchObject({ references: ['RES-04718236', 'MG-100'], orderStatuses: ['reserved'] });
    // A booking's UTC start is read only in the business's zone.
    expect(evidenceFromFacts(BOOKED_EN.facts).bookings).toEqual([]);
    expect(evidenceFromFacts(BOOKED_EN.facts, { timezone: 'Europe/Madrid' }).bookings).toEqual([
      { reference: '3F2A9C1B', date: '2026-12-01', time: '10:00', status: 'booked' },
    ]);
    expect(evidenceFromFacts(BOOKED_EN.facts).references).toEqual(['3F2A9C1B-5D7E-4C2A-9B1F-0A1B2C3D4E5F', '3F2A9C1B']);
    expect(evidenceFromFacts(CANCELLED_APPOINTMENT_ES.facts).bookings).toEqual([{ reference: '3F2A9C1B', date: '', time: '', status: 'cancelled' }]);
    expect(evidenceFromFacts(ORDER_CANCELLED_EN.facts).orderStatuses).toEqual(['cancelled']);
    expect(evidenceFromFacts({ lines: [{ priceCents: 4500 }], nested: { deeper: { totalCents: 900, currency: 'eur' } } }).amounts).toEqual([
      { cents: 4500, currency: '' },
      { cents: 900, currency: 'EUR' },
    ]);
    expect(evidenceFromFacts(null)).toEqual({ bookings: [], references: [], amounts: [], dates: [], times: [], orderStatuses: [] });
  });

  it('merges evidence without repeats', () => {
    const merged = mergeEvidence({ references: ['A1B2C3'], times: ['10:00'] }, { references: ['A1B2C3', 'Q-1'], times: ['10:00', '11:00'], orderStatuses: ['shipped'] }, {});
    expect(merged).toEqual({ bookings: [], references: ['A1B2C3', 'Q-1'], amounts: [], dates: [], times: ['10:00', '11:00'], orderStatuses: ['shipped'] });
  });

  it('an amount without a currency in the evidence matches any currency', () => {
    expect(checkGrounding('It is $45.', { amounts: [{ cents: 4500, currency: '' }] }).ok).toBe(true);
  });

  it('computes weekdays without the clock', () => {
    expect(isoWeekday(2026, 12, 1)).toBe(2);
    expect(isoWeekday(2024, 2, 29)).toBe(4);
    expect(isoWeekday(2000, 1, 2)).toBe(7);
  });
});

describe('money on its way is not an order shipped', () => {
  const cancelled = { references: ['ORD-A3F8A57'], amounts: [{ cents: 4998, currency: 'USD' }], orderStatuses: ['cancelled' as const] };
  it.each([
    'Order ORD-A3F8A57 is cancelled; your refund is on its way.',
    'El pedido ORD-A3F8A57 está cancelado y tu reembolso ya está en camino.',
  ])('accepts %s after a cancellation', (text) => {
    expect(checkGrounding(text, cancelled)).toEqual({ ok: true, problems: [] });
  });
  it('still refuses an order said to be on its way when no tool said so', () => {
    expect(checkGrounding('Your order ORD-A3F8A57 is on its way, and your refund too.', cancelled).ok).toBe(false);
  });
});
