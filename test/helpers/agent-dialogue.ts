import { randomUUID } from 'node:crypto';
import type { BusinessSettings } from '../../src/activities/deps';
import type { AgentInput, AgentOutcome, MessageMedia } from '../../src/contracts';
import { interpretAnswer } from '../../src/domain/answers';
import type { AgentName } from '../../src/domain/agent-registry';
import { DEFAULT_OPENING_HOURS } from '../../src/domain/business-calendar';
import { extractEntities } from '../../src/domain/entities';
import type { Intent } from '../../src/domain/intents';
import { pendingFrom, type AnswerReading, type PendingQuestion, type ResolvedAnswer } from '../../src/domain/questions';
import { detectLanguage } from '../../src/domain/text';

/**
 * One chat talking to one agent activity, turn by turn, the way the message workflow drives
 * it: the first message goes to the agent alone; the question in its outcome becomes the
 * chat's pending question; the next message is read against it (interpretAnswer) and given
 * back to the same agent, with the asking turn's intent and a new workflow id.
 */

/** A Monday, 08:00 UTC: the first free slots are Monday 30 November from 09:00. */
export const NOW = '2026-11-30T08:00:00Z';

export const BUSINESS: BusinessSettings = { timezone: 'UTC', openingHours: DEFAULT_OPENING_HOURS, handoffTimeoutSeconds: 86400, clarificationWindowSeconds: 86400 };

export type Agent = (input: AgentInput) => Promise<AgentOutcome>;

export interface Turn {
  outcome: AgentOutcome;
  workflowId: string;
  /** The input the agent was given (to run it again, as a retried activity would). */
  input: AgentInput;
  reading?: AnswerReading;
  /** The question the conversation holds after this turn. */
  pending?: PendingQuestion;
}

export interface SayOptions {
  media?: MessageMedia;
  /** The message's workflow id; a fresh one when absent. */
  workflowId?: string;
  receivedAt?: string;
  /**
   * The reading the turn settles on instead of interpretAnswer's: readTurn gives the asking
   * agent an unclear answer as `text` when triage reads the words as that agent's business.
   */
  readAs?: AnswerReading;
}

export function newChatId(): string {
  return `${randomUUID().slice(0, 8)}@c.us`;
}

export class Dialogue {
  private pending?: PendingQuestion;
  private language?: string;

  constructor(
    private readonly agentName: AgentName,
    private readonly agent: Agent,
    private readonly intent: Intent,
    readonly chatId: string = newChatId(),
    private readonly timezone: string = BUSINESS.timezone,
  ) {}

  get question(): PendingQuestion | undefined {
    return this.pending;
  }

  async say(text: string, options: SayOptions = {}): Promise<Turn> {
    const workflowId = options.workflowId ?? `msg:whatsapp:${randomUUID()}`;
    const receivedAt = options.receivedAt ?? NOW;
    const entities = extractEntities(text);
    // The conversation's language: a short answer ("no", "45821") keeps the language it was in.
    this.language ??= detectLanguage(text);
    let answer: ResolvedAnswer | undefined;
    if (this.pending) {
      const reading = options.readAs ?? interpretAnswer(text, this.pending, { now: receivedAt, timezone: this.timezone, hasMedia: Boolean(options.media), entities });
      answer = { question: this.pending, reading };
    }
    const input: AgentInput = {
      workflowId,
      chatId: this.chatId,
      channel: 'whatsapp',
      body: text,
      intent: this.pending?.intent ?? this.intent,
      senderName: 'Ana',
      triage: { entities, language: this.language, urgency: 'normal', confidence: 0.9 },
      routeReason: 'matched',
      receivedAt,
      media: options.media,
      answer,
    };
    const outcome = await this.agent(input);
    expect(outcome.agent).toBe(this.agentName);
    const asking = this.pending;
    this.pending = outcome.awaiting
      ? pendingFrom(outcome.awaiting, { agent: this.agentName, intent: asking?.intent ?? this.intent, askedBy: workflowId, askedAt: receivedAt, ttlSeconds: 86400, answered: answer })
      : undefined;
    return { outcome, workflowId, input, reading: answer?.reading, pending: this.pending };
  }
}

/** Runs the same activity input twice at once, as a retry racing its first attempt would. */
export async function raced(agent: Agent, input: AgentInput): Promise<[AgentOutcome, AgentOutcome]> {
  const [first, second] = await Promise.all([agent(input), agent(input)]);
  return [first, second];
}
