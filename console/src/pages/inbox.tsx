import { useEffect, useState } from 'preact/hooks';
import { api, enc, withQuery } from '../api';
import { TranscriptView } from '../components/transcript';
import { pollMs, useConsole } from '../context';
import { duration, time, words } from '../format';
import { useAction, useDebounced, useInterval, useNow, useResource } from '../hooks';
import { useLive } from '../live';
import { href } from '../router';
import { Empty, Loading, Panel, PanelError, WorkflowLink } from '../ui';
import type { HandoffItem } from '../types';

type List = { handoffs: HandoffItem[] };

const byOpened = (a: HandoffItem, b: HandoffItem) => new Date(a.openedAt).getTime() - new Date(b.openedAt).getTime();

/** When the person must have answered: the API's respondBy, or the handoff's own deadline. */
function deadline(h: HandoffItem): number {
  return new Date(h.respondBy ?? h.dueAt).getTime();
}

function isOverdue(h: HandoffItem, now: number): boolean {
  return h.overdue === true || now >= deadline(h);
}

/**
 * Chats waiting for a person, oldest first, and the chats a person holds; opening one shows
 * its transcript with a reply box (or, for an approval, the request with approve / refuse).
 */
export function Inbox() {
  const { live } = useConsole();
  const open = useResource((signal) => api<List>(withQuery('/api/handoffs', { status: 'open' }), { signal }), []);
  const held = useResource((signal) => api<List>(withQuery('/api/handoffs', { status: 'answered' }), { signal }), []);
  const [selected, setSelected] = useState<HandoffItem | null>(null);
  const now = useNow(5_000);

  const refresh = useDebounced(() => {
    open.reload();
    held.reload();
  }, 200);
  useLive(['handoff.opened', 'handoff.answered', 'handoff.closed', 'message.received'], refresh);
  useInterval(refresh, pollMs(live));

  const waiting = [...(open.data?.handoffs ?? [])].sort(byOpened);
  const holding = [...(held.data?.handoffs ?? [])].sort(byOpened);

  // Keep the open panel's handoff fresh as the lists change (its status, its messages).
  useEffect(() => {
    if (!selected) return;
    const fresh = [...waiting, ...holding].find((h) => h.workflowId === selected.workflowId);
    if (fresh && (fresh.status !== selected.status || fresh.messages?.length !== selected.messages?.length)) setSelected(fresh);
  }, [open.data, held.data]);

  return (
    <div class={`split ${selected ? 'has-selection' : ''}`}>
      <div class="split-list">
        <Panel title={`Waiting for a person (${waiting.length})`}>
          <PanelError message={open.error} />
          <Loading when={open.loading && !open.data} />
          {open.data && waiting.length === 0 ? <Empty>Nobody is waiting. New handoffs appear here as they open.</Empty> : null}
          <ul class="items">
            {waiting.map((h) => (
              <HandoffRow key={h.workflowId} handoff={h} now={now} selected={selected?.workflowId === h.workflowId} onSelect={() => setSelected(h)} />
            ))}
          </ul>
        </Panel>
        <Panel title={`With a person (${holding.length})`}>
          <PanelError message={held.error} />
          {held.data && holding.length === 0 ? <Empty>No chat is held by a person.</Empty> : null}
          <ul class="items">
            {holding.map((h) => (
              <li key={h.workflowId}>
                <button type="button" class={`item ${selected?.workflowId === h.workflowId ? 'selected' : ''}`} data-testid="handoff-held" data-workflow-id={h.workflowId} data-chat-id={h.chatId} onClick={() => setSelected(h)}>
                  <span class="item-title">{h.chatId}</span>
                  <span class="item-meta">
                    <span class="badge">{h.channel}</span> answered by {h.operator ?? 'a person'} · opened {time(h.openedAt)}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </Panel>
      </div>
      <div class="split-detail">
        {selected ? (
          <HandoffDetail key={selected.workflowId} handoff={selected} now={now} onBack={() => setSelected(null)} onChanged={refresh} />
        ) : (
          <Panel title="Conversation">
            <Empty>Choose a chat on the left to read it and answer.</Empty>
          </Panel>
        )}
      </div>
    </div>
  );
}

function Waited({ handoff, now, testid }: { handoff: HandoffItem; now: number; testid?: string }) {
  const opened = new Date(handoff.openedAt).getTime();
  const due = deadline(handoff);
  const waited = Math.max(0, (now - opened) / 1000);
  const allowed = Math.max(1, (due - opened) / 1000);
  const overdue = isOverdue(handoff, now);
  return (
    <span class="waited">
      <span data-testid={testid} class={overdue ? 'overdue-text' : ''}>
        waited {duration(waited)} {overdue ? `· overdue by ${duration((now - due) / 1000)}` : `of ${duration(allowed)}`}
      </span>
      <meter min={0} max={allowed} low={allowed * 0.5} high={allowed * 0.8} optimum={0} value={Math.min(waited, allowed)} aria-label="time waited against the deadline" />
    </span>
  );
}

function HandoffRow({ handoff: h, now, selected, onSelect }: { handoff: HandoffItem; now: number; selected: boolean; onSelect: () => void }) {
  const overdue = isOverdue(h, now);
  const last = h.messages?.[h.messages.length - 1];
  return (
    <li>
      <button
        type="button"
        class={`item handoff ${overdue ? 'overdue' : ''} ${selected ? 'selected' : ''}`}
        data-testid="handoff-item"
        data-workflow-id={h.workflowId}
        data-chat-id={h.chatId}
        data-overdue={overdue ? 'true' : 'false'}
        aria-pressed={selected}
        onClick={onSelect}
      >
        <span class="item-title">
          {h.chatId}
          {overdue ? <span class="badge badge-critical">overdue</span> : null}
        </span>
        <span class="item-meta">
          <span class="badge">{h.channel}</span> {words(h.reason)} · {words(h.intent)}
        </span>
        <Waited handoff={h} now={now} testid="handoff-waited" />
        {last ? <span class="preview">“{last.text}”</span> : null}
      </button>
    </li>
  );
}

function HandoffDetail({ handoff: h, now, onBack, onChanged }: { handoff: HandoffItem; now: number; onBack: () => void; onChanged: () => void }) {
  const { operator } = useConsole();
  const [text, setText] = useState('');
  const [note, setNote] = useState('');
  const [status, setStatus] = useState(h.status);
  const [outcome, setOutcome] = useState<string>();
  const [reloadTranscript, setReloadTranscript] = useState(0);
  const action = useAction();
  const approval = h.reason === 'approval';
  const finished = status === 'closed' || status === 'timed_out' || status === 'cancelled' || outcome !== undefined;
  useEffect(() => setStatus(h.status), [h.status]);

  const path = (what: string) => `/api/handoffs/${enc(h.workflowId)}/${what}`;

  async function send() {
    const body = text.trim();
    if (!body) return;
    const ok = await action.run(() => api(path('reply'), { method: 'POST', body: { text: body, operator } }));
    if (ok) {
      setText('');
      setStatus('answered');
      setReloadTranscript((n) => n + 1);
      onChanged();
    }
  }

  async function close() {
    const ok = await action.run(() => api(path('close'), { method: 'POST', body: { operator } }));
    if (ok) {
      setStatus('closed');
      setReloadTranscript((n) => n + 1);
      onChanged();
    }
  }

  async function decide(approve: boolean) {
    const ok = await action.run(() => api(path('decision'), { method: 'POST', body: { approve, operator, ...(note.trim() ? { note: note.trim() } : {}) } }));
    if (ok) {
      setOutcome(approve ? 'Approved: the agent goes on with the call.' : 'Refused: the agent is told it may not.');
      setReloadTranscript((n) => n + 1);
      onChanged();
    }
  }

  return (
    <Panel
      title={
        <>
          <button type="button" class="quiet back" onClick={onBack} aria-label="Back to the inbox">
            ←
          </button>{' '}
          {h.chatId}
        </>
      }
      actions={<WorkflowLink workflowId={h.workflowId} label="workflow in Temporal" />}
    >
      <p class="detail-meta">
        <span class="badge">{h.channel}</span> {words(h.reason)} · intent {words(h.intent)} · opened {time(h.openedAt)} ·{' '}
        {status === 'open' ? (
          <>
            <Waited handoff={h} now={now} /> ·{' '}
          </>
        ) : null}
        <a href={href('conversations', h.chatId)}>whole conversation</a>
      </p>
      <p class="detail-status">
        Status: <strong>{words(status)}</strong>
        {status === 'answered' ? ' — the chat is yours until you close it (or it goes quiet).' : null}
        {status === 'closed' ? ' — handed back to the agents.' : null}
      </p>
      {approval ? (
        <div class="approval">
          <h3>Approval requested</h3>
          <p class="request">{h.request ?? 'The agent asks for a decision on a tool call.'}</p>
          <label>
            Note for the agent (optional)
            <input type="text" maxLength={1000} value={note} onInput={(e) => setNote(e.currentTarget.value)} disabled={finished} />
          </label>
          <div class="buttons">
            <button type="button" class="primary" data-testid="approval-approve" disabled={action.busy || finished} onClick={() => void decide(true)}>
              Approve
            </button>
            <button type="button" class="danger" data-testid="approval-refuse" disabled={action.busy || finished} onClick={() => void decide(false)}>
              Refuse
            </button>
          </div>
          {outcome ? <p class="ok">{outcome}</p> : null}
        </div>
      ) : null}
      <TranscriptView chatId={h.chatId} reloadSignal={reloadTranscript} />
      {!approval ? (
        <form
          class="reply"
          onSubmit={(e) => {
            e.preventDefault();
            void send();
          }}
        >
          <label class="sr-only" for="reply-text">
            Your reply
          </label>
          <textarea
            id="reply-text"
            data-testid="reply-text"
            rows={3}
            maxLength={4096}
            placeholder={finished ? 'This handoff is over.' : 'Write to the customer… (Ctrl+Enter sends)'}
            value={text}
            disabled={finished}
            onInput={(e) => setText(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                void send();
              }
            }}
          />
          <div class="buttons">
            <button type="submit" class="primary" data-testid="reply-send" disabled={action.busy || finished || text.trim() === ''}>
              {action.busy ? 'Sending…' : 'Send'}
            </button>
            <button type="button" data-testid="handoff-close" disabled={action.busy || finished} onClick={() => void close()} title="Hand the chat back to the agents">
              Close
            </button>
          </div>
        </form>
      ) : null}
      <PanelError message={action.error} />
    </Panel>
  );
}
