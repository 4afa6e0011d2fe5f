import { createKnowledgeAgents } from '../../src/activities/agents/knowledge-agents';
import { triageAgent } from '../../src/activities/agents/triage-agent';
import type { AgentInput } from '../../src/contracts';
import { extractEntities } from '../../src/domain/entities';
import { detectLanguage } from '../../src/domain/text';
import { getKnowledgeBase } from '../../src/knowledge';
import { Dialogue, NOW } from '../helpers/agent-dialogue';

/** The knowledge agents closing a dialogue on a no, and the small-talk replies of the triage agent. */
describe('inquiry and troubleshooting', () => {
  const agents = () => createKnowledgeAgents(getKnowledgeBase());

  it('closes on a no when asked for more details, without handing over to a person (English and Spanish)', async () => {
    const chat = new Dialogue('inquiry', agents().inquiryAgent, 'inquiry');
    const ask = await chat.say('I have a question');
    expect(ask.outcome.awaiting).toMatchObject({ kind: 'details' });
    const no = await chat.say('no thanks');
    expect(no.outcome).toEqual({ agent: 'inquiry', intent: 'inquiry', text: 'No problem. Ask me anything else whenever you like.', facts: { articles: [], declined: true } });

    const es = new Dialogue('troubleshooting', agents().troubleshootingAgent, 'troubleshooting');
    await es.say('algo no va bien');
    const nada = await es.say('no, gracias');
    expect(nada.outcome.text).toBe('Sin problema. Pregúntame lo que quieras cuando quieras.');
    expect(nada.outcome.facts).toEqual({ articles: [], declined: true });
  });
});

describe('triage agent (greetings, thanks, goodbyes, the clarifying question)', () => {
  function input(body: string, senderName: string | undefined, routeReason: AgentInput['routeReason'] = 'matched'): AgentInput {
    return {
      workflowId: 'msg:whatsapp:triage-agent',
      chatId: 'triage@c.us',
      channel: 'whatsapp',
      body,
      intent: routeReason === 'clarify' ? 'unknown' : 'greeting',
      senderName,
      triage: { entities: extractEntities(body), language: detectLanguage(body), urgency: 'normal', confidence: 0.95 },
      routeReason,
      receivedAt: NOW,
    };
  }

  it.each([
    ['hi there', 'Ana Chan', 'Hello Ana! How can I help you today? I can book appointments, answer questions about our hours and prices, and more.', 'hello'],
    ['hola, buenos días', 'Lucía', '¡Hola Lucía! ¿En qué puedo ayudarte hoy? Puedo agendar citas, responder preguntas sobre horarios y precios, y más.', 'hello'],
    ['thanks a lot!', undefined, "You're welcome! Let me know if there is anything else I can do.", 'thanks'],
    ['muchas gracias', 'Lucía', '¡De nada Lucía! Avísame si necesitas algo más.', 'thanks'],
    ['ok bye', 'Ana', 'Goodbye Ana, have a great day!', 'goodbye'],
    ['adiós, hasta luego', undefined, '¡Hasta luego, que tengas un buen día!', 'goodbye'],
  ])('%p from %p → %p', async (body, name, reply, kind) => {
    const outcome = await triageAgent(input(body, name));
    expect(outcome).toEqual({ agent: 'triage', intent: 'greeting', text: reply, facts: { kind } });
  });

  it('asks what the customer needs when routing asks it to clarify, whatever the words (English and Spanish)', async () => {
    expect((await triageAgent(input('asdf qwerty thanks', 'Ana', 'clarify'))).text).toBe(
      "Sorry, I didn't quite get that. Could you tell me what you need? For example: book an appointment, check an order, ask about prices or opening hours.",
    );
    expect((await triageAgent(input('no entiendo nada de esto, gracias', 'Ana', 'clarify'))).text).toBe(
      'Perdona, no te he entendido bien. ¿Me dices qué necesitas? Por ejemplo: reservar una cita, consultar un pedido, preguntar precios u horarios.',
    );
  });
});
