import { useState } from 'preact/hooks';
import { api, withQuery } from '../api';
import { TranscriptView } from '../components/transcript';
import { pollMs, useConsole } from '../context';
import { relative, time, words } from '../format';
import { errorText, useDebounced, useInterval, useNow, useResource } from '../hooks';
import { useLive } from '../live';
import { href } from '../router';
import { Empty, Loading, Panel, PanelError } from '../ui';
import type { ConversationSummary, Transcript } from '../types';

type Page = { conversations: ConversationSummary[]; nextCursor: string | null };
/** '' is any state. */
type State = '' | 'pending' | 'handoff' | 'idle';

/** Recent chats (search by a part of the chat id) and one chat's transcript. */
export function Conversations({ chatId }: { chatId?: string }) {
  const { live } = useConsole();
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState('');
  const [state, setState] = useState<State>('');
  const [more, setMore] = useState<{ items: ConversationSummary[]; cursor: string | null; error?: string }>({ items: [], cursor: null });
  const now = useNow(30_000);
  const applySearch = useDebounced(() => setSearch(query.trim()), 300);

  const list = useResource(
    async (signal) => {
      const page = await api<Page>(withQuery('/api/conversations', { chatId: search || undefined, state: state || undefined, limit: 20 }), { signal });
      setMore({ items: [], cursor: page.nextCursor });
      return page;
    },
    [search, state],
  );
  const refresh = useDebounced(() => list.reload(), 1000);
  useLive(['message.accepted', 'message.received', 'reply.sent', 'handoff.opened', 'handoff.answered', 'handoff.closed'], refresh);
  useInterval(refresh, pollMs(live, 60_000));

  async function loadMore() {
    if (!more.cursor) return;
    try {
      const page = await api<Page>(withQuery('/api/conversations', { chatId: search || undefined, state: state || undefined, limit: 20, cursor: more.cursor }));
      setMore((m) => ({ items: [...m.items, ...page.conversations], cursor: page.nextCursor }));
    } catch (err) {
      setMore((m) => ({ ...m, error: errorText(err) }));
    }
  }

  const chats = [...(list.data?.conversations ?? []), ...more.items];

  return (
    <div class={`split ${chatId ? 'has-selection' : ''}`}>
      <div class="split-list">
        <Panel title="Conversations">
          <form
            class="filters"
            role="search"
            onSubmit={(e) => {
              e.preventDefault();
              setSearch(query.trim());
            }}
          >
            <input
              type="search"
              data-testid="conversation-search"
              placeholder="Search by chat id"
              aria-label="Search by chat id"
              value={query}
              onInput={(e) => {
                setQuery(e.currentTarget.value);
                applySearch();
              }}
            />
            <select aria-label="State" value={state} onChange={(e) => setState(e.currentTarget.value as State)}>
              <option value="">any state</option>
              <option value="pending">waiting for the customer</option>
              <option value="handoff">with a person</option>
              <option value="idle">idle</option>
            </select>
          </form>
          <PanelError message={list.error} />
          <Loading when={list.loading && !list.data} />
          {list.data && chats.length === 0 ? <Empty>{search ? `No chat matches “${search}”.` : 'No conversations yet.'}</Empty> : null}
          <ul class="items">
            {chats.map((c) => (
              <li key={c.chatId}>
                <a class={`item ${c.chatId === chatId ? 'selected' : ''}`} data-testid="conversation-item" data-chat-id={c.chatId} href={href('conversations', c.chatId)}>
                  <span class="item-title">
                    {c.chatId}
                    {c.handoff ? <span class="badge badge-warning">with a person</span> : null}
                    {c.pending ? <span class="badge">waiting for an answer</span> : null}
                  </span>
                  <span class="item-meta">
                    {c.channel ? <span class="badge">{c.channel}</span> : null} {c.turns} {c.turns === 1 ? 'turn' : 'turns'} · {relative(c.updatedAt, now)}
                  </span>
                  {c.lastMessage ? (
                    <span class="preview">
                      {c.lastMessage.direction === 'in' ? '← ' : '→ '}
                      {c.lastMessage.text}
                    </span>
                  ) : null}
                </a>
              </li>
            ))}
          </ul>
          <PanelError message={more.error} />
          {more.cursor ? (
            <button type="button" class="quiet" onClick={() => void loadMore()}>
              More chats
            </button>
          ) : null}
        </Panel>
      </div>
      <div class="split-detail">{chatId ? <ChatPanel key={chatId} chatId={chatId} /> : <Panel title="Transcript"><Empty>Choose a chat to read its transcript.</Empty></Panel>}</div>
    </div>
  );
}

function ChatPanel({ chatId }: { chatId: string }) {
  const [meta, setMeta] = useState<Omit<Transcript, 'messages' | 'nextCursor'>>();
  return (
    <Panel
      title={
        <>
          <a class="quiet back" href={href('conversations')} aria-label="Back to the conversations">
            ←
          </a>{' '}
          {chatId}
        </>
      }
    >
      {meta ? (
        <p class="detail-meta">
          {meta.channel ? <span class="badge">{meta.channel}</span> : null} {meta.language ? `language ${meta.language}` : null}
          {meta.pending ? ` · ${meta.pending.agent} waits for an answer (${words(meta.pending.kind)}) until ${time(meta.pending.expiresAt)}` : null}
          {meta.handoff ? (
            <>
              {' · '}
              <a href={href('inbox')}>{meta.handoff.status === 'waiting' ? 'waiting for a person' : 'held by a person'}</a>
            </>
          ) : null}
        </p>
      ) : null}
      <TranscriptView chatId={chatId} onMeta={setMeta} />
    </Panel>
  );
}
