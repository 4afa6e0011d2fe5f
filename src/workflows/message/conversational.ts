import { allHandlersFinished, CancellationScope, condition, isCancellation, log, setHandler, upsertSearchAttributes, workflowInfo, type SignalDefinition } from '@temporalio/workflow';
import {
  CHANNEL,
  CHAT_ID,
  conversationWorkflowId,
  getStatusQuery,
  handoffChangedSignal,
  heldForPersonSignal,
  turnEndedSignal,
  turnGrantedSignal,
  turnJoinedSignal,
  type Arrival,
  type HandleMessageInput,
  type HandleMessageResult,
  type MessageStatus,
  type TurnEnded,
  type TurnGrant,
} from '../../contracts';
import { local, localFirst } from './proxies';
import { ApprovalDesk } from './approval-desk';
import { HandoffDesk } from './handoff-desk';
import { describeFailure, runTurn, type ProjectedEvent, type TurnContext, type TurnResult } from './turn';

/** How long a message waits for its conversation before handing itself over again (the API's hand-over was lost). */
const ENTER_FALLBACK_MS = 30_000;

type Entry = { kind: 'turn'; grant: TurnGrant } | { kind: 'joined'; owner: string } | { kind: 'held'; holder: string };
type TurnFields = Omit<TurnEnded, 'owner' | 'startedAt' | 'finishedAt'>;

/**
 * One inbound message in its chat's conversation (`conversation.workflow.ts`): recorded in
 * the transcript at once, then it waits for the conversation to say what it is. It runs the
 * chat's turn when granted one (with any messages that arrived meanwhile), is answered
 * together with an earlier message's turn when it joined one, or joins the handoff when a
 * person holds the chat. A worker that dies mid-way resumes at the step it was on; each
 * write is keyed by the workflow id and step, so it happens once.
 */
export async function conversationalMessage(input: HandleMessageInput): Promise<HandleMessageResult> {
  const message = new ConversationalMessage(input);
  await message.arrive();
  const entry = await message.waitForEntry();
  if (entry.kind === 'turn') await message.takeTurn(entry.grant);
  else message.settle(entry);
  await condition(allHandlersFinished);
  return message.status;
}

class ConversationalMessage {
  readonly status: MessageStatus;
  private readonly info = workflowInfo();
  private readonly receivedAt = this.info.startTime.toISOString();
  private readonly chatRef: string;
  private readonly conversationId: string;
  private readonly desk: HandoffDesk;
  private readonly ctx: TurnContext;
  private entry: Entry | undefined;
  private turnReported = false;

  constructor(private readonly input: HandleMessageInput) {
    this.status = { step: 'queued', chatId: input.chatId, channel: input.channel };
    this.chatRef = input.chatRef ?? input.chatId;
    this.conversationId = conversationWorkflowId(this.chatRef, this.info.taskQueue);
    setHandler(getStatusQuery, () => this.status);
    setHandler(turnGrantedSignal, (grant) => void (this.entry ??= { kind: 'turn', grant }));
    setHandler(turnJoinedSignal, ({ owner }) => void (this.entry ??= { kind: 'joined', owner }));
    setHandler(heldForPersonSignal, ({ holder }) => void (this.entry ??= { kind: 'held', holder }));
    this.desk = new HandoffDesk(input, this.info.workflowId, this.status);
    const approvals = new ApprovalDesk(input, this.info.workflowId, this.receivedAt, this.status);
    this.ctx = { input, workflowId: this.info.workflowId, receivedAt: this.receivedAt, status: this.status, project: (events) => this.project(events), approvals };
  }

  /** Indexed (when the starter did not) and recorded in the transcript, in arrival order. */
  async arrive(): Promise<void> {
    const { input } = this;
    // The API indexes these at start; a message started some other way indexes them here.
    if (this.info.typedSearchAttributes.get(CHAT_ID) === undefined) {
      upsertSearchAttributes([
        { key: CHAT_ID, value: this.chatRef },
        { key: CHANNEL, value: input.channel },
      ]);
    }
    await local.recordInbound({ workflowId: this.info.workflowId, chatId: input.chatId, channel: input.channel, body: input.body, at: this.receivedAt, senderName: input.senderName, media: input.media });
  }

  /** What the conversation makes of the message: its turn, another's, or a person's handoff. */
  async waitForEntry(): Promise<Entry> {
    // A starter other than the API (a script, an older API) leaves the hand-over to the message.
    if (!this.input.handedOver) await this.handOver();
    if (this.entry === undefined && !(await condition(() => this.entry !== undefined, ENTER_FALLBACK_MS))) {
      log.warn('no word from the conversation; handing the message over again');
      await this.handOver();
      await condition(() => this.entry !== undefined);
    }
    return this.entry!;
  }

  /** A message answered by another's turn, or held for the person who has the chat. */
  settle(entry: Exclude<Entry, { kind: 'turn' }>): void {
    if (entry.kind === 'joined') this.status.answeredBy = entry.owner;
    else this.status.heldBy = entry.holder;
    this.status.step = 'completed';
  }

  /** Runs the chat's turn (and serves the person, when it hands the chat over), then ends it. */
  async takeTurn(grant: TurnGrant): Promise<void> {
    this.status.turn = { owner: this.info.workflowId, messages: grant.batch.map((a) => a.workflowId), startedAt: new Date().toISOString() };
    try {
      const result = await runTurn(this.ctx, grant);
      const language = result.triage.language;
      if (result.route.agent === 'human_handoff') await this.serveHandoff(result, language);
      const campaigns = [...new Set((this.status.outcomes ?? []).flatMap((o) => (o.next?.kind === 'follow_up' ? [o.next.purpose] : [])))];
      // The turn ends as the last projection is written (after a person's handoff, only the projection is left).
      await this.endTurn({ language, agent: result.route.agent, pending: result.pending, keepPending: result.keepPending, campaigns }, this.completion(result));
      this.status.step = 'completed';
    } catch (err) {
      await this.failTurn(err);
      throw err;
    }
  }

  private serveHandoff(result: TurnResult, language: string): Promise<void> {
    const workflowId = this.info.workflowId;
    return this.desk.serve({
      reason: result.route.reason,
      intent: result.triage.intent,
      language,
      opened: () => this.endTurn({ language, agent: 'human_handoff', handoff: { workflowId, status: 'waiting' } }),
      changed: (handoffStatus) => this.tellConversation(handoffChangedSignal, { workflowId, status: handoffStatus }),
    });
  }

  /** The turn's last projection, in one write: what the agents did, the reply, the task completed. */
  private completion(result: TurnResult): ProjectedEvent[] {
    const { status } = this;
    return [
      ...result.projection.events,
      {
        step: 'message',
        kind: 'completed',
        output: { reply: status.reply?.text ?? null, agents: result.route.agents, handoff: status.handoff ?? null, pending: result.pending ?? null },
        logs: [
          ...result.projection.logs,
          { key: 'replied', agent: result.route.agent, action: 'completed', durationMs: Date.now() - this.info.startTime.getTime(), details: { outboundId: status.reply?.outboundId } },
        ],
      },
    ];
  }

  /**
   * Recorded even while the workflow is being cancelled, so the row never stays in_progress,
   * and the chat is never left waiting for a turn that will not end. What it waited for
   * stays. A failure here must not hide the turn's own: it is logged, and the
   * conversation's watch frees the chat.
   */
  private async failTurn(err: unknown): Promise<void> {
    this.status.step = 'failed';
    const cancelled = isCancellation(err);
    const failed: ProjectedEvent = {
      step: 'message',
      kind: cancelled ? 'cancelled' : 'failed',
      error: describeFailure(err),
      logs: [{ key: cancelled ? 'cancelled' : 'failed', agent: this.status.route?.agent ?? 'orchestrator', action: cancelled ? 'cancelled' : 'failed', details: { error: describeFailure(err) } }],
    };
    await CancellationScope.nonCancellable(() =>
      this.endTurn({ keepPending: true }, [failed]).catch((endErr: unknown) => log.warn('could not record the failed turn', { error: describeFailure(endErr) })),
    );
  }

  /**
   * The conversation waits for this before the chat's next turn: told exactly once, with the
   * turn's last projection when there is one (one local activity for both).
   */
  private async endTurn(fields: TurnFields, events: ProjectedEvent[] = []): Promise<void> {
    if (this.turnReported) {
      if (events.length > 0) await this.project(events);
      return;
    }
    this.turnReported = true;
    const turn = this.status.turn!;
    const finishedAt = new Date().toISOString();
    this.status.turn = { ...turn, finishedAt };
    const ended: TurnEnded = { owner: this.info.workflowId, startedAt: turn.startedAt, finishedAt, ...fields };
    if (events.length === 0) return this.tellConversation(turnEndedSignal, ended);
    const { delivered } = await localFirst('finishTurn')({
      events: this.stamped(events),
      signals: [{ workflowId: this.conversationId, signal: turnEndedSignal.name, args: [ended] }],
    });
    if (!delivered[0]) log.warn('the conversation had ended before the turn did');
  }

  private async project(events: ProjectedEvent[]): Promise<void> {
    await localFirst('recordTaskEvents')({ events: this.stamped(events) });
  }

  private stamped(events: ProjectedEvent[]) {
    const at = new Date().toISOString();
    return events.map((e) => ({ ...e, workflowId: this.info.workflowId, runId: this.info.runId, at }));
  }

  private handOver(): Promise<void> {
    const { input } = this;
    const arrival: Arrival = { workflowId: this.info.workflowId, channel: input.channel, at: this.receivedAt, body: input.body, senderName: input.senderName, media: input.media };
    return local.enterConversation({ conversation: { chatId: input.chatId, chatRef: this.chatRef, channel: input.channel }, arrival });
  }

  /**
   * Tells the conversation through a local activity (the worker's client signals it): the
   * message may complete in the same workflow task, and the signal still arrives.
   */
  private async tellConversation<Args extends [unknown]>(signal: SignalDefinition<Args>, ...args: Args): Promise<void> {
    try {
      const { delivered } = await localFirst('signalWorkflows')({ signals: [{ workflowId: this.conversationId, signal: signal.name, args }] });
      if (!delivered[0]) log.warn('the conversation had ended before the signal', { signal: signal.name });
    } catch (err) {
      log.warn('the conversation did not take the signal', { signal: signal.name, error: describeFailure(err) });
    }
  }
}
