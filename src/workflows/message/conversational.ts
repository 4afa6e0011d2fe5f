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
import { handoffDesk } from './handoff-desk';
import { describeFailure, runTurn, type ProjectedEvent, type TurnContext } from './turn';

/** How long a message waits for its conversation before handing itself over again (the API's hand-over was lost). */
const ENTER_FALLBACK_MS = 30_000;

type Entry = { kind: 'turn'; grant: TurnGrant } | { kind: 'joined'; owner: string } | { kind: 'held'; holder: string };

/**
 * One inbound message in its chat's conversation (`conversation.workflow.ts`): recorded in
 * the transcript at once, then it waits for the conversation to say what it is. It runs the
 * chat's turn when granted one (with any messages that arrived meanwhile), is answered
 * together with an earlier message's turn when it joined one, or joins the handoff when a
 * person holds the chat. A worker that dies mid-way resumes at the step it was on; each
 * write is keyed by the workflow id and step, so it happens once.
 */
export async function conversationalMessage(input: HandleMessageInput): Promise<HandleMessageResult> {
  const { workflowId, runId, startTime, taskQueue } = workflowInfo();
  const receivedAt = startTime.toISOString();
  const status: MessageStatus = { step: 'queued', chatId: input.chatId, channel: input.channel };
  const chatRef = input.chatRef ?? input.chatId;
  const conversationId = conversationWorkflowId(chatRef, taskQueue);
  let entry: Entry | undefined;

  setHandler(getStatusQuery, () => status);
  setHandler(turnGrantedSignal, (grant) => void (entry ??= { kind: 'turn', grant }));
  setHandler(turnJoinedSignal, ({ owner }) => void (entry ??= { kind: 'joined', owner }));
  setHandler(heldForPersonSignal, ({ holder }) => void (entry ??= { kind: 'held', holder }));
  const desk = handoffDesk(input, workflowId, status);
  // The API indexes these at start; a message started some other way indexes them here.
  if (workflowInfo().typedSearchAttributes.get(CHAT_ID) === undefined) {
    upsertSearchAttributes([
      { key: CHAT_ID, value: chatRef },
      { key: CHANNEL, value: input.channel },
    ]);
  }

  const ctx: TurnContext = {
    input,
    workflowId,
    receivedAt,
    status,
    project: async (events: ProjectedEvent[]) => {
      const at = new Date().toISOString();
      await localFirst('recordTaskEvents')({ events: events.map((e) => ({ ...e, workflowId, runId, at })) });
    },
  };

  await local.recordInbound({ workflowId, chatId: input.chatId, channel: input.channel, body: input.body, at: receivedAt, senderName: input.senderName, media: input.media });
  const taken = await waitForEntry();
  if (taken.kind === 'joined') {
    status.answeredBy = taken.owner;
    status.step = 'completed';
  } else if (taken.kind === 'held') {
    status.heldBy = taken.holder;
    status.step = 'completed';
  } else {
    await takeTurn(taken.grant);
  }
  await condition(allHandlersFinished);
  return status;

  async function waitForEntry(): Promise<Entry> {
    const handOver = () => {
      const arrival: Arrival = { workflowId, channel: input.channel, at: receivedAt, body: input.body, senderName: input.senderName, media: input.media };
      return local.enterConversation({ conversation: { chatId: input.chatId, chatRef, channel: input.channel }, arrival });
    };
    // A starter other than the API (a script, an older API) leaves the hand-over to the message.
    if (!input.handedOver) await handOver();
    if (entry === undefined && !(await condition(() => entry !== undefined, ENTER_FALLBACK_MS))) {
      log.warn('no word from the conversation; handing the message over again');
      await handOver();
      await condition(() => entry !== undefined);
    }
    return entry!;
  }

  /**
   * Tells the conversation through a local activity (the worker's client signals it): the
   * message may complete in the same workflow task, and the signal still arrives.
   */
  async function tellConversation<Args extends [unknown]>(signal: SignalDefinition<Args>, ...args: Args): Promise<void> {
    try {
      const { delivered } = await localFirst('signalWorkflows')({ signals: [{ workflowId: conversationId, signal: signal.name, args }] });
      if (!delivered[0]) log.warn('the conversation had ended before the signal', { signal: signal.name });
    } catch (err) {
      log.warn('the conversation did not take the signal', { signal: signal.name, error: describeFailure(err) });
    }
  }

  async function takeTurn(grant: TurnGrant): Promise<void> {
    const turn = { owner: workflowId, messages: grant.batch.map((a) => a.workflowId), startedAt: new Date().toISOString() };
    status.turn = turn;
    let reported = false;
    // The conversation waits for this before the chat's next turn; told exactly once, with
    // the turn's last projection when there is one (one local activity for both).
    const endTurn = async (fields: Omit<TurnEnded, 'owner' | 'startedAt' | 'finishedAt'>, events: ProjectedEvent[] = []): Promise<void> => {
      if (reported) {
        if (events.length > 0) await ctx.project(events);
        return;
      }
      reported = true;
      const finishedAt = new Date().toISOString();
      status.turn = { ...turn, finishedAt };
      const ended: TurnEnded = { owner: workflowId, startedAt: turn.startedAt, finishedAt, ...fields };
      if (events.length === 0) return tellConversation(turnEndedSignal, ended);
      const at = new Date().toISOString();
      const { delivered } = await localFirst('finishTurn')({
        events: events.map((e) => ({ ...e, workflowId, runId, at })),
        signals: [{ workflowId: conversationId, signal: turnEndedSignal.name, args: [ended] }],
      });
      if (!delivered[0]) log.warn('the conversation had ended before the turn did');
    };
    try {
      const result = await runTurn(ctx, grant);
      const language = result.triage.language;
      if (result.route.agent === 'human_handoff') {
        await desk.serve({
          reason: result.route.reason,
          intent: result.triage.intent,
          language,
          opened: () => endTurn({ language, agent: 'human_handoff', handoff: { workflowId, status: 'waiting' } }),
          changed: (handoffStatus) => tellConversation(handoffChangedSignal, { workflowId, status: handoffStatus }),
        });
      }
      // The turn's last projection, in one write: what the agents did, the reply, the task completed.
      const completed: ProjectedEvent[] = [
        ...result.projection.events,
        {
          step: 'message',
          kind: 'completed',
          output: { reply: status.reply?.text ?? null, agents: result.route.agents, handoff: status.handoff ?? null, pending: result.pending ?? null },
          logs: [
            ...result.projection.logs,
            { key: 'replied', agent: result.route.agent, action: 'completed', durationMs: Date.now() - startTime.getTime(), details: { outboundId: status.reply?.outboundId } },
          ],
        },
      ];
      const campaigns = [...new Set((status.outcomes ?? []).flatMap((o) => (o.next?.kind === 'follow_up' ? [o.next.purpose] : [])))];
      // The turn ends as the last projection is written (after a person's handoff, only the projection is left).
      await endTurn({ language, agent: result.route.agent, pending: result.pending, keepPending: result.keepPending, campaigns }, completed);
      status.step = 'completed';
    } catch (err) {
      status.step = 'failed';
      const cancelled = isCancellation(err);
      // Recorded even while the workflow is being cancelled, so the row never stays in_progress,
      // and the chat is never left waiting for a turn that will not end. What it waited for stays.
      // A failure here must not hide the turn's own: it is logged, and the conversation's watch frees the chat.
      await CancellationScope.nonCancellable(() =>
        endTurn({ keepPending: true }, [
          {
            step: 'message',
            kind: cancelled ? 'cancelled' : 'failed',
            error: describeFailure(err),
            logs: [{ key: cancelled ? 'cancelled' : 'failed', agent: status.route?.agent ?? 'orchestrator', action: cancelled ? 'cancelled' : 'failed', details: { error: describeFailure(err) } }],
          },
        ]).catch((endErr: unknown) => log.warn('could not record the failed turn', { error: describeFailure(endErr) })),
      );
      throw err;
    }
  }
}
