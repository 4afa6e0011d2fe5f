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
/** A hint that names the intent but needs a second one to clear the routing threshold. */
const HINT = 0.55;
const WEAK = 0.5;

const r = (pattern: RegExp, weight: number): Rule => ({ pattern, weight });

/** Builds a regular expression from raw fragments, so shared word lists are written once. */
const re = (parts: TemplateStringsArray, ...lists: string[]): RegExp =>
  new RegExp(parts.raw.reduce((acc, part, i) => acc + part + (i < lists.length ? lists[i] : ''), ''));

// Shared vocabularies, written against normalized text (lower case, no accents).
/** Things a customer books: the appointment itself or the service it is for. */
const APPT_EN =
  '(?:appointments?|bookings?(?! (?:software|system|app|platform|tool|engine|widget|page|site|link|fee|reference|number|confirmation))|reservations?|visit|session|slot|consultation|consult|check-?ups?|cleaning|haircut|hair ?cut|trim|blow ?dry|facial|massage|manicure|pedicure|mani|pedi|treatment|exam|examination|eye test|vaccination|vaccine|jab|therapy|physio|waxing|wax|colou?r|highlights|table|test drive|class|filling|extraction|whitening|root canal|shots?|jabs?|injections?|scaling|polish)';
const APPT_ES =
  '(?:cita|citas|turno|turnos|hora|consulta|reserva|reservacion|sesion|limpieza|revision|chequeo|control|corte|masaje|tratamiento|manicura|pedicura|unas|depilacion|vacuna|examen|mesa|clase|valoracion)';
const DAY_EN =
  '(?:today|tomorrow|tonight|monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend|(?:next|this|the following) (?:week|month)|morning|afternoon|evening|\\d{1,2}(?:st|nd|rd|th)|\\d{1,2}(?::\\d{2})? ?(?:am|pm))';
const DAY_ES =
  '(?:hoy|manana|pasado manana|lunes|martes|miercoles|jueves|viernes|sabado|domingo|fin de semana|(?:proxima|esta|otra) semana|semana que viene|(?:la|por la) (?:manana|tarde|noche)|a las \\d{1,2})';
const DOC_EN =
  '(?:files?|documents?|docs?|invoices?|receipts?|pdfs?|contracts?|id|passport|licen[cs]e|prescriptions?|forms?|photos?|pictures?|pics?|screenshots?|scans?|reports?|results|certificates?|statements?|copy|proof of \\w+|insurance card|card|letter|referral|x-?rays?|paperwork|payslips?|pay stubs?|bank details|quote|lease|agreement|bill|utility bill|deed|policy document|id card)';
const DOC_ES =
  '(?:tickets?|boletas?|notas? de (?:compra|venta)|archivos?|documentos?|facturas?|recibos?|comprobantes?|contratos?|pdfs?|fotos?|imagen(?:es)?|capturas?|identificacion|ine|dni|cedula|pasaporte|recetas?|formularios?|estudios|resultados|radiografias?|certificados?|constancias?|orden medica|poliza|carnet|credencial|planos?)';
const DEVICE =
  '(?:app|application|website|site|page|machine|printer|charger|cable|speaker|phone|laptop|computer|pc|tablet|device|watch|blender|screen|battery|router|wifi|wi-fi|bluetooth|camera|tv|remote|headphones|earbuds|kettle|vacuum|fridge|oven|heater|dryer|toaster|link|code|login|account|password|card|aplicacion|pagina|maquina|impresora|cargador|bocina|parlante|telefono|celular|computadora|reloj|pantalla|bateria|licuadora|control|audifonos|cafetera|cuenta|contrasena|clave|tarjeta|enlace|codigo)';
const CONTACT_FIELD_EN =
  '(?:e-?mail(?: address)?|address|phone(?: number)?|mobile(?: number)?|number|name|surname|last name|first name|details|profile|preferences?|information|contact (?:details|info\\w*)|billing address|shipping address|delivery address|date of birth|birthday)';
const CONTACT_FIELD_ES =
  '(?:correo(?: electronico)?|e-?mail|direccion|domicilio|telefono|numero|celular|movil|whatsapp|nombre|apellidos?|datos|perfil|informacion|fecha de nacimiento)';
const BUSINESS =
  '(?:business|company|firm|shop|store|hotel|hostel|restaurant|cafe|bar|bakery|clinic|clinics|practice|gym|studio|salon|spa|pharmacy|chain|agency|school|office|startup|brand|franchise|hospital|nursery|factory|warehouse)';
const BUSINESS_ES =
  '(?:negocio|empresa|compania|tienda|hotel|restaurante|cafeteria|clinica|gimnasio|salon|spa|farmacia|cadena|agencia|escuela|oficina|consultorio|marca|franquicia|distribuidora|constructora|inmobiliaria)';

/**
 * Keyword rules per intent, English and Spanish, written against normalized text (lower
 * case, no accents, short forms, contractions and common misspellings rewritten). Weights
 * are calibrated so one strong phrase clears the routing threshold and a lone weak word
 * or hint does not.
 */
const RULES: Record<Exclude<Intent, 'unknown'>, Rule[]> = {
  greeting: [
    r(/^(hi|hello|hey|hiya|yo|good (morning|afternoon|evening)|hola|buenas|buenos dias|buenas (tardes|noches)|saludos|que tal)( there| all| everyone| guys| team| amigos| a todos)?\b[^a-z0-9]*$/, 0.95),
    r(/^(hi|hello|hey|hola|buenas|buenos dias|good (morning|afternoon|evening))\b/, WEAK),
    r(/^(thanks|thank you|many thanks|gracias|muchas gracias|ok thanks|great,? thanks|perfect,? thanks|perfecto,? gracias)\b[\s!.,a-z]{0,20}$/, 0.92),
    r(/^(how are you|como estas|como esta usted|bye|goodbye|see you|adios|hasta luego|chao|nos vemos)\b/, 0.85),
    // Thanks that opens a message that asks nothing else (a request would outrank it).
    r(/^(thanks|thank you|many thanks|cheers|(much |really )?appreciate (it|that|this|the|your)|gracias|muchas gracias|mil gracias|te agradezco|les agradezco)\b/, MEDIUM),
    // A greeting with at most a name or a place after it ("Saludos desde Quito").
    r(/^(hi|hello|hey|hola|saludos|buenas|buenos dias|good (morning|afternoon|evening))\b([^a-z0-9?]+[a-z]+){0,2}[^a-z0-9?]*$/, MEDIUM),
  ],
  appointment_booking: [
    r(re`\b(book|schedule|make|set up|arrange|get|need|want|request|like|fit me in for|squeeze me in for)\b.{0,30}\b${APPT_EN}\b`, STRONG),
    r(/\b(appointment|booking|reservation)\b.{0,20}\b(for|on|at|next|tomorrow|today)\b/, MEDIUM),
    r(/\b(any|have you got|do you have|is there|are there)\b.{0,20}\b(availability|available|slots?|spots?|openings?|space|room|free (time|slots?)|anything free|something free|anything available|gaps?)\b/, 0.85),
    r(/\b(when|what time) (is|are) (the )?(next|earliest|first) (available|free|open)\b/, STRONG),
    r(/\b(earliest|soonest|next available|first available)\b|\b(can|could) (you )?(see|fit|squeeze) me\b/, MEDIUM),
    r(re`\b(free|available|availability|open slots?)\b.{0,20}\b(${DAY_EN}|any ?time|this week|next week)\b`, 0.8),
    r(/\bbring (my|him|her|them|the kids?|my \w+) (\w+ )?in\b/, MEDIUM),
    r(/\b(pencil|book|fit|squeeze|put|get) (me|us|him|her|them) in\b|\bbook (one|it|that|this|them)\b/, STRONG),
    r(re`\b(anything|something|any time|anytime)\b.{0,15}\b${DAY_EN}\b`, 0.8),
    r(/\b(come in|come by|pop in|drop in|stop by|get in to see|see (the |a )?(doctor|dr|dentist|nurse|hygienist|stylist|therapist|specialist)|fit me in|squeeze me in)\b/, MEDIUM),
    r(/\bcan i (come|come in|come by|stop by|visit)\b/, MEDIUM),
    r(re`\bfor (a|an|my|the|two|\d+) (?:\w+ )?${APPT_EN}\b`, HINT),
    r(/\b(reservar|agendar|pedir|sacar|programar|quiero|quisiera|queria|queriamos|necesito|necesitamos|busco|me (pueden|puede|podrian|das|da) dar|dame|hay|tienen|conseguir|apartar)\b.{0,25}\b(cita|turno|hora|consulta|reserva|lugar|espacio)\b/, STRONG),
    r(/\b(reserv(ar|o|a|en)|agend(ar|o|a|en|arme|ame)|apart(ar|o|a|en))\b.{0,25}\b(para|el|la|un|una|dos|tres|\d+)\b/, STRONG),
    r(/\b(me |nos )?(anotan|apuntan|anotas|apuntas|anoten|apunten|anotame|apuntame|anotarme|apuntarme|inscriben|inscribirme)\b (para|a|en)\b/, STRONG),
    r(/\b(tienen|hay|tendran|tiene)\b.{0,10}\b(disponibilidad|lugar|espacio|hueco|cupo|turnos? (libres?|disponibles?)|citas? (libres?|disponibles?)|horas? (libres?|disponibles?))\b/, 0.85),
    r(/\b(hay|tienen|quedan|tendran|habra)\b (turnos?|citas?|horas? libres|lugares?|espacios?|cupos?)\b/, 0.85),
    r(re`\b(disponibilidad|cupo)\b.{0,20}\b${DAY_ES}\b`, MEDIUM),
    r(re`\bpara (un|una|la|el|mi) ${APPT_ES}\b`, HINT),
    r(/\b(cita|turno)\b.{0,20}\b(para|el|manana|hoy|proximo|lunes|martes|miercoles|jueves|viernes|sabado)\b/, MEDIUM),
    r(/\b(appointment|cita|turno)\b/, WEAK),
    r(/\b(book|reservar)\b/, WEAK),
  ],
  appointment_reschedule: [
    r(re`\b(reschedule|re-schedule|move|change|postpone|push back|bring forward|switch|shift|swap)\b.{0,30}\b(${APPT_EN}|time|date|day)\b`, STRONG),
    r(/\breschedul/, STRONG),
    r(/\b(be|get it|get them|have it) (moved|changed|shifted|pushed|switched|rescheduled|brought forward|put back)\b/, STRONG),
    r(re`\b(move|push|shift|switch|bring)\b (my|the|our|it|this)\b.{0,25}\b(to|till|until|back|forward)\b (later|earlier|next|another|a different|the|${DAY_EN})`, STRONG),
    r(re`\b(instead of|rather than)\b.{0,15}\b${DAY_EN}\b|\b${DAY_EN}\b.{0,15}\b(instead|rather)\b`, MEDIUM),
    r(/\b(booked|my appointment is|i have an appointment|i am booked|i am down)\b.{0,40}\b(rather|instead|prefer|different|another|change)\b/, MEDIUM),
    r(re`\b(would rather|prefer to|could i|can i|can we|could we) (come|do it|go|make it|have it)\b.{0,15}\b(on )?(${DAY_EN}|later|earlier|another)\b`, MEDIUM),
    r(re`\b(can|could) we do ${DAY_EN}\b`, MEDIUM),
    r(/\b(can not|will not|could not) make\b.{0,40}\b(what else|any other|another|other (times?|days?|slots?)|instead|different)\b/, STRONG),
    r(/\b(what else|any other (times?|days?|slots?)|other (times?|days?|slots?)) (do you have|is available|are available|have you got)\b/, MEDIUM),
    r(/\b(cambiar|cambio|mover|muevo|reprogramar|posponer|pospongo|aplazar|pasar|pasarla|pasarlo|correr|recorrer|adelantar|atrasar)\b.{0,25}\b(cita|turno|reserva|hora|fecha|consulta|sesion|dia)\b/, STRONG),
    r(/\b(pasar|mover|cambiar|correr|recorrer|adelantar|atrasar) (la|el|mi)\b.{0,20}\b(al|a la|para el|para la|para otro|para otra|a otro|a otra)\b/, MEDIUM),
    r(/\breprogramar\b/, STRONG),
    r(/\b(pasar|mover|correr|cambiar|recorrer|adelantar|atrasar) (lo|eso) (del|de la|de el|de las|de los)\b/, STRONG),
    r(/\b(another|different|later|earlier) (day|time|date)\b/, WEAK),
    r(/\b(otro dia|otra hora|otra fecha|otro horario)\b/, WEAK),
    r(/\b(something came up|running late|me surgio algo|tuve un imprevisto|tengo un imprevisto)\b/, WEAK),
  ],
  appointment_cancel: [
    r(re`\b(cancel|call off|drop|delete|remove|scrap)\b.{0,30}\b${APPT_EN}\b`, STRONG),
    r(re`\bcancel (my|the|our|it|this|that|tomorrow|today|${DAY_EN}|\d)`, STRONG),
    r(/\b(please|need to|have to|want to|like to|must) cancel\b|\bcancel,? please\b|\bcancel\b[^a-z]*$/, MEDIUM),
    r(/\b(can not|will not be able to|unable to|not able to|will not make|can not make|going to miss|will miss) (make|attend|come|go|be there|make it)?\b.{0,25}\b(appointment|it|my|session|visit|tomorrow|today|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b/, MEDIUM),
    r(/\b(can not|will not be able to|unable to|not able to) (come|make it|attend|go|be there)\b/, MEDIUM),
    r(/\b(not coming|no longer (coming|need|want)|do not need (the|my) (appointment|booking|visit)|not going to make it)\b/, MEDIUM),
    r(re`\b(will not|do not|no longer|not going to) need (the|my|our|that|this) ${APPT_EN}\b`, STRONG),
    r(/\b(take|cross|strike) me off (the |your )?(schedule|calendar|diary|books|list for)\b|\bremove me from (the |your )?(schedule|calendar|diary)\b/, STRONG),
    r(re`\b(cancel(ar|arla|arlo|en|enla|enlo|e|a|o|ame|enme)?|anul(ar|arla|arlo|en|e|a|o)|suspend(er|an|a|o))\b.{0,25}\b${APPT_ES}\b`, STRONG),
    r(/\b(cancelar|cancelen|cancela|cancelo|cancele|cancelarla|cancelenla|anular|anulen|anula|anulo|anularla|suspender)\b/, MEDIUM),
    r(/\bno (puedo|podre|voy a poder|podemos|vamos a poder) (ir|asistir|llegar|acudir|venir)\b/, MEDIUM),
    r(re`\bno (voy|vamos|podre|podremos|puedo|podemos) (a )?(poder )?(ir|asistir|llegar|acudir)\b.{0,15}\b${APPT_ES}\b`, STRONG),
    r(/\bcancel(ame|enme|alo|ala|enlo|enla)\b/, MEDIUM),
    r(/\bya no (necesito|voy a necesitar|requiero|quiero|voy a ir|puedo ir|vamos a ir|voy|vamos)\b.{0,15}\b(cita|turno|consulta|reserva|sesion|ir)\b/, STRONG),
    r(/\b(dar|den|darla|darlo) de baja\b.{0,15}\b(cita|turno|consulta|reserva)\b|\b(cita|turno|consulta|reserva)\b.{0,30}\b(la|lo) (pueden|puede|podrian) dar de baja\b/, MEDIUM),
  ],
  inquiry: [
    r(/\b(what|which) (are|is) (your|the) (opening |business |working |office )?(hours|schedule|address|location|prices?|rates?|fees?|policy|policies|phone number)\b/, STRONG),
    r(/\b(opening|business|working|office) hours\b|\bhours (on|for) (saturdays?|sundays?|weekends?|holidays?|\w+days?)\b/, STRONG),
    r(/\b(when|what time) (are|do|does) (you|the (shop|store|clinic|office))( guys)? (open|close)\b/, STRONG),
    r(/\bare you( guys| all)? (open|closed)\b|\b(open|closed) on (weekends?|sundays?|saturdays?|holidays?|bank holidays?|public holidays?|christmas)\b/, STRONG),
    r(/\b(where are you|where is (the|your) (shop|store|office|clinic)|your address|how (do i|to) get there|parking|park (near|nearby|close)|somewhere to park|where (can|do) i park)\b/, STRONG),
    r(/\b(how much (is|are|does|do|for)|price of|prices?|cost of|pricing|rates|fees|price list)\b/, MEDIUM),
    r(/\bhow much (it|they|this|that|these|those) (costs?|is|are)\b/, MEDIUM),
    r(/\b(do you( guys| all)? (offer|sell|do|ship|deliver|provide|treat|work with|cover|see|install)|do you( guys| all)? take)\b/, MEDIUM),
    r(/\b(branch|location|store|shop|office|clinic) (near|in|close to|around|nearby)\b|\bwhere (you are|are you|is (it|the \w+)) (located|based)\b|\blocated\b/, STRONG),
    r(/\b(insurance|medical aid|nhs|medicare)\b/, MEDIUM),
    r(/\bdo you (have|accept)\b/, 0.6),
    r(/\b(payment methods?|accept (cards?|credit cards?|debit cards?|cash|paypal|apple pay|google pay|amex|visa|transfers?)|apple pay|google pay|contactless|shipping (policy|costs?|times?)|warranty|delivery times?|installments?)\b/, STRONG),
    r(/\b(return|returns|refund|exchange|cancellation) policy\b/, STRONG),
    r(/\b(pay|paying) (by|with|in) (card|cash|credit|debit|transfer|installments)\b|\b(cash|card) only\b/, STRONG),
    r(/\b(what is|what does|what comes|what do you get) (included|include|with)\b|\bwhat does (the|a|your) .{0,25}\binclude\b|\bincluded in\b/, STRONG),
    r(/\b(a )?domicilio\b|\bservicio a domicilio\b/, STRONG),
    r(/\bhow long (does|do|will|would|is) (it|a|an|the|each|your)\b.{0,30}\b(take|last)\b/, STRONG),
    r(/\b(wheelchair|accessible|accessibility|disabled access|step-free)\b|\b(can|may) i bring (my|a)\b|\bis (the|your) (shop|store|clinic|office|place|salon|building)\b/, STRONG),
    r(/\b(faq|question about|information about|more information|tell me (about|more))\b/, MEDIUM),
    r(/\b(horario|horarios|a que hora (abren|cierran|atienden)|estan abiertos|abren (hoy|el|los|manana)|cierran (hoy|el|los|manana)|estan (atendiendo|trabajando|abiertos)|atienden (hoy|el|los|manana|sabados|domingos|feriados|fines de semana))\b/, STRONG),
    r(/\b(donde (estan|quedan|se encuentran|queda|esta la|esta el|se ubican)|direccion de (la|el) (tienda|local|clinica|consultorio)|su direccion|ubicacion|como llego|estacionamiento|parqueadero)\b/, STRONG),
    r(/\b(cuanto (cuesta|cuestan|vale|valen|sale|salen|cobran|es)|precio|precios|tarifa|tarifas|costo|costos)\b/, MEDIUM),
    r(/\b(aceptan|ofrecen|hacen envios|envian a|formas de pago|metodos de pago|garantia|pagar con|pago con|se puede pagar|puedo pagar|meses sin intereses)\b/, MEDIUM),
    r(/\b(trabajan|aceptan|cubren|atienden) (con )?(seguros?|aseguradoras?|obra social|prepagas?|isapre|eps)\b|\bseguro medico\b/, STRONG),
    r(/\b(tienen|venden|manejan)\b/, 0.6),
    r(/\b(informacion|pregunta sobre)\b/, WEAK),
  ],
  quote_request: [
    r(/\b(quote|quotation|estimate|proposal|cotizacion|cotizar|cotizarme|cotizan|cotizas|cotice|coticen|presupuesto)\b/, STRONG),
    r(/\b(how much would it cost|how much will it cost|price for \d+|bulk (order|price|pricing)|wholesale|price (it )?(up|out))\b/, MEDIUM),
    r(/\b(what|how much) (would|will|could) (you|it|that|this|they) (charge|cost|be)\b/, 0.8),
    r(/\b(a|an|your best|an exact|the total|a rough) price (for|on)\b/, 0.8),
    r(/\b(what is|what would be|how much is) the total\b|\btotal (cost|price)\b|\bhow much in total\b|\ball-?in price\b/, 0.8),
    r(/\b(need|want|order|ordering|buy|buying|get) \d{2,} [a-z]+/, HINT),
    r(/\bprecio (por|para|de) \d+|\b(cuanto|precio) (por|para) (\d+|mayoreo)\b/, 0.8),
    r(/\b(send|give|share) (me |us )?(your )?(pricing|prices|a price list|rates) for\b/, 0.8),
    r(/\b(cost|price|charge) to (cater|paint|repaint|install|fit|fix|renovate|remodel|build|clean|deliver|ship|print|move|supply)\b/, 0.8),
    r(/\b(precio|price|cost|costo)\b.{0,20}\b\d{2,} [a-z]+/, 0.8),
    r(/\b(put together|prepare|draw up|send|make|give) (me |us )?(an? )?(offer|proposal|estimate)\b/, STRONG),
    r(/\b(cuanto me (costaria|saldria|cobrarian|cobran por)|cuanto (costaria|saldria|cobrarian)|precio por mayor|al por mayor)\b/, 0.8),
    r(/\b\d{2,} (units|pieces|pcs|boxes|items|people|persons|guests|pax|attendees|uniforms|chairs|tables|t-?shirts|shirts|mugs|bottles|kits|licenses|unidades|piezas|cajas|personas|invitados|uniformes|sillas|mesas|playeras|camisetas|tazas|botellas|volantes|kits)\b/, HINT),
    r(/\b(with (our|my|the company|a) logo|branded|custom printed|personali[sz]ed|con (nuestro|mi) logo|estampad[oa]s|bordad[oa]s|personalizad[oa]s)\b/, HINT),
  ],
  order_status: [
    r(/\b(where is|status of|track|tracking|trace|update (on|about|regarding)|news (on|about)|any news|any update|eta (on|for))\b.{0,25}\b(order|package|parcel|delivery|shipment|purchase|item|stuff)\b/, STRONG),
    r(/\b(my )?(order|package|parcel|shipment|delivery|purchase)\b.{0,30}\b(arrive|arrived|arriving|late|delayed|status|shipped|dispatched|sent|coming|tracking|yet|delivered|get here|go out|gone out|left)\b/, STRONG),
    r(/\b(has|have|did|was) (my|the) (order|package|parcel|purchase|delivery)\b/, STRONG),
    r(/\b(did|have|has) you (ship|send|dispatch|post|mail)(ped|ed|t)? (out )?(my|the|our)\b|\b(shipped|sent|dispatched|posted) my (stuff|things|order|package|items?)\b/, STRONG),
    r(/\bwhen (will|does|do|is|can i expect) (my|the|our) (order|package|parcel|purchase|delivery|stuff|item)/, STRONG),
    r(/\b(not|nothing|never|still no|yet to be|has not been|have not been)\b.{0,15}\b(delivered|arrived|received|shipped|dispatched)\b/, MEDIUM),
    r(/\btracking (number|code|link|info)/, STRONG),
    r(/\b(heard|news|update|word)\b.{0,20}\b(about|on|regarding) (my |the )?(delivery|order|package|parcel|shipment)\b/, STRONG),
    r(/\b(en que va|como va|que paso con|que pasa con|alguna novedad (de|con|sobre)|novedades de) (mi|el|la) (pedido|paquete|envio|compra|orden)\b/, STRONG),
    r(/\bfecha (de|estimada de) (entrega|envio|llegada)\b/, MEDIUM),
    r(/\b(says|shows|marked( as)?|showing) (it was |as )?delivered\b|\b(courier|driver|postman|delivery (guy|man|driver)|carrier|tracking)\b.{0,30}\b(delivered|lost|left it|never came)\b/, STRONG),
    r(/\bhow long (until|til|till|before|for) (my|the|our|it)\b|\b(my|the) (stuff|things|items?|purchase|order|package|parcel) (gets?|comes?|arrives?) here\b/, STRONG),
    r(/\b(never|have not|did not|still have not) (got|get|gotten|received|receive)\b.{0,15}\b(it|my|the|order|package|parcel|anything)\b|\bi (got|received) nothing\b/, MEDIUM),
    r(/\b(donde esta|estado de|rastrear|rastreo|seguimiento|seguir|noticias de|novedades (de|sobre))\b.{0,25}\b(pedido|paquete|envio|orden|compra)\b/, STRONG),
    r(/\b(mi |el )?(pedido|paquete|envio|compra|orden)\b.{0,30}\b(llega|llegue|llego|llegara|no ha llegado|retrasado|estado|salio|enviaron|despacharon)\b/, STRONG),
    r(/\b(llega|llegara|llego|llegado|viene|salio|va en camino)\b.{0,10}\b(mi|el|la|los) (pedido|paquete|envio|compra|orden)\b|\b(pedido|paquete|envio|compra|orden) (ya )?(va|viene|esta) en camino\b/, STRONG),
    r(/\b(enviaron|mandaron|despacharon|despachan|envian|mandan)\b.{0,10}\b(mi|el|la) (pedido|paquete|compra|orden)\b/, STRONG),
    r(/\b(hice|realice|compre|pague)\b.{0,40}\b(no se nada|no me ha llegado|no ha llegado|no llega|no llego|sin noticias|todavia no|aun no|nada)\b/, STRONG),
    r(/\b(numero de )?(guia|rastreo)\b/, MEDIUM),
    r(/\b(order|pedido|orden) (number|numero|#|no)\b|\b(order|pedido|orden) #?\d{3,}\b/, MEDIUM),
    r(/#\s?[a-z]?\d{4,}|\bord-?\d{3,}/, WEAK),
  ],
  return_request: [
    r(/\b(return|send back|exchange|refund|money back|swap)\b.{0,30}\b(item|product|order|it|this|them|shoes|shirt|purchase|size|one)\b/, STRONG),
    r(/\b(i want|i would like|can i|could i|how (do|can) i|need to|like to|want to)\b.{0,15}\b(return|exchange|refund|send (it|them|this|something|\w+)? ?back|swap)\b/, STRONG),
    r(/\b(money back|my money|reimburse\w*)\b/, STRONG),
    r(/\b(regresar|devolver|reembolsar|regresen|devuelvan) (mi|el) dinero\b/, STRONG),
    r(/\b(replacement|replace (it|this|them|the \w+)|(send|get) (me )?a new one|a new one)\b/, STRONG),
    r(/\bme (quedaron|quedan|quedo|queda) (chicos|chicas|chico|chica|grandes|grande|apretados|apretadas|flojos|flojas)\b|\b(los|las|lo|la) (puedo|podria|quiero) (cambiar|devolver)\b|\b(cambiarlos|cambiarlas|cambiarlo|cambiarla)\b/, MEDIUM),
    r(/\b(refund|arrived (broken|damaged|cracked|smashed|open|faulty)|wrong (item|size|colou?r|product|model|order|one|charger)|damaged|defective|faulty|expired|too (small|big|large|tight|loose|short|long)|does not fit|do not fit|did not fit)\b/, MEDIUM),
    r(/\b(swap|exchange)\b.{0,25}\b(bigger|smaller|larger|different|another|other) (size|one|colou?r|model)\b/, STRONG),
    r(/\b(devolver|devolverlo|devolverla|devolverlos|devuelvo|devuelvan|devolvieran|devolucion|devoluciones|reembolso|reembolsar|reembolsen|me regresen (el|mi) dinero|regresar (el|la|los|las|un|una|este|esta|mi)|lo quiero regresar|la quiero regresar|regresarlo|regresarla)\b/, STRONG),
    r(/\b(cambiar|cambio)\b.{0,30}\bpor (otro|otra|uno|una)\b.{0,10}\b(talla|numero|color|modelo|tamano|mas (grande|chico|chica|pequeno|pequena))\b/, STRONG),
    r(/\b(otra|una) talla\b|\btalla mas (grande|chica|pequena)\b|\b(reembols\w*|vencid[oa]|caducad[oa])\b/, MEDIUM),
    r(/\b(llego|vino|esta|me llego) (roto|rota|danado|danada|mal|defectuoso|defectuosa|abierto|incompleto)|\b(equivocado|equivocada|incorrecto|incorrecta|defectuoso|defectuosa|danado|danada|no me queda|no me quedo|me queda (chico|grande|chica)|no era lo que pedi)\b/, MEDIUM),
    r(/\b(return|returns|refund|devoluciones)\b/, WEAK),
  ],
  product_recommendation: [
    r(/\b(recommend|recommendation|suggest|suggestion|what should i (buy|get|choose|use)|which (one|product|model|brand) (should|would|is best|is better|do you recommend))\b/, STRONG),
    r(/\b(which|what)\b( \w+){0,3} (works|work|is|are|would be|would work) (best|better|good|ideal)\b/, STRONG),
    r(/\bwhich (of|one of) (the|these|those|your)\b.{0,30}\b(better|best)\b/, STRONG),
    r(/\b(not sure|unsure|no idea|do not know) (which|what)\b.{0,25}\b(to|i should|should i)\b|\b(which|what) \w+( \w+)? (to|should i) (take|buy|get|use|choose|pick|try)\b/, STRONG),
    r(/\b(point me (to|towards|in the right direction)|help me (choose|pick|decide|find)|can not decide between|torn between|any ideas|what do you think would)\b/, MEDIUM),
    r(/\b(looking for|best|good|i am after) (a |an |some )?(gift|present|product|option)\b/, MEDIUM),
    r(/\b(gift for|present for|something for my|i am after (a|an|some)|(a )?good \w+( \w+)? for (beginners|a beginner|kids|children|babies|sensitive|dry|oily|curly|men|women|my))\b/, MEDIUM),
    r(/\b(advice|advise|your opinion)\b/, HINT),
    r(/\bwhat would you (get|buy|choose|pick|go for|use)\b/, STRONG),
    r(/\b(que|cual|cuales) (\w+ )?(me|le|nos) (queda|quedaria|quedan|va|iria) mejor\b/, STRONG),
    r(/\b(which|what) \w+( \w+)? (would be|is|are|will be) (the )?\w+est\b|\b(best ?sellers?|most popular|top rated|best rated)\b/, STRONG),
    r(/\bfor (dry|oily|sensitive|curly|frizzy|thin|fine|damaged|acne|mature|combination) (skin|hair)\b|\bpara (piel|pelo|cabello) (seca|seco|grasa|graso|sensible|rizado|fino|danado|maduro|mixta)\b/, HINT),
    r(/\b(ando buscando|estoy buscando|busco)\b.{0,30}\b(bueno|buena|buenos|buenas|para (correr|regalar|mi|el|la|un|una))\b/, MEDIUM),
    r(/\b(recomi?enda|recomi?endan|recomi?endas|recomendar|recomendarme|recomendacion|recomendaciones|sugiere|sugieren|sugieres|sugerir|sugerirme|sugerencia|que me (aconseja|aconsejan|aconsejas)|(cual|que) (me |le |nos )?(conviene|convendria)|cual es (el |la )?mejor|cual (me |le )?(recomiendan|recomienda))\b/, STRONG),
    r(/\b(cual|que) (\w+ ){1,2}(es|son|seria|serian) (el |la |los |las )?(mejor|mejores|mas recomendable)\b/, STRONG),
    r(/\b(busco|estoy buscando) (un|una|algo)\b.{0,20}\b(regalo|regalar|regalarle|para (mi|el|la))\b|\b(regalo|regalarle|regalar) (para|a) (mi|un|una)\b/, MEDIUM),
    r(/\b(cual|que) (es|seria) (mejor|mas (recomendable|conveniente))\b|\b(le|me) conviene mas\b/, STRONG),
  ],
  troubleshooting: [
    r(/\b(not working|does not work|do not work|stopped working|will not (turn on|start|charge|connect|load|pair|print|open|work|switch on|boot|sync|update)|broken|broke|broke down|error|crash(es|ed|ing)?|bug|glitch|keeps (failing|crashing|disconnecting)|can not (log ?in|sign ?in|connect|access|reset|open|pair|print|get in|get into|load))\b/, STRONG),
    r(re`\b${DEVICE}\b.{0,30}\b(is not|are not|was not|is no longer|keeps|kept|stopped|will not|does not|did not|never)\b.{0,5}\b(working|charging|turning on|loading|printing|connecting|pairing|responding|opening|arrives?|arriving|sending|syncing|\w+ing)\b`, STRONG),
    r(/\b(keeps|kept) (on )?(\w+ing)\b( me)?/, MEDIUM),
    r(/\b(leak(s|ing|ed)?|overheat(s|ing|ed)?|burning smell|smells? (of |like )?(burn\w*|smoke)|smoking|(strange|weird|loud|funny|grinding|clicking|buzzing) (noise|sound|smell)|flicker(s|ing)?|freez(es|ing)|frozen|(turns|shuts|switches) (itself )?off|logs? me out|logging me out|(is|gets) stuck|dead pixel|blank screen|black screen)\b/, STRONG),
    r(/\bonly (works|work|plays|play|charges|charge|prints|print|connects|connect|turns on)\b|\bstopped (charging|responding|connecting|printing)\b/, STRONG),
    r(/\b(does|do|did|will|is|are|was|were) not (work|working|respond|responding|charge|charging|turn on|turning on|load|loading|connect|connecting|pair|pairing|print|printing|open|opening|start|starting|boot|sync|syncing|update|updating|play|playing|scan|scanning|register|registering)\b/, STRONG),
    r(/\b(never|not|did not|do not|have not|still not|still have not) (got|get|gotten|received|receive|getting|arrive|arrived|arriving)\b.{0,20}\b(code|link|otp|verification|password|sms)\b|\b(verification|login|security|reset|confirmation|one-time) (code|link|email|sms)\b/, STRONG),
    r(/\bshows (a |the )?(different|wrong|weird|strange|incorrect|random) \w+|\b(wrong|incorrect|inaccurate) (reading|readings|weight|time|temperature|measurement)\b|\b(sparks?|sparking|cracked|shattered)\b/, MEDIUM),
    r(/\b(problem|issue|trouble|help) (with|using|connecting|logging|signing|getting)\b|\b(having|have) (problems|issues|trouble)\b/, MEDIUM),
    r(/\b(problems?|trouble|issues?|difficulty|problemas?|dificultades?) (para |to |with |al |en )?(entrar|ingresar|acceder|iniciar sesion|conectar(me)?|pagar|logging in|log ?in|signing in|sign ?in|access(ing)?|connect(ing)?|pay(ing)?|checking out|check out)\b/, STRONG),
    r(/\b(how (do i|to|can i) (fix|reset|set up|setup|configure|install|connect|pair|update|unlock|recover))\b/, STRONG),
    r(/\bno (me |nos |le )?(funciona|funcionan|anda|andan|sirve|sirven|carga|prende|enciende|conecta|abre|responde|sincroniza|suena|imprime|aplica|acepta|calienta|enfria|gira|lava|seca|marca|lee|reconoce|detecta|descarga|actualiza|vibra|jala)\b/, STRONG),
    r(/\b(dice que )?no es valid[oa]\b|\b(invalid|not valid|is invalid|says invalid|corrupted|corrupt)\b/, STRONG),
    r(/\b(declin(es|ed|ing)|beeps|beeping|rejects|rejected)\b/, MEDIUM),
    r(/\b(no se conecta|no me deja (entrar|ingresar|iniciar|acceder|pagar)|dejo de (funcionar|andar|servir|cargar)|se rompio|se descompuso|falla|fallando|error|no puedo (entrar|iniciar sesion|conectar|acceder|ingresar))\b/, STRONG),
    r(/\bse (apaga|reinicia|traba|congela|calienta|cuelga|desconecta|bloquea|sobrecalienta|tilda|cierra|sale|pega|borra)\b|\b(echa|saca|tira|hace) (chispas|humo)\b|\bchispas\b|\b(parpadea|gotea|pierde agua|hace (ruido|un ruido)|huele a quemado|sale humo|pantalla (negra|en blanco)|luz roja)\b/, STRONG),
    r(/\b(problema|problemas|ayuda) (con|para)\b|\btengo (un )?(problema|problemas|falla)\b/, MEDIUM),
    r(/\b(como (arreglo|reinicio|configuro|instalo|conecto|reseteo|recupero|desbloqueo))\b/, STRONG),
  ],
  profile_update: [
    r(re`\b(update|change|correct|edit|fix|amend)\b.{0,20}\b(my )?${CONTACT_FIELD_EN}\b`, STRONG),
    r(/\b(delete|remove|erase)\b.{0,20}\b(my )?(data|account|information|profile|details)\b/, STRONG),
    r(/\b(unsubscribe|stop (sending|messaging|texting|contacting)|opt out|opt-out|do not (message|contact|text) me|(take me off|remove me from|unsubscribe me from|delete me from) (your |the )?(mailing |contact |marketing |whatsapp |sms |email )?(list|lists|newsletters?|database|contacts|mailing|broadcasts?|messages|promotions|updates|notifications|offers|marketing|group))\b/, STRONG),
    r(/\b(do not|stop|quit|no more) (send|sending|text|texting|message|messaging|email|emailing|contact|contacting|call|calling)( me)?\b.{0,20}\b(marketing|promo\w*|newsletters?|offers|ads|adverts|spam|messages|emails|texts)\b/, STRONG),
    r(/\b(my new (email|address|phone|number|mobile|name)( address| number)? is|new (email|address|number|phone|mobile)( address| number)?:)/, STRONG),
    r(re`\b${CONTACT_FIELD_EN} (on|in|for) (my|the) (account|file|profile|records?)\b|\b(in|on) your (records|system|file|database)\b|\bon my (file|account|profile)\b`, MEDIUM),
    r(/\b(name|surname|last name|email|address|number|phone) (has )?changed\b|\bi have (moved|changed (my )?(number|phone|email))\b|\bi moved (house|home|to)\b/, MEDIUM),
    r(/\b(prefer|preference|rather)\b.{0,25}\b(email|e-mail|whatsapp|sms|text|texts|call|calls|phone|language|spanish|english|contacted|contact)\b/, MEDIUM),
    r(/\b(contacted|contact me|reach me) (by|via|through|on|at)\b/, MEDIUM),
    r(re`\b(actualizar|actualicen|actualiza|cambiar|cambien|modificar|modifiquen|corregir|corrijan)\b.{0,20}\b(mi |mis )?${CONTACT_FIELD_ES}\b`, STRONG),
    r(/\b(cambie|cambio) de (numero|telefono|celular|correo|email|direccion|domicilio|casa)\b|\bme (cambie|mude)\b/, STRONG),
    r(/\b(ahora )?mi (apellido|nombre|correo|numero|telefono|direccion|email|celular|domicilio) (ahora )?es\b|\bme (case|divorcie)\b|\bcambie de (apellido|nombre)\b/, MEDIUM),
    r(/\b(ahora mi|mi nuevo|mi nueva) (apellido|nombre|correo|numero|telefono|direccion|email|celular|domicilio)\b/, STRONG),
    r(/\bya no (uso|tengo|ocupo) (ese|este|mi|el) (correo|numero|telefono|celular|email|mail)\b|\b(anoten|registren|guarden|usen|pongan|agreguen) (este|el nuevo|mi nuevo|esta|la nueva|mi nueva)\b/, STRONG),
    r(/\b(mi |el |la )?(nuevo|nueva) (numero|correo|direccion|telefono|celular|email)\b|\b(el|la) (nuevo|nueva) es\b|\bahora es\b.{0,5}@/, MEDIUM),
    r(/\b(borrar|borren|borra|eliminar|eliminen|elimina|suprimir|saquen|quiten|sacar)\b.{0,20}\b(mis |mi )?(datos|cuenta|informacion|perfil|numero|correo|telefono|email)\b/, STRONG),
    r(/\b(contact|write|message|speak|talk|text|email) (to )?me (only )?in (spanish|english|french|portuguese)\b|\bonly (contact|write|message|text|email) me\b/, STRONG),
    r(/\b(darme de baja|denme de baja|dar de baja mi (numero|correo|suscripcion)|no me (escriban|envien|manden|contacten)|(ya )?no (quiero|deseo) recibir|dejen de (enviarme|mandarme|escribirme))\b/, STRONG),
    r(/\b(prefiero que me (contacten|escriban|llamen)|prefiero (por|el) (correo|whatsapp|telefono|email))\b/, MEDIUM),
  ],
  lead: [
    r(/\b(interested in|interest in)\b.{0,30}\b(your|buying|purchasing|partnership|partnering|services?|products?|plan|demo|solution|software|platform|working with|stocking|becoming|reselling|distributing)\b/, STRONG),
    r(/\b(book|schedule|request|get|want) (a )?demo\b|\bdemo\b|\b(see|try) (it|the \w+( \w+)?) in action\b|\bfree trial\b|\bwalk (me|us) through\b/, STRONG),
    r(/\b(our (company|team|business|members|clients|customers|employees|staff|stores|locations|clinics|branches|sites)|for my (company|team|business)|we are (a|an)|enterprise|employees|seats|licenses|budget)\b/, MEDIUM),
    r(re`\b(i|we) (run|own|manage|have) (a|an|\d+)\b.{0,20}\b${BUSINESS}\b|\b\d+ (locations|stores|shops|branches|clinics|offices|outlets|sites|employees|staff)\b`, MEDIUM),
    r(/\b(we|i) (manage|run|own|operate) (\d+|a|an|several|multiple|two|three|four|five|many)\b/, MEDIUM),
    r(re`\bour ${BUSINESS}\b|\b(we|i) (run|own|manage|have|operate) (a|an|\d+|two|three)\b.{0,20}\b${BUSINESS}\b`, MEDIUM),
    r(/\b((looking for|need|seeking|find) (a |an )?(new |regular |reliable )?(supplier|provider|vendor|partner|distributor)|(supplier|provider|vendor) (of|for)|work with (small )?(businesses|companies|clinics|schools|hotels|restaurants|offices|gyms)|b2b)\b/, STRONG),
    r(/\b(buscamos|busco|necesitamos) (un |una )?(proveedor|proveedora|distribuidor|socio)|\bproveedor(es)? de\b|\b(poner|abrir|tener) (una|un) (franquicia|sucursal)\b/, STRONG),
    r(/\b(stock|carry|sell|resell|retail|distribute) (your|their) (\w+ )?(products?|line|range|brand|items)\b|\bopening (a|an|my|our) (new |second |third )?(salon|shop|store|clinic|gym|cafe|branch|location)\b/, STRONG),
    r(/\b(give|do|run) a (presentation|demo|pitch|workshop|talk) (to|for) (our|my)\b|\bour (hr|it|marketing|sales|operations|purchasing|procurement) (department|team)\b/, MEDIUM),
    r(re`\b(manejo|tengo|administro|dirijo|manejamos|tenemos|administramos) (\d+|varios|varias|dos|tres|cuatro|cinco) ${BUSINESS_ES}s?\b`, MEDIUM),
    r(/\b(precios|tarifas|descuentos|planes|paquetes|convenios) (especiales )?(para|a|con) (empresas|negocios|companias|mayoristas|instituciones)\b/, STRONG),
    r(/\b(corporate (packages?|plans?|rates?|accounts?|clients?|deals?|discounts?|wellness)|(packages?|plans?|rates?) for (businesses|companies|teams|our staff|employees)|staff wellness|team building|regular (supplier|partner|contract)|\w+ partner|on a (monthly|weekly|regular) basis|recurring (service|contract|order))\b/, MEDIUM),
    r(/\b(sales (team|rep|department|person)|talk to sales|someone from sales|from your sales|pricing plans?|business plans?|corporate plans?|enterprise plans?|partnership|partner with you|reseller|resell|distributor|distribute your|stockist|wholesale account|franchise)\b/, STRONG),
    r(/\b(interesad[oa]s? en|me interesa|nos interesa|me interesaria|nos interesaria)\b/, STRONG),
    r(re`\b(nuestra empresa|mi empresa|para mi negocio|para nuestro negocio|presupuesto de|empleados|demostracion|nuestro equipo|tengo (una|un) ${BUSINESS_ES}|somos (una|un) ${BUSINESS_ES}|represento a (una|un) ${BUSINESS_ES}|cadena de)\b`, MEDIUM),
    r(/\b(vender|revender|distribuir|ofrecer|manejar) (sus|tus|vuestros) (productos|servicios|marcas?)\b|\ben (mi|nuestra|nuestro) (tienda|negocio|local|farmacia|clinica|gimnasio|salon)\b/, MEDIUM),
    r(/\b(demostracion|demo|prueba gratis|prueba gratuita|distribuidor|distribuidora|distribuir|revender|revendedor|franquicia|plan (corporativo|empresarial|para empresas)|ventas al mayoreo|alianza|asociarnos|socio comercial)\b/, STRONG),
  ],
  document: [
    r(/\b(attached|attachment|attaching|enclosed|here is (the|my) (file|document|invoice|receipt|pdf|contract|id))\b/, STRONG),
    r(re`\b(here is|here are|here you go|here it is|this is|these are|sending( you)?( over)?|sent( you)?( over)?|send over|i am sending|i have sent|i sent|just sent|please find|find attached|see attached|uploading|uploaded|i have (uploaded|attached)|i am (uploading|attaching)|forwarding|scanned)\b.{0,35}\b${DOC_EN}\b`, STRONG),
    r(re`\b${DOC_EN}\b.{0,20}\b(sent|sending|attached|upload|uploaded|process|review|below|above|here)\b`, MEDIUM),
    r(/\.(pdf|docx?|xlsx?|csv|png|jpe?g|heic)\b/, STRONG),
    r(/\b(adjunto|adjunta|adjuntos|te envio|le envio|les envio|envio el|aqui esta (el|la|mi)) ?(archivo|documento|factura|recibo|contrato|pdf|foto)?\b/, MEDIUM),
    r(re`\b(te|le|les|se los|se las|se lo|se la) (mando|envio|paso|comparto|adjunto|reenvio)\b.{0,15}\b${DOC_ES}\b`, STRONG),
    r(re`\b(mando|envio|paso|comparto|adjunto|subo|reenvio|mande|envie|adjunte|subi|reenvie)\b (la |el |las |los |una |un |mi |mis |tu |su )?${DOC_ES}\b`, STRONG),
    r(re`\b(aqui|ahi) (va|van|esta|estan|tienen|tiene|les dejo|te dejo)\b.{0,15}\b${DOC_ES}\b`, STRONG),
    r(/\b(archivo|documento|factura|recibo|contrato)\b.{0,20}\b(adjunto|enviado|subido|revisar|procesar)\b/, STRONG),
  ],
  reminder: [
    r(/\b(remind|reminder|reminders|remember to (text|tell|message|call) me)\b/, STRONG),
    r(/\b(do not let me forget|can you remind|so i do not forget|heads[- ]?up|nudge me|set (an|a) (alert|alarm)|alert me)\b/, STRONG),
    r(/\b(text|message|ping|email|notify|call|whatsapp|buzz) me\b.{0,25}\b(the day before|the night before|a day before|an hour before|before|beforehand|in advance|ahead of)\b/, STRONG),
    r(/\bping me\b|\b(text|message|notify) me (on|in|next|tomorrow|when)\b/, MEDIUM),
    r(/\b(message|text|call|notify|tell|email|ping|whatsapp) me when (my|the|it|they|its|it is|the \w+)\b.{0,25}\b(ready|done|available|in stock|back|arrives?|arrived|here)\b|\blet me know when\b/, STRONG),
    r(/\b(the day|the night|a day|a week|an hour|\d+ (hours?|days?|weeks?|minutes?|mins?)) (before|ahead)\b/, HINT),
    r(/\b(recuerdame|recordarme|recordarnos|recordatorio|recordatorios|recuerdenme|recuerdeme|me recuerdas|me recuerdan|me recuerda|me recuerden|me recuerde|nos recuerden)\b/, STRONG),
    r(/\b(avisame|avisenme|avisarme|me avise|me avisen|me avisas|notifiquenme|notificarme)\b/, STRONG),
    r(/\b(avisar|avisen|avisarme|avisenme|escribir|escribanme|mandar|mandenme|enviar|envienme|recordar)\w*\b.{0,30}\b(un dia|una hora|el dia|la noche|\d+ (horas|dias|minutos)) (antes|anterior)\b/, STRONG),
    r(/\b(me (pueden|puede|podrian) avisar|me avisan)\b/, MEDIUM),
    r(/\b(no se me olvide|no me olvide|para no olvidar(me|lo)?|que no se me pase|la vispera|la noche anterior|el dia anterior)\b/, STRONG),
    r(/\b(para acordarme|para que me acuerde|para no olvidarme|acordarme de)\b/, STRONG),
    r(/\b(mandame|mandenme|enviame|envienme|escribeme|escribanme) un (mensaje|mensajito|whatsapp|recordatorio|texto)\b/, MEDIUM),
  ],
  human_handoff: [
    r(/\b(talk|speak|chat) (to|with) (a |an |the |your |some )?(real |actual |live |proper )?(human|person|agent|someone|somebody|representative|rep|manager|real person|operator|supervisor|owner|boss|staff|member of (your )?staff|doctor|dentist)\b/, 0.95),
    r(/\b(human|real person|live agent|customer service|representative|operator|staff member|member of staff|someone from your (team|staff))\b/, MEDIUM),
    r(/\b(get|put|give|connect|transfer|pass|send) me (to |through to |with |over to )?(a |an |the )?(real |actual |live )?(person|human|agent|manager|someone|somebody|representative|operator|supervisor)\b/, 0.95),
    r(/\b(deal with|dealing with) (a |an )?(real |actual )?(person|human)\b/, STRONG),
    r(/\b(manager|supervisor|person|human|someone|somebody|anyone|anybody) (i|we) (can|could|may) (speak|talk|chat) (to|with)\b/, 0.95),
    r(/\b(do not|never) want (to (talk|speak|chat) (to|with) )?(a |an |the )?(bot|robot|machine|chatbot|automated)\b|\b(no quiero|no deseo) (hablar|tratar|chatear) con (un|una|el) (bot|robot|maquina|contestador)\b/, STRONG),
    r(/\b(unhappy|disappointed|upset|angry|furious|disgusted|not happy|fed up|appalled|molesto|molesta|enojado|enojada|decepcionado|decepcionada|indignado|indignada)\b/, MEDIUM),
    r(/\b(how|the way) (i|we) (was|were) (treated|spoken to)|\b(rude|disrespectful|grosero|grosera|maltrato|me trataron)\b/, MEDIUM),
    r(/\b(me (pueden|puede|podrian|podria) llamar|me llaman|llamarme|llamenme|me marcan|marquenme)\b/, MEDIUM),
    r(/\b(call me back|call me|give me a call|ring me|phone me)\b/, MEDIUM),
    r(/\b(are you a (bot|robot)|is this a (bot|robot)|(this|the|your) (bot|robot|chatbot|machine) (is not|does not|can not)|not (talking|speaking) to a (bot|machine))\b/, MEDIUM),
    r(/\b(hablar con|comunicarme con|pasame con|pasenme con|quiero hablar con|comuniqueme con|comuniquenme con)\b.{0,15}\b(persona|humano|agente|alguien|encargado|encargada|gerente|asesor|asesora|operador|responsable|dueno|duena|supervisor)\b/, 0.95),
    r(/\b(hablar|platicar|conversar) con (el|la|un|una|algun|alguna) (doctor|doctora|dr|dra|medico|medica|dentista|encargado|encargada|gerente|gerencia|administracion|direccion|dueno|duena|jefe|jefa|responsable|recepcion|recepcionista|secretaria|persona|humano|empleado|empleada)\b/, 0.95),
    r(/\b(me )?(conteste|contesten|atienda|atiendan|responda|respondan|escriba|escriban) (una persona|alguien|un humano|un asesor|una asesora|un agente|el encargado|la encargada)\b/, 0.95),
    r(/\b(been waiting|still waiting|waiting for) (\d+|two|three|several|many)? ?(days?|hours?|weeks?)?\b.{0,25}\b(answer|reply|response|call back|callback)\b|\b(ridiculous|this is a joke|es una burla|llevo (\d+|dos|tres|varios) (dias|horas|semanas) esperando)\b/, MEDIUM),
    r(/\b(me (comunican|comunicas|pasan|pasas|transfieren|conectan)|comunicame|comuniquenme|transfiereme|pasenme|pasame) con\b/, STRONG),
    r(/\b(persona real|un humano|atencion al cliente|asesor|asesora|alguien de verdad|persona de verdad|alguien real|encargado|encargada)\b/, MEDIUM),
    r(/\b(me (llame|llamen|contacte|contacten|atienda|atiendan)|llamenme|llamame)\b.{0,12}\b(una persona|alguien|un humano|un asesor|un agente|el encargado|la encargada|persona)\b/, 0.95),
    r(/\b(es un (bot|robot)|eres un (bot|robot)|esto es un (bot|robot)|hablo con (un|una) (maquina|robot|bot))\b/, MEDIUM),
    r(/\b(recepcion|recepcionista|front desk|reception)\b/, HINT),
    r(/\b(escalat\w*|your (service|staff|team) (has been|is|was|were) (terrible|awful|bad|poor|horrible|rude|useless))\b/, STRONG),
    r(/\b(complaint|complain\w*|unacceptable|terrible service|awful service|worst service|lawyer|sue|nobody (answers|responds|replies|helps|calls)|no one (answers|responds|replies|helps|calls)|queja|quejarme|reclamo|reclamacion|inaceptable|pesimo servicio|mal servicio|nadie (responde|contesta|me atiende))\b/, MEDIUM),
  ],
};

/**
 * A message made only of small talk (greetings, thanks, goodbyes, "how are you"), with
 * nothing left over once those phrases are taken out, is a greeting however it is worded.
 * Longer phrases come first in each alternation so "buenas tardes" is taken whole.
 */
const SMALL_TALK_CORE =
  /\b(good (morning|afternoon|evening|day|night)|hi|hello|hey|hiya|howdy|morning|evening|hola|holi|buenas (tardes|noches)|buenos dias|buenas|saludos|que tal (estan|estas|todo)|que tal|que onda|how are you( doing| all| guys)?( today)?|how is it going|how are things|hope (you are|you all are|everyone is|all is|this finds you)( all)? (well|good|ok|fine|doing well)|como (estan|estas|esta|andan|andas|va|te va|les va)( usted| ustedes| todos)?|todo bien|espero que (esten|estes) bien|thanks( a lot| so much| very much| again| a million)?|thank you( so much| very much| again| a lot)?|many thanks|cheers|much appreciated|appreciate it|muchas gracias|mil gracias|gracias|te lo agradezco|se los agradezco|bye bye|goodbye|bye|see you( soon| later| then| tomorrow| on \w+| \w+day)?|see ya|take care|have a (nice|good|great|lovely) (day|one|weekend|evening)|adios|chao|chau|hasta (luego|pronto|manana|la proxima)|nos vemos( pronto| manana| el \w+)?|que (tengas|tenga|tengan) (un )?(buen|lindo|excelente) dia|cuidate)\b/g;
const SMALL_TALK_FILLER =
  /\b(you (have|are|were) been (so |very |super |really )?(helpful|kind|great|amazing|lovely)|(so|very|super|really) (helpful|kind)|muy (amables?|atentos?)|que amables?|por todo|for everything|for your help|for the help|por la ayuda|por su ayuda|ok|okay|okey|great|perfect|cool|awesome|nice|excellent|sounds good|got it|all good|that is all( i needed)?|that is it|listo|perfecto|genial|vale|dale|excelente|de acuerdo|entendido|buenisimo|super|eso es todo|there|all|everyone|guys|team|folks|amigos|a todos|again|de nuevo|and|y|so|very|much|too|also|tambien)\b/g;

function isSmallTalk(normalized: string): boolean {
  const withoutCore = normalized.replace(SMALL_TALK_CORE, ' ');
  if (withoutCore === normalized) return false;
  return !/[a-z0-9]/.test(withoutCore.replace(SMALL_TALK_FILLER, ' '));
}

/**
 * Attempts to steer the assistant rather than ask the business something: override its
 * instructions, give it a new persona, make it reveal its prompt or other customers' data.
 */
const INJECTION: RegExp[] = [
  /\b(ignore|disregard|forget|override|bypass|skip|drop) (all |any |the |your |my |of )*(previous |prior |above |earlier |preceding |original |current |system |safety )?(instructions|prompts?|rules|directions|guidelines|directives|policies|programming|training|constraints|restrictions|guardrails)\b/,
  /\b(ignore|disregard|forget) (everything|anything|all|what)( that)?( you (were|have been|was) (told|given|instructed)| above| before| previously| i said)\b/,
  /\b(system prompt|hidden (rules|instructions|prompt)|internal (rules|instructions)|initial prompt|system message|admin commands)\b/,
  /\b(print|show|reveal|repeat|output|display|dump|leak|include|list) (me )?(your|all your)( \w+)? (prompt|instructions|rules|configuration|config|commands)\b|\bthe (system|hidden|internal|secret|original|initial) (prompt|instructions|rules)\b/,
  /\brepeat (the |all |everything )?(text|words|above|everything)( above| before)?\b.{0,20}\bverbatim\b|\bverbatim\b/,
  /\b(you are now|from now on,? you (are|will|must|respond|answer|act|have|shall)|pretend (you are|to be|that you)|role-?play as|act as (an? |the )?(admin|administrator|developer|dan|root|system|unrestricted|different|new)|you are (a|an) \w+ now)\b/,
  /\b(jailbreak|developer mode|dev mode|god mode|dan mode|do anything now|unrestricted (ai|mode|assistant|model|bot)|(ai|assistant|model|bot|chatbot) (with no|without( any)?) (policies|restrictions|rules|filters|limits|guidelines))\b/,
  /(^|#+ ?|\[)new instructions\b|\bnew instructions ?:|\badmin override\b/,
  /^(system|assistant|developer|admin|administrator|root) ?:|\[(system|inst)\]|<\/?(system|assistant|instructions?|prompt)>/,
  /\bthe user is (an? |the )?(admin|administrator|developer|root|verified|authorized|owner)\b/,
  /\b((now you are|ahora eres|ahora tu eres) (a|an|the|my|el|la|un|una|mi)|change your role|cambia tu rol|new role|nuevo rol|your new (task|role|job|instructions?|purpose) (is|are)|tu nueva (tarea|funcion|instruccion|mision) es)\b/,
  /\b(previous|prior|earlier|your|all) (instructions|rules|prompts?) (are|is) (void|null|cancelled|canceled|revoked|obsolete|overridden)\b|\b(instrucciones|reglas) (anteriores )?(son|quedan|estan) (anuladas|canceladas|sin efecto|invalidas)\b/,
  /\b(disable|turn off|deactivate|remove) (your |all |the )?(filters|safety|safeguards|restrictions|guardrails|content policy)\b|\b(desactiva|apaga|quita|elimina) (tus |los |las |todos los |todas las )?(filtros|restricciones|reglas|salvaguardas)\b/,
  /\b(developer|admin|administrator|root|elevated) (access|privileges|permissions)\b|\b(act|respond|answer) as if you (are|were)\b|\byou are (chatgpt|gpt|an ai|a language model|an llm)\b/,
  /\b(every|all|other|all the|all your) (patient|customer|client|user|member)s?'?s? (phone|number|data|email|address|record|detail|information|password|card)/,
  // Spanish
  /\b(ignora|ignorar|ignore|olvida|olvidate de|olvide|descarta|omite|saltate|salta|no sigas) (todas |todos |tus |las |los |de |sus )*(instrucciones|reglas|indicaciones|politicas|normas|restricciones|limites|directrices)\b/,
  /\b(ignora|ignorar|olvida|olvidate de|descarta|omite) (todo lo anterior|todo lo que te (dijeron|indicaron|ordenaron|programaron)|lo que te (dijeron|indicaron|ordenaron|programaron))\b/,
  /\b(responde|actua|habla|contesta) como si (fueras|fuera|eres|seas)\b|\b(dame|darme|dar) acceso (al sistema|de administrador|total|root|a la base de datos|al panel)\b/,
  /\b(a partir de ahora|desde ahora|de ahora en adelante),? (eres|seras|vas a ser|responde|responderas|actua|actuaras|ignora|no tienes|tu eres)\b/,
  /\b(eres|seas|actua como|responde como|asistente|ia|modelo|bot)\b.{0,30}\bsin (restricciones|filtros|reglas|censura|limites)\b/,
  /\bmodo (desarrollador|dios|admin|administrador|root|sin restricciones|dan)\b/,
  /\b(prompt (del|de) sistema|instrucciones (internas|ocultas|del sistema|secretas)|reglas (internas|ocultas|secretas)|(muestrame|dime|revela|ensename|imprime|repite) (tu|tus|el|las) (prompt|instrucciones))\b/,
  /\b(actua como|actuar como|comportate como) (un |el |una )?(administrador|admin|root|desarrollador|sistema|otro asistente)|\b(finge|fingir) (que eres|ser)\b|\bhaz de cuenta que eres\b|\bimagina que eres\b/,
  /\b(datos|informacion|telefonos|correos|direcciones) de (otros|todos los|los demas) (clientes|pacientes|usuarios)\b|\bnuevas instrucciones\b|\bel usuario es (un |el )?(administrador|admin)\b/,
];

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
  // "update my address" is about the customer's address, not the shop's.
  profile_update: ['inquiry'],
};

/** Confidence under which a secondary intent is not reported. */
export const SECONDARY_INTENT_MIN = 0.7;

/**
 * Intents at or above this score are all confident; among them the one the customer
 * mentions first is the primary, as people lead with their main request.
 */
const CONFIDENT = 0.85;

interface Evidence {
  score: number;
  /** Where the first telling match starts; orders confident intents by mention. */
  position: number;
}

function combine(weights: number[]): number {
  // Independent evidence: 1 - Π(1 - w). Two weak hints make a medium one; nothing reaches 1.
  const miss = weights.reduce((acc, w) => acc * (1 - w), 1);
  return Math.min(0.98, Number((1 - miss).toFixed(3)));
}

function gatherEvidence(normalized: string): Map<Intent, Evidence> {
  const evidence = new Map<Intent, Evidence>();
  for (const [intent, rules] of Object.entries(RULES) as Array<[Intent, Rule[]]>) {
    const weights: number[] = [];
    let position = Number.POSITIVE_INFINITY;
    let weakPosition = Number.POSITIVE_INFINITY;
    for (const rule of rules) {
      const m = rule.pattern.exec(normalized);
      if (!m) continue;
      weights.push(rule.weight);
      if (rule.weight >= MEDIUM) position = Math.min(position, m.index);
      weakPosition = Math.min(weakPosition, m.index);
    }
    if (intent === 'greeting' && isSmallTalk(normalized)) {
      weights.push(0.95);
      position = Math.min(position, 0);
    }
    if (weights.length > 0) {
      evidence.set(intent, { score: combine(weights), position: Number.isFinite(position) ? position : weakPosition });
    }
  }
  for (const [specific, generic] of Object.entries(SUPERSEDES) as Array<[Intent, Intent[]]>) {
    const specificScore = evidence.get(specific)?.score ?? 0;
    if (specificScore < SECONDARY_INTENT_MIN) continue;
    for (const g of generic) {
      // "I want to cancel my appointment" also matches "want … appointment": a strong
      // specific phrase wins outright; a weaker one only over a weaker generic match.
      if (specificScore >= STRONG || (evidence.get(g)?.score ?? 0) <= specificScore) evidence.delete(g);
    }
  }
  // A greeting in front of a request is politeness, not a second intent.
  if (evidence.size > 1 && (evidence.get('greeting')?.score ?? 0) < 0.95) evidence.delete('greeting');
  return evidence;
}

/**
 * Confident intents that lead whatever the order of mention: the remedy a customer asks
 * for, over the problem that explains it ("it broke, I want my money back" is a return).
 */
const LEADS_OVER: ReadonlyArray<[Intent, Intent]> = [
  ['return_request', 'troubleshooting'],
  // An existing purchase gone wrong is dealt with before a new sale.
  ['return_request', 'product_recommendation'],
];

function leads(a: Intent, b: Intent): number {
  if (LEADS_OVER.some(([first, second]) => first === a && second === b)) return -1;
  if (LEADS_OVER.some(([first, second]) => first === b && second === a)) return 1;
  return 0;
}

/** Intents in rank order: confident ones by order of mention, then the rest by score. */
function rank(evidence: Map<Intent, Evidence>): Array<[Intent, number]> {
  const entries = [...evidence.entries()];
  const confident = entries
    .filter(([, e]) => e.score >= CONFIDENT)
    .sort((a, b) => leads(a[0], b[0]) || a[1].position - b[1].position || b[1].score - a[1].score);
  const rest = entries.filter(([, e]) => e.score < CONFIDENT).sort((a, b) => b[1].score - a[1].score);
  return [...confident, ...rest].map(([intent, e]) => [intent, e.score]);
}

/** Scores every intent against the keyword rules, in rank order (primary first); exported for the accuracy report. */
export function scoreIntents(normalized: string): Map<Intent, number> {
  return new Map(rank(gatherEvidence(normalized)));
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
  if (INJECTION.some((pattern) => pattern.test(normalized))) {
    return { ...base, intent: 'unknown', intents: ['unknown'], confidence: 0.1, flags: ['prompt_injection'] };
  }

  const ranked = [...scoreIntents(normalized).entries()];
  if (ranked.length === 0) {
    const flags: TriageFlag[] = looksLikeGibberish(text) ? ['gibberish'] : [];
    return { ...base, intent: 'unknown', intents: ['unknown'], confidence: NOTHING_MATCHED, flags };
  }

  const [primary, confidence] = ranked[0];
  const intents = ranked.filter(([, score], i) => i === 0 || score >= SECONDARY_INTENT_MIN).map(([intent]) => intent);
  return { ...base, intent: primary, intents, confidence, flags: [] };
}
