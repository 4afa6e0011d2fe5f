import { extractEntities, type Entities } from './entities';
import type { Intent } from './intents';
import { detectLanguage, looksLikeGibberish, normalizeText } from './text';

export type TriageMethod = 'rules' | 'llm';
export type Urgency = 'low' | 'normal' | 'high' | 'urgent';
export type TriageFlag = 'gibberish' | 'prompt_injection' | 'empty';

/** What triage knows about a message; the same shape whichever method produced it. */
export interface TriageResult {
  /** The primary intent. */
  intent: Intent;
  /** Every intent found, primary first; several for a message that asks several things. */
  intents: Intent[];
  /** 0..1: how sure the method is of the primary intent. */
  confidence: number;
  method: TriageMethod;
  language: 'en' | 'es' | string;
  urgency: Urgency;
  entities: Entities;
  flags: TriageFlag[];
}

interface Rule {
  pattern: RegExp;
  /** How much one match alone says about the intent (0..1). */
  weight: number;
}

const STRONG = 0.9;
const MEDIUM = 0.75;
const WEAK = 0.5;

const r = (pattern: RegExp, weight: number): Rule => ({ pattern, weight });

/**
 * Keyword rules per intent, English and Spanish, written against normalized text (lower
 * case, no accents, short forms expanded). Weights are calibrated so one strong phrase
 * clears the routing threshold and a lone weak word does not.
 */
const RULES: Record<Exclude<Intent, 'unknown'>, Rule[]> = {
  greeting: [
    r(/^(hi|hello|hey|hiya|yo|good (morning|afternoon|evening)|hola|buenas|buenos dias|buenas (tardes|noches)|saludos|que tal)( there| all| everyone| guys| team| amigos| a todos)?\b[\s!.,:)]*$/, 0.95),
    r(/^(hi|hello|hey|hola|buenas|buenos dias|good (morning|afternoon|evening))\b/, WEAK),
    r(/^(thanks|thank you|many thanks|gracias|muchas gracias|ok thanks|great,? thanks|perfect,? thanks|perfecto,? gracias)\b[\s!.,a-z]{0,20}$/, 0.92),
    r(/^(how are you|como estas|como esta usted|bye|goodbye|see you|adios|hasta luego|chao|nos vemos)\b/, 0.85),
  ],
  appointment_booking: [
    r(/\b(book|schedule|make|set up|arrange|get|need|want|request)\b.{0,30}\b(appointment|booking|visit|consultation|session|slot|meeting)\b/, STRONG),
    r(/\b(appointment|booking|reservation)\b.{0,20}\b(for|on|at|next|tomorrow|today)\b/, MEDIUM),
    r(/\b(any|have you got|do you have)\b.{0,20}\b(availability|available slots?|openings?|free slots?)\b/, MEDIUM),
    r(/\bcan i (come|come in|come by|stop by|visit)\b/, MEDIUM),
    r(/\b(reservar|agendar|pedir|sacar|programar|quiero|quisiera|necesito)\b.{0,25}\b(cita|turno|hora|consulta|reserva)\b/, STRONG),
    r(/\b(cita|turno)\b.{0,20}\b(para|el|manana|hoy|proximo|lunes|martes|miercoles|jueves|viernes|sabado)\b/, MEDIUM),
    r(/\b(appointment|cita|turno)\b/, WEAK),
    r(/\b(book|reservar)\b/, WEAK),
  ],
  appointment_reschedule: [
    r(/\b(reschedule|re-schedule|move|change|postpone|push back|bring forward|switch)\b.{0,30}\b(appointment|booking|visit|session|reservation|time|date|slot)\b/, STRONG),
    r(/\breschedul/, STRONG),
    r(/\b(cambiar|mover|reprogramar|posponer|aplazar|pasar)\b.{0,25}\b(cita|turno|reserva|hora|fecha)\b/, STRONG),
    r(/\breprogramar\b/, STRONG),
    r(/\b(another|different|later|earlier) (day|time|date)\b/, WEAK),
    r(/\b(otro dia|otra hora|otra fecha)\b/, WEAK),
  ],
  appointment_cancel: [
    r(/\b(cancel|call off|drop|delete)\b.{0,30}\b(appointment|booking|visit|session|reservation)\b/, STRONG),
    r(/\b(can ?not|cant|won'?t be able to|unable to) (make|attend|come to)\b.{0,20}\b(appointment|it|my)\b/, MEDIUM),
    r(/\b(cancelar|anular|suspender)\b.{0,25}\b(cita|turno|reserva|consulta)\b/, STRONG),
    r(/\bno (puedo|podre) (ir|asistir)\b/, MEDIUM),
  ],
  inquiry: [
    r(/\b(what|which) (are|is) (your|the) (opening |business |working )?(hours|schedule|address|location|prices?|rates?|fees?|policy|policies)\b/, STRONG),
    r(/\b(opening|business|working|office) hours\b/, STRONG),
    r(/\b(when|what time) (are|do) you (open|close)\b/, STRONG),
    r(/\bare you open\b/, STRONG),
    r(/\b(where are you|where is (the|your) (shop|store|office|clinic)|your address|how (do i|to) get there|parking)\b/, STRONG),
    r(/\b(how much (is|does|do|for)|price of|prices?|cost of|pricing|rates|fees)\b/, MEDIUM),
    r(/\b(do you (offer|have|accept|sell|do|ship|deliver)|do you take)\b/, MEDIUM),
    r(/\b(payment methods?|accept (cards?|credit cards?|cash|paypal)|shipping (policy|costs?|times?)|warranty|delivery times?)\b/, STRONG),
    r(/\b(faq|question about|information about|more information|tell me (about|more))\b/, MEDIUM),
    r(/\b(horario|horarios|a que hora (abren|cierran)|estan abiertos|abren (hoy|el|los|manana))\b/, STRONG),
    r(/\b(donde (estan|quedan|se encuentran|queda)|direccion|ubicacion|como llego)\b/, STRONG),
    r(/\b(cuanto (cuesta|cuestan|vale|valen|sale|cobran)|precio|precios|tarifa|tarifas)\b/, MEDIUM),
    r(/\b(aceptan|tienen|ofrecen|hacen envios|formas de pago|metodos de pago|garantia)\b/, MEDIUM),
    r(/\b(informacion|pregunta sobre)\b/, WEAK),
  ],
  quote_request: [
    r(/\b(quote|quotation|estimate|proposal|cotizacion|cotizar|presupuesto)\b/, STRONG),
    r(/\b(how much would it cost|how much will it cost|price for \d+|bulk (order|price|pricing)|wholesale)\b/, MEDIUM),
    r(/\b(cuanto me (costaria|saldria)|precio por mayor|al por mayor)\b/, MEDIUM),
  ],
  order_status: [
    r(/\b(where is|where's|status of|track|tracking|trace)\b.{0,25}\b(order|package|parcel|delivery|shipment|purchase)\b/, STRONG),
    r(/\b(my )?(order|package|parcel|shipment)\b.{0,30}\b(arrive|arrived|late|delayed|status|shipped|coming|tracking|yet)\b/, STRONG),
    r(/\b(has|have) (my|the) (order|package|parcel)\b/, STRONG),
    r(/\b(donde esta|estado de|rastrear|seguimiento|seguir)\b.{0,25}\b(pedido|paquete|envio|orden|compra)\b/, STRONG),
    r(/\b(mi )?(pedido|paquete|envio)\b.{0,30}\b(llega|llego|no ha llegado|retrasado|estado)\b/, STRONG),
    r(/\b(order|pedido|orden) (number|numero|#|no)\b/, MEDIUM),
    r(/#\s?\d{4,}|\bord-?\d{3,}/, WEAK),
  ],
  return_request: [
    r(/\b(return|send back|exchange|refund|money back)\b.{0,30}\b(item|product|order|it|this|shoes|shirt|purchase|size)\b/, STRONG),
    r(/\b(i want|i'd like|i would like|can i|how (do|can) i|need to)\b.{0,15}\b(return|exchange|refund)\b/, STRONG),
    r(/\b(refund|return policy|arrived (broken|damaged)|wrong (item|size)|damaged)\b/, MEDIUM),
    r(/\b(devolver|devolucion|reembolso|cambiar (el|la|este|esta)? ?(producto|talla|articulo)|llego (roto|danado|mal))\b/, STRONG),
    r(/\b(return|returns|refund|devoluciones)\b/, WEAK),
  ],
  product_recommendation: [
    r(/\b(recommend|recommendation|suggest|suggestion|what should i (buy|get|choose)|which (one|product|model) (should|would|is best))\b/, STRONG),
    r(/\b(looking for|best|good) (a |an )?(gift|present|product|option)\b/, MEDIUM),
    r(/\b(gift for|present for|something for my)\b/, MEDIUM),
    r(/\b(recomienda|recomendar|recomendacion|sugiere|sugerencia|que me (recomienda|recomiendas|aconseja)|cual (me conviene|es mejor))\b/, STRONG),
    r(/\b(busco (un|una) (regalo|producto))\b/, MEDIUM),
  ],
  troubleshooting: [
    r(/\b(not working|doesn'?t work|does not work|stopped working|won'?t (turn on|start|charge|connect|load)|broken|error|crash(es|ed|ing)?|bug|keeps (failing|crashing|disconnecting)|can'?t (log ?in|sign ?in|connect|access))\b/, STRONG),
    r(/\b(problem|issue|trouble|help) (with|using|connecting|logging)\b/, MEDIUM),
    r(/\b(how (do i|to) (fix|reset|set up|setup|configure|install|connect|pair))\b/, STRONG),
    r(/\b(no funciona|no anda|no prende|no enciende|no carga|no conecta|dejo de funcionar|se rompio|falla|error|no puedo (entrar|iniciar sesion|conectar))\b/, STRONG),
    r(/\b(problema|ayuda) con\b/, MEDIUM),
    r(/\b(como (arreglo|reinicio|configuro|instalo|conecto))\b/, STRONG),
  ],
  profile_update: [
    r(/\b(update|change|correct|edit)\b.{0,20}\b(my )?(email|address|phone( number)?|name|details|profile|preferences?|information)\b/, STRONG),
    r(/\b(delete|remove|erase)\b.{0,20}\b(my )?(data|account|information|profile)\b/, STRONG),
    r(/\b(unsubscribe|stop (sending|messaging)|opt out|don'?t (message|contact) me)\b/, STRONG),
    r(/\b(my new (email|address|phone|number) is)\b/, STRONG),
    r(/\b(prefer|preference)\b.{0,20}\b(email|whatsapp|sms|language|spanish|english|contacted)\b/, MEDIUM),
    r(/\b(actualizar|cambiar|modificar|corregir)\b.{0,20}\b(mi )?(correo|email|direccion|telefono|numero|nombre|datos|perfil)\b/, STRONG),
    r(/\b(borrar|eliminar)\b.{0,20}\b(mis )?(datos|cuenta|informacion)\b/, STRONG),
    r(/\b(darme de baja|no me (escriban|envien))\b/, STRONG),
  ],
  lead: [
    r(/\b(interested in|interest in)\b.{0,30}\b(your|buying|purchasing|partnership|services?|products?|plan|demo|solution)\b/, STRONG),
    r(/\b(book|schedule|request|get|want) (a )?demo\b|\bdemo\b/, STRONG),
    r(/\b(our (company|team|business)|for my (company|team|business)|we are (a|an)|enterprise|employees|seats|licenses|budget)\b/, MEDIUM),
    r(/\b(sales (team|rep|department)|talk to sales|pricing plans?|partnership)\b/, STRONG),
    r(/\b(interesad[oa]s? en|me interesa|nos interesa)\b/, STRONG),
    r(/\b(nuestra empresa|mi empresa|para mi negocio|presupuesto de|empleados|demostracion)\b/, MEDIUM),
  ],
  document: [
    r(/\b(attached|attachment|attaching|here is (the|my) (file|document|invoice|receipt|pdf|contract|id))\b/, STRONG),
    r(/\b(pdf|invoice|receipt|contract|document|file|scan|photo of)\b.{0,20}\b(sent|sending|attached|upload|uploaded|process|review)\b/, STRONG),
    r(/\.(pdf|docx?|xlsx?|csv|png|jpe?g)\b/, STRONG),
    r(/\b(adjunto|te envio|le envio|envio el|aqui esta (el|la|mi)) ?(archivo|documento|factura|recibo|contrato|pdf|foto)?\b/, MEDIUM),
    r(/\b(archivo|documento|factura|recibo|contrato)\b.{0,20}\b(adjunto|enviado|subido|revisar|procesar)\b/, STRONG),
  ],
  reminder: [
    r(/\b(remind me|send me a reminder|set a reminder|reminder (for|about|to))\b/, STRONG),
    r(/\b(don'?t let me forget|can you remind)\b/, STRONG),
    r(/\b(recuerdame|recordarme|recordatorio|avisame|me recuerdas|me avisas)\b/, STRONG),
  ],
  human_handoff: [
    r(/\b(talk|speak|chat) (to|with) (a |an )?(human|person|agent|someone|representative|manager|real person|operator|supervisor)\b/, 0.95),
    r(/\b(human|real person|live agent|customer service|representative|operator)\b/, MEDIUM),
    r(/\b(hablar con|comunicarme con|pasame con|quiero hablar con)\b.{0,15}\b(persona|humano|agente|alguien|encargado|gerente|asesor|operador)\b/, 0.95),
    r(/\b(persona real|un humano|atencion al cliente|asesor)\b/, MEDIUM),
    r(/\b(complaint|complain|unacceptable|terrible service|lawyer|sue|queja|reclamo|inaceptable|pesimo servicio)\b/, MEDIUM),
  ],
};

const INJECTION =
  /\b(ignore|disregard|forget|override|bypass) (all |any |the |your )?(previous |prior |above |earlier )?(instructions|prompts?|rules|directions)\b|\b(system prompt|you are now|act as (an? )?(admin|developer|dan|root|system)|jailbreak|developer mode|reveal (your|the) (prompt|instructions|system)|ignora (todas )?(las )?instrucciones|olvida (tus|las) instrucciones)\b|<\/?(system|assistant|instructions?)>/;

const URGENT = /\b(urgent|urgently|emergency|asap|immediately|right now|urgente|emergencia|ya mismo|inmediatamente|cuanto antes)\b|!{3,}/;
const HIGH = /\b(soon|quickly|today|hoy|pronto|rapido)\b/;

/** Confidence of a primary intent that every rule missed. */
const NOTHING_MATCHED = 0;

/** Specific intents that, when present, make a generic sibling redundant. */
const SUPERSEDES: Partial<Record<Intent, Intent[]>> = {
  appointment_reschedule: ['appointment_booking', 'appointment_cancel'],
  appointment_cancel: ['appointment_booking'],
  quote_request: ['inquiry'],
  return_request: ['order_status'],
  lead: ['inquiry', 'quote_request'],
};

/** Confidence under which a secondary intent is not reported. */
export const SECONDARY_INTENT_MIN = 0.7;

function combine(weights: number[]): number {
  // Independent evidence: 1 - Π(1 - w). Two weak hints make a medium one; nothing reaches 1.
  const miss = weights.reduce((acc, w) => acc * (1 - w), 1);
  return Math.min(0.98, Number((1 - miss).toFixed(3)));
}

/** Scores every intent against the keyword rules; exported for the accuracy report. */
export function scoreIntents(normalized: string): Map<Intent, number> {
  const scores = new Map<Intent, number>();
  for (const [intent, rules] of Object.entries(RULES) as Array<[Intent, Rule[]]>) {
    const weights = rules.filter((rule) => rule.pattern.test(normalized)).map((rule) => rule.weight);
    if (weights.length > 0) scores.set(intent, combine(weights));
  }
  for (const [specific, generic] of Object.entries(SUPERSEDES) as Array<[Intent, Intent[]]>) {
    const specificScore = scores.get(specific) ?? 0;
    if (specificScore < SECONDARY_INTENT_MIN) continue;
    for (const g of generic) {
      // "I want to cancel my appointment" also matches "want … appointment": a strong
      // specific phrase wins outright; a weaker one only over a weaker generic match.
      if (specificScore >= STRONG || (scores.get(g) ?? 0) <= specificScore) scores.delete(g);
    }
  }
  // A greeting in front of a request is politeness, not a second intent.
  if (scores.size > 1 && (scores.get('greeting') ?? 0) < 0.95) scores.delete('greeting');
  return scores;
}

function urgencyOf(normalized: string): Urgency {
  if (URGENT.test(normalized)) return 'urgent';
  if (HIGH.test(normalized)) return 'high';
  return 'normal';
}

/**
 * Classifies a message with keyword rules only: no network, deterministic, fast enough to
 * run as a local activity. Text that looks like gibberish or a prompt-injection attempt
 * is reported as `unknown` with a flag, so routing never hands it to a specialist.
 */
export function triageByKeywords(text: string): TriageResult {
  const normalized = normalizeText(text);
  const language = detectLanguage(text);
  const entities = extractEntities(text);
  const base = { method: 'rules' as const, language, entities, urgency: urgencyOf(normalized) };

  if (normalized.length === 0) {
    return { ...base, intent: 'unknown', intents: ['unknown'], confidence: NOTHING_MATCHED, flags: ['empty'] };
  }
  if (INJECTION.test(normalized)) {
    return { ...base, intent: 'unknown', intents: ['unknown'], confidence: 0.1, flags: ['prompt_injection'] };
  }

  const ranked = [...scoreIntents(normalized).entries()].sort((a, b) => b[1] - a[1]);
  if (ranked.length === 0) {
    const flags: TriageFlag[] = looksLikeGibberish(text) ? ['gibberish'] : [];
    return { ...base, intent: 'unknown', intents: ['unknown'], confidence: NOTHING_MATCHED, flags };
  }

  const [primary, confidence] = ranked[0];
  const intents = ranked.filter(([, score], i) => i === 0 || score >= SECONDARY_INTENT_MIN).map(([intent]) => intent);
  return { ...base, intent: primary, intents, confidence, flags: [] };
}
