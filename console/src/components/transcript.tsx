import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, enc, withQuery } from '../api';
import { pollMs, useConsole } from '../context';
import { errorText, useInterval } from '../hooks';
import { time, words } from '../format';
import { useLive } from '../live';
import { Loading, PanelError, WorkflowLink } from '../ui';
import type { Transcript, TranscriptLine } from '../types';

/** Lines per request (the API's largest page). */
const PAGE = 200;
/** Lines shown at first and added by each "load older". */
const SHOWN = 50;
/** A bound on one read: a chat longer than this shows its first lines only. */
const MAX_PAGES = 100;

const CHAT_EVENTS = ['message.accepted', 'message.received', 'reply.sent', 'reply.status', 'turn.finished', 'handoff.opened', 'handoff.answered', 'handoff.closed', 'campaign.step_sent'] as const;

interface Loaded {
  /** Pages in order, each with the cursor that fetched it (none for the first). */
  pages: Array<{ cursor?: string; lines: TranscriptLine[] }>;
  meta: Omit<Transcript, 'messages' | 'nextCursor'>;
  truncated: boolean;
}

/**
 * A chat's transcript, oldest first, newest at the bottom. The API pages from the oldest
 * line forward, so the first read follows its cursors to the end and later reads start
 * from the last page's cursor: new lines cost one request, however long the chat.
 */
export function TranscriptView({ chatId, reloadSignal = 0, onMeta }: { chatId: string; reloadSignal?: number; onMeta?: (meta: Loaded['meta']) => void }) {
  const [loaded, setLoaded] = useState<Loaded>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [shown, setShown] = useState(SHOWN);
  const current = useRef<Loaded | undefined>(undefined);
  const generation = useRef(0);
  const box = useRef<HTMLOListElement>(null);
  const stick = useRef(true);

  const read = useCallback(
    async (fromScratch: boolean) => {
      const gen = generation.current;
      const before = fromScratch ? undefined : current.current;
      const kept = before ? before.pages.slice(0, -1) : [];
      let cursor = before ? before.pages[before.pages.length - 1]?.cursor : undefined;
      const pages = [...kept];
      let meta: Loaded['meta'] | undefined;
      let truncated = false;
      try {
        for (;;) {
          const page = await api<Transcript>(withQuery(`/api/conversations/${enc(chatId)}`, { limit: PAGE, cursor }));
          if (gen !== generation.current) return;
          const { messages, nextCursor, ...rest } = page;
          meta = rest;
          pages.push({ cursor, lines: messages });
          if (!nextCursor) break;
          if (pages.length >= MAX_PAGES) {
            truncated = true;
            break;
          }
          cursor = nextCursor;
        }
        const next = { pages, meta, truncated };
        current.current = next;
        setLoaded(next);
        setError(undefined);
        onMeta?.(meta);
      } catch (err) {
        if (gen === generation.current) setError(errorText(err));
      } finally {
        if (gen === generation.current) setLoading(false);
      }
    },
    [chatId, onMeta],
  );

  useEffect(() => {
    generation.current += 1;
    current.current = undefined;
    stick.current = true;
    setLoaded(undefined);
    setError(undefined);
    setLoading(true);
    setShown(SHOWN);
    void read(true);
  }, [chatId]);

  useEffect(() => {
    if (reloadSignal > 0) void read(false);
  }, [reloadSignal]);

  // New lines for this chat: read the tail now, and once more shortly after, in case the
  // event overtook the write it announces.
  const timers = useRef<Array<ReturnType<typeof setTimeout>>>([]);
  useEffect(() => () => timers.current.forEach(clearTimeout), []);
  useLive(CHAT_EVENTS, (event) => {
    if (event.type !== 'reset' && event.chatId !== chatId) return;
    timers.current.forEach(clearTimeout);
    timers.current = [setTimeout(() => void read(false), 250), setTimeout(() => void read(false), 2000)];
  });

  // Without live events (or as a safety net with them), the tail is read on a timer.
  const { live } = useConsole();
  useInterval(() => void read(false), pollMs(live));

  const lines = loaded ? loaded.pages.flatMap((p) => p.lines) : [];
  const visible = lines.slice(Math.max(0, lines.length - shown));

  useLayoutEffect(() => {
    const el = box.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [lines.length]);

  return (
    <section class="transcript" data-testid="transcript" aria-label={`Transcript of ${chatId}`}>
      {lines.length > visible.length ? (
        <button type="button" class="quiet load-older" data-testid="load-older" onClick={() => setShown((n) => n + SHOWN)}>
          Load older messages ({lines.length - visible.length} more)
        </button>
      ) : null}
      {loaded?.truncated ? <p class="hint">This chat is very long: only its first {lines.length} messages are shown.</p> : null}
      <PanelError message={error} />
      <Loading when={loading && !loaded} />
      {loaded && lines.length === 0 ? <p class="empty">No messages yet.</p> : null}
      <ol
        class="lines"
        ref={box}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
      >
        {visible.map((line, i) => (
          <Line key={`${line.at}|${line.workflowId}|${line.direction}|${i}`} line={line} />
        ))}
      </ol>
    </section>
  );
}

function Line({ line }: { line: TranscriptLine }) {
  const kind = line.kind ?? (line.direction === 'in' ? 'message' : 'reply');
  return (
    <li class={`line line-${line.direction}`} data-testid="transcript-line" data-direction={line.direction} data-kind={kind}>
      <div class="bubble">
        <p class="text">{line.text}</p>
        <p class="meta">
          <time dateTime={line.at}>{time(line.at)}</time>
          {kind !== 'message' && kind !== 'reply' ? <span class="tag">{words(kind)}</span> : null}
          {line.agent ? <span>agent {line.agent}</span> : null}
          {line.intent ? <span>intent {words(line.intent)}</span> : null}
          {line.operator ? <span>by {line.operator}</span> : null}
          {line.status ? <span class={`status status-${line.status}`}>{line.status}</span> : null}
          <WorkflowLink workflowId={line.workflowId} />
        </p>
      </div>
    </li>
  );
}
