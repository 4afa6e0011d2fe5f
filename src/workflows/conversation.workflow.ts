import { allHandlersFinished, condition, continueAsNew, log, patched, setHandler, workflowInfo, type SignalDefinition } from '@temporalio/workflow';
import {
  conversationStateQuery,
  customerWroteSignal,
  handoffChangedSignal,
  heldForPersonSignal,
  messageArrivedSignal,
  turnEndedSignal,
  turnGrantedSignal,
  turnJoinedSignal,
  type Arrival,
  type ConversationInput,
  type ConversationState,
  type TurnEnded,
} from '../contracts';
import { local, localFirst } from './message/proxies';

/**
 * A chat's conversation: the one place that decides which of the chat's messages acts, and
 * the keeper of what the chat is waiting for.
 *
 * Why an entity workflow that grants turns, and message workflows that run them:
 * - Each inbound message keeps its own workflow, `msg:<channel>:<id>`, started by the API
 *   exactly as before: Temporal refuses a second start of the id (redeliveries start
 *   nothing), the API answers with its run at once, with or without a worker, and the Web UI
 *   and the API find a message by it. Right after the start the API signals-with-start this
 *   workflow (`messageArrived`), so arrivals reach it in the order the server took them.
 * - This workflow holds the chat's state in its own history: the question an agent asked
 *   (`pending`), the language, the last agent, the person holding the chat (`handoff`), the
 *   turn running now, and the messages waiting. A worker that dies replays it; nothing of
 *   it lives in a process.
 * - One turn at a time: a message acts only after `turnGranted`; the next grant waits for
 *   the holder's `turnEnded`. Messages that arrive meanwhile queue and are granted together
 *   to the first of them (the others are told `turnJoined`), so a burst gets one answer.
 *   An idle chat grants at once; chats never wait for each other (one workflow per chat).
 * - A holder that ends without saying so (terminated, timed out) is found by a watch that
 *   asks Temporal whether it still runs, and the turn is released.
 * - While a person holds the chat, new messages join their handoff (`heldForPerson`) and the
 *   holder hears of each (`customerWrote`); the agents answer again once it is closed.
 * - Histories carry ids and small state, never the transcript (that is in the database).
 *   Every change is saved to the chat's row, so an idle conversation closes (nothing waits
 *   in memory for a customer who may never write again) and the next message starts it
 *   again with its open question, language, last agent and campaigns reloaded. A busy chat
 *   continues as new, carrying its state.
 * - It tells message workflows through a local activity that signals them with the
 *   worker's client, so a grant costs no workflow task of its own.
 * Cost on the message path: for a message in an idle chat, one workflow task of this
 * workflow (which runs beside the message's own first task) and the grant's signal.
 */

const DEFAULT_IDLE_SECONDS = 60;
/** How often a running turn's holder is checked on; a turn may legitimately run for minutes (retries). */
const TURN_WATCH_MS = 2 * 60 * 1000;
/** A person may hold a chat for a day: their workflow is checked on less often. */
const HANDOFF_WATCH_MS = 15 * 60 * 1000;
/** Message workflows remembered, so a redelivered message is not queued twice. */
const RECENT_LIMIT = 200;
/** Continue as new well before the history grows large. */
const HISTORY_EVENTS_LIMIT = 4000;

export interface ConversationResult {
  turns: number;
  reason: 'idle';
}

export async function conversation(input: ConversationInput): Promise<ConversationResult> {
  return new Conversation(input).run();
}

type Tell = { workflowId: string; signal: SignalDefinition<[never]>; arg: unknown };

/** The conversation's state and its story: restore, then grant turns until the chat goes idle. */
class Conversation {
  private readonly state: ConversationState;
  private readonly idleMs: number;
  private dirty = false;

  constructor(private readonly input: ConversationInput) {
    this.state = input.state ?? { queue: [], recent: [], turns: 0 };
    this.idleMs = (input.settings?.idleSeconds ?? DEFAULT_IDLE_SECONDS) * 1000;
    this.listen();
  }

  async run(): Promise<ConversationResult> {
    if (!this.input.state && !this.input.fresh) await this.restore();
    let open = true;
    while (open) open = await this.step();
    await this.settle();
    return { turns: this.state.turns, reason: 'idle' };
  }

  /** One wake-up: save what changed, grant a turn, or check on a holder or on idleness. False once the chat is idle. */
  private async step(): Promise<boolean> {
    const woke = await condition(() => this.dirty || this.canDispatch(), this.waitMs());
    if (this.dirty) await this.save();
    if (this.canDispatch()) {
      await this.dispatch();
    } else if (!woke) {
      if (this.state.turn) await this.releaseIfGone('turn', this.state.turn.owner);
      else if (this.state.handoff) await this.releaseIfGone('handoff', this.state.handoff.workflowId);
      else if (Date.now() >= this.idleUntil()) {
        await this.settle();
        // A message that came in while settling keeps the conversation open.
        if (!this.canDispatch() && !this.dirty && !this.state.turn && !this.state.handoff) return false;
      }
    }
    if (this.dirty) await this.save();
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > HISTORY_EVENTS_LIMIT) {
      await this.settle();
      await continueAsNew<typeof conversation>({ ...this.input, state: this.state });
    }
    return true;
  }

  private listen(): void {
    const state = this.state;
    setHandler(conversationStateQuery, () => state);
    setHandler(messageArrivedSignal, (arrival) => {
      if (this.seen(arrival.workflowId)) return;
      this.remember(arrival.workflowId);
      state.queue.push(arrival);
      state.lastActivityAt = arrival.at;
    });
    setHandler(turnEndedSignal, (ended) => {
      if (state.turn?.owner !== ended.owner) return; // a late report from a turn the watch released
      this.endTurn(ended);
    });
    setHandler(handoffChangedSignal, ({ workflowId, status }) => {
      if (state.handoff?.workflowId !== workflowId) return;
      if (status === 'closed') state.handoff = undefined;
      else state.handoff.status = status;
      state.lastActivityAt = new Date().toISOString();
      this.dirty = true;
    });
  }

  private seen(workflowId: string): boolean {
    const state = this.state;
    return (
      state.recent.includes(workflowId) ||
      state.turn?.owner === workflowId ||
      state.handoff?.workflowId === workflowId ||
      state.queue.some((a) => a.workflowId === workflowId)
    );
  }

  private remember(workflowId: string): void {
    const recent = this.state.recent;
    recent.push(workflowId);
    if (recent.length > RECENT_LIMIT) recent.splice(0, recent.length - RECENT_LIMIT);
  }

  private canDispatch(): boolean {
    return this.state.queue.length > 0 && !this.state.turn;
  }

  private endTurn(ended: TurnEnded): void {
    const state = this.state;
    state.turn = undefined;
    state.turns += 1;
    if (ended.language) state.language = ended.language;
    if (ended.agent) state.lastAgent = ended.agent;
    if (!ended.keepPending) state.pending = ended.pending;
    if (ended.handoff) state.handoff = { ...ended.handoff, since: ended.finishedAt };
    if (ended.campaigns?.length) state.campaigns = [...new Set([...(state.campaigns ?? []), ...ended.campaigns])];
    state.lastActivityAt = ended.finishedAt;
    this.dirty = true;
  }

  /** When an idle conversation may close: its state is saved, so what it waits for waits in the database. */
  private idleUntil(): number {
    return new Date(this.state.lastActivityAt ?? workflowInfo().startTime).getTime() + this.idleMs;
  }

  private waitMs(): number {
    if (this.state.turn) return TURN_WATCH_MS;
    if (this.state.handoff) return HANDOFF_WATCH_MS;
    return Math.max(1000, this.idleUntil() - Date.now());
  }

  /**
   * Signals message workflows (through a local activity: no workflow task waits for the
   * server's answer); answers, per signal, whether the workflow was still there to take it.
   */
  private async tell(signals: Tell[]): Promise<boolean[]> {
    if (signals.length === 0) return [];
    const { delivered } = await localFirst('signalWorkflows')({ signals: signals.map((s) => ({ workflowId: s.workflowId, signal: s.signal.name, args: [s.arg] })) });
    signals.forEach((s, i) => {
      if (!delivered[i]) log.warn('a message workflow had ended before its signal', { workflowId: s.workflowId, signal: s.signal.name });
    });
    return delivered;
  }

  private async dispatch(): Promise<void> {
    // The person's workflow may have ended without saying so (terminated, or the chat's row
    // restored a handoff whose closing was never saved): a message must not join a handoff nobody holds.
    if (this.state.handoff && patched('handoff-holder-checked-v1')) await this.releaseIfGone('handoff', this.state.handoff.workflowId);
    const batch = this.state.queue.splice(0);
    if (this.state.handoff) {
      // A person holds the chat: the messages join their handoff; the agents stay out of it.
      const holder = this.state.handoff.workflowId;
      await this.tell(
        batch.flatMap((arrival) => [
          { workflowId: arrival.workflowId, signal: heldForPersonSignal as SignalDefinition<[never]>, arg: { holder } },
          { workflowId: holder, signal: customerWroteSignal as SignalDefinition<[never]>, arg: { workflowId: arrival.workflowId, at: arrival.at } },
        ]),
      );
      return;
    }
    await this.grant(batch);
  }

  private async grant(batch: Arrival[]): Promise<void> {
    const state = this.state;
    const [owner, ...joined] = batch;
    state.turn = { owner: owner.workflowId, messages: batch.map((a) => a.workflowId), startedAt: new Date().toISOString() };
    const pending = state.pending && Date.now() < new Date(state.pending.expiresAt).getTime() ? state.pending : undefined;
    const [granted] = await this.tell([
      { workflowId: owner.workflowId, signal: turnGrantedSignal as SignalDefinition<[never]>, arg: { batch, pending, language: state.language, lastAgent: state.lastAgent, campaigns: state.campaigns } },
    ]);
    if (!granted) {
      // The first message's workflow is gone (finished, or never started): the rest take the turn.
      if (state.turn?.owner === owner.workflowId) state.turn = undefined;
      state.queue.unshift(...joined);
      return;
    }
    await this.tell(joined.map((arrival) => ({ workflowId: arrival.workflowId, signal: turnJoinedSignal as SignalDefinition<[never]>, arg: { owner: owner.workflowId } })));
  }

  private async releaseIfGone(what: 'turn' | 'handoff', workflowId: string): Promise<void> {
    const liveness = (await local.checkWorkflows({ workflowIds: [workflowId] }))[workflowId];
    if (liveness === 'running') return;
    log.warn(`the ${what} holder ended without reporting; releasing the chat`, { workflowId, liveness });
    if (what === 'turn' && this.state.turn?.owner === workflowId) this.state.turn = undefined;
    if (what === 'handoff' && this.state.handoff?.workflowId === workflowId) this.state.handoff = undefined;
    this.dirty = true;
  }

  private async restore(): Promise<void> {
    const state = this.state;
    try {
      const saved = await local.loadConversation({ chatId: this.input.chatId });
      state.language ??= saved.language;
      state.lastAgent ??= saved.lastAgent;
      state.pending ??= saved.pending && Date.now() < new Date(saved.pending.expiresAt).getTime() ? saved.pending : undefined;
      // A holder that has ended since is released before a message joins it (dispatch).
      state.handoff ??= saved.handoff;
      state.campaigns ??= saved.campaigns;
      state.turns = Math.max(state.turns, saved.turns);
    } catch (err) {
      log.warn('could not load the saved conversation; starting without it', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  private async save(): Promise<void> {
    this.dirty = false;
    const { language, lastAgent, pending, handoff, campaigns, turns } = this.state;
    try {
      await localFirst('saveConversation')({
        chatId: this.input.chatId,
        channel: this.input.channel,
        state: { language, lastAgent, pending, handoff, campaigns, turns },
        at: new Date().toISOString(),
      });
    } catch (err) {
      // The projection serves the API's lists; the state itself is in this history. The next change saves again.
      log.warn('could not save the conversation projection', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  /** Before closing or continuing as new: no handler mid-way. */
  private async settle(): Promise<void> {
    await condition(allHandlersFinished);
  }
}
