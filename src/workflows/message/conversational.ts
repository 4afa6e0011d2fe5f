import {
  allHandlersFinished,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  type SignalDefinition,
} from '@temporalio/workflow';
import type { TaskEvent } from '../../activities/tasks';
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
import { local, remote } from './proxies';
import { handoffDesk } from './handoff-desk';
import { describeFailure, runTurn, type TurnContext } from './turn';

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
  upsertSearchAttributes([
    { key: CHAT_ID, value: chatRef },
    { key: CHANNEL, value: input.channel },
  ]);

  const ctx: TurnContext = {
    input,
    workflowId,
    receivedAt,
    status,
    project: async (event: Omit<TaskEvent, 'workflowId' | 'runId' | 'at'>) => {
      await remote.recordTaskEvent({ ...event, workflowId, runId, at: new Date().toISOString() });
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

  function tellConversation<Args extends unknown[]>(signal: SignalDefinition<Args>, ...args: Args): Promise<void> {
    return getExternalWorkflowHandle(conversationId)
      .signal(signal, ...args)
      .catch((err: unknown) => log.warn('the conversation did not take the signal', { signal: signal.name, error: describeFailure(err) }));
  }

  async function takeTurn(grant: TurnGrant): Promise<void> {
    const turn = { owner: workflowId, messages: grant.batch.map((a) => a.workflowId), startedAt: new Date().toISOString() };
    status.turn = turn;
    let reported = false;
    // The conversation waits for this before the chat's next turn; told exactly once.
    const endTurn = (fields: Omit<TurnEnded, 'owner' | 'startedAt' | 'finishedAt'>): Promise<void> => {
      if (reported) return Promise.resolve();
      reported = true;
      const finishedAt = new Date().toISOString();
      status.turn = { ...turn, finishedAt };
      return tellConversation(turnEndedSignal, { owner: workflowId, startedAt: turn.startedAt, finishedAt, ...fields });
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
      const completed = ctx.project({
        step: 'message',
        kind: 'completed',
        output: { reply: status.reply?.text ?? null, agents: result.route.agents, handoff: status.handoff ?? null, pending: result.pending ?? null },
        logs: [{ key: 'replied', agent: result.route.agent, action: 'completed', durationMs: Date.now() - startTime.getTime(), details: { outboundId: status.reply?.outboundId } }],
      });
      // The turn ends as the last projection is written: both travel in the same round trip.
      await Promise.all([endTurn({ language, agent: result.route.agent, pending: result.pending, keepPending: result.keepPending }), completed]);
      status.step = 'completed';
    } catch (err) {
      status.step = 'failed';
      const cancelled = isCancellation(err);
      // Recorded even while the workflow is being cancelled, so the row never stays in_progress,
      // and the chat is never left waiting for a turn that will not end. What it waited for stays.
      await CancellationScope.nonCancellable(() =>
        Promise.all([
          endTurn({ keepPending: true }),
          ctx.project({
            step: 'message',
            kind: cancelled ? 'cancelled' : 'failed',
            error: describeFailure(err),
            logs: [{ key: cancelled ? 'cancelled' : 'failed', agent: status.route?.agent ?? 'orchestrator', action: cancelled ? 'cancelled' : 'failed', details: { error: describeFailure(err) } }],
          }),
        ]),
      );
      throw err;
    }
  }
}
