import { randomUUID } from 'node:crypto';
import { followUpRequestedSignal, followUpWorkflowId, type FollowUpInput } from '../src/contracts';
import { ConversationMessage, OutboundMessage } from '../src/persistence';
import type { Rig } from './rig';
import { mb, runPool, sampleProcess } from './stats';

/**
 * Capacity: where throughput stops growing, and whether anything is lost or sent twice at
 * twice that concurrency; and what a waiting campaign or conversation costs in memory.
 */

export interface SweepPoint {
  concurrency: number;
  sent: number;
  completed: number;
  perSecond: number;
  /** The first few failures, if any. */
  errors: string[];
}

export interface LoadCheck {
  sweep: SweepPoint[];
  /** The lowest concurrency after which throughput grew by less than 10 %. */
  plateauConcurrency: number;
  /** The concurrency with the highest throughput; the check runs at twice it (or twice the plateau, whichever is higher). */
  bestConcurrency: number;
  check: { concurrency: number; sent: number; completed: number; perSecond: number; replies: number; transcriptLines: number; lost: string[]; duplicated: string[]; errors: string[] };
}

type Send = (tag: string, i: number) => Promise<{ workflowId: string }>;

async function burst(send: Send, tag: string, total: number, concurrency: number): Promise<{ ids: string[]; failed: number; errors: string[]; seconds: number }> {
  const ids: string[] = [];
  const errors: string[] = [];
  const t0 = performance.now();
  await runPool(total, concurrency, async (i) => {
    try {
      ids.push((await send(tag, i)).workflowId);
    } catch (err) {
      errors.push(`${tag}-${i}: ${(err as Error).message}`);
    }
  });
  return { ids, failed: errors.length, errors, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Raises the concurrency until throughput stops growing, then sends at twice that and checks
 * every message: one workflow completed, one reply in the outbound ledger, one line in and
 * one out in the transcript.
 */
export async function loadCheck(rig: Rig, send: Send, say: (line: string) => void, levels = [5, 10, 20, 40, 80], perLevel = 100): Promise<LoadCheck> {
  const sweep: SweepPoint[] = [];
  for (const concurrency of levels) {
    const run = await burst(send, `sweep-${concurrency}-${randomUUID().slice(0, 6)}`, Math.max(perLevel, concurrency * 3), concurrency);
    sweep.push({ concurrency, sent: run.ids.length + run.failed, completed: run.ids.length, perSecond: Math.round((run.ids.length / run.seconds) * 10) / 10, errors: run.errors.slice(0, 5) });
    say(`capacity: ${concurrency} in flight: ${sweep[sweep.length - 1].perSecond}/s`);
  }
  let plateau = levels[levels.length - 1];
  for (let i = 1; i < sweep.length; i++) {
    if (sweep[i].perSecond < sweep[i - 1].perSecond * 1.1) {
      plateau = sweep[i - 1].concurrency;
      break;
    }
  }
  // Twice the concurrency where throughput stopped growing, or twice the best one if higher: on a noisy machine the sweep's shape varies.
  const best = sweep.reduce((a, b) => (b.perSecond > a.perSecond ? b : a)).concurrency;
  const concurrency = Math.max(plateau, best) * 2;
  const tag = `check-${randomUUID().slice(0, 6)}`;
  const total = Math.max(200, concurrency * 4);
  say(`capacity: throughput stops growing at ${plateau} in flight (best at ${best}); checking ${total} messages at ${concurrency}`);
  const run = await burst(send, tag, total, concurrency);
  const replies = await rig.db.getRepository(OutboundMessage).createQueryBuilder('o').where('o.chatId LIKE :tag', { tag: `bench-${tag}-%` }).getMany();
  const lines = await rig.db.getRepository(ConversationMessage).createQueryBuilder('m').where('m.chatId LIKE :tag', { tag: `bench-${tag}-%` }).getMany();
  const count = (rows: Array<{ workflowId: string }>) => rows.reduce((m, r) => m.set(r.workflowId, (m.get(r.workflowId) ?? 0) + 1), new Map<string, number>());
  const replied = count(replies);
  const inbound = count(lines.filter((l) => l.direction === 'in'));
  const outbound = count(lines.filter((l) => l.direction === 'out'));
  const lost = run.ids.filter((id) => replied.get(id) !== 1 || inbound.get(id) !== 1 || outbound.get(id) !== 1);
  const duplicated = [...replied.entries()].filter(([, n]) => n > 1).map(([id]) => id);
  return {
    sweep,
    plateauConcurrency: plateau,
    bestConcurrency: best,
    check: { concurrency, sent: total, completed: run.ids.length, perSecond: Math.round((run.ids.length / run.seconds) * 10) / 10, replies: replies.length, transcriptLines: lines.length, lost: lost.slice(0, 10), duplicated: duplicated.slice(0, 10), errors: run.errors.slice(0, 5) },
  };
}

export interface MemoryCost {
  items: number;
  /** This process (worker and API) and the dev server, before and after the items were opened. */
  processRssMb: { before: number; after: number; perItemKb: number };
  serverRssMb?: { before: number; after: number; perItemKb: number };
}

/** A collection (with --expose-gc) and a pause, so RSS reflects what is kept rather than what is garbage. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function measureMemory(rig: Rig, items: number, open: () => Promise<void>): Promise<MemoryCost> {
  await settle();
  const before = process.memoryUsage().rss;
  const serverBefore = rig.serverPid ? sampleProcess(rig.serverPid)?.rssBytes : undefined;
  await open();
  await settle();
  const after = process.memoryUsage().rss;
  const serverAfter = rig.serverPid ? sampleProcess(rig.serverPid)?.rssBytes : undefined;
  const perItem = (a: number, b: number) => Math.round(((b - a) / 1024 / items) * 10) / 10;
  return {
    items,
    processRssMb: { before: mb(before), after: mb(after), perItemKb: perItem(before, after) },
    serverRssMb: serverBefore !== undefined && serverAfter !== undefined ? { before: mb(serverBefore), after: mb(serverAfter), perItemKb: perItem(serverBefore, serverAfter) } : undefined,
  };
}

/** N follow-up campaigns waiting on their first step (a day away), cached by the worker. */
export async function campaignMemory(rig: Rig, items: number): Promise<MemoryCost> {
  const tag = randomUUID().slice(0, 6);
  const open = (from: number, count: number) =>
    runPool(count, 20, async (n) => {
      const i = from + n;
      const chatId = `bench-campaign-${tag}-${i}@c.us`;
      const args: FollowUpInput = { chatId, purpose: 'quote', channel: 'whatsapp', reference: `Q-${i}`, rules: { stepsHours: [24, 48, 72], defaultTimezone: 'UTC' } };
      const handle = await rig.client.workflow.signalWithStart('followUpCampaign', {
        workflowId: followUpWorkflowId(chatId, 'quote'),
        taskQueue: rig.taskQueue,
        args: [args],
        signal: followUpRequestedSignal,
        signalArgs: [{ reference: `Q-${i}` }],
      });
      // Waiting on its timer once its first workflow task has run.
      for (let t = 0; t < 100 && (await handle.describe()).historyLength < 5; t++) await new Promise((r) => setTimeout(r, 50));
    });
  // A few first, not counted: the first campaigns warm caches that later ones share.
  await open(0, 20);
  return measureMemory(rig, items, () => open(20, items));
}

/**
 * N chats whose agent asked a question (a slot offer) and wait for the answer: their
 * conversations while open, then once they closed (idle) with the question saved.
 */
export async function conversationMemory(rig: Rig, items: number, send: Send, idleSeconds: number, say: (line: string) => void): Promise<{ open: MemoryCost; closed: MemoryCost; stillOpen: number }> {
  const tag = `pending-${randomUUID().slice(0, 6)}`;
  const open = await measureMemory(rig, items, async () => {
    await runPool(items, 20, async (i) => {
      await send(tag, i);
    });
  });
  say(`memory: ${items} conversations wait for an answer; waiting ${idleSeconds + 5} s for them to close when idle`);
  const closed = await measureMemory(rig, items, () => new Promise((r) => setTimeout(r, (idleSeconds + 5) * 1000)));
  const stillOpen = await rig.client.workflow
    .count(`TaskQueue = '${rig.taskQueue}' AND WorkflowType = 'conversation' AND ExecutionStatus = 'Running' AND WorkflowId STARTS_WITH 'conversation:bench-${tag}'`)
    .then((c) => c.count, () => -1);
  return { open, closed: { ...closed, processRssMb: { ...closed.processRssMb, perItemKb: Math.round(((closed.processRssMb.after - open.processRssMb.before) * 1024 * 10) / items) / 10 } }, stillOpen };
}
