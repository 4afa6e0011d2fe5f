import { useEffect, useRef, useState } from 'preact/hooks';
import { api, enc, withQuery } from '../api';
import { pollMs, useConsole } from '../context';
import { relative, time, words } from '../format';
import { useAction, useInterval, useNow, useResource } from '../hooks';
import { useLive } from '../live';
import { Empty, Loading, Panel, PanelError, WorkflowLink } from '../ui';
import type { CampaignView, ScheduleItem } from '../types';

/** A campaign's state as `GET /api/follow-ups/:chatId` and the control routes return it. */
interface CampaignState {
  chatId: string;
  purpose: string;
  status: string;
  nextFireAt?: string;
  steps: number;
  sent: unknown[];
  reason?: string;
  workflowId?: string;
}

/** How long a campaign's answer to an action wins over a list read after it. */
const TRUST_ACTION_MS = 15_000;

const keyOf = (c: { chatId: string; purpose: string }) => `${c.chatId}\u0000${c.purpose}`;

function fromState(c: CampaignState): CampaignView {
  return { chatId: c.chatId, purpose: c.purpose, status: c.status, nextFireAt: c.nextFireAt ?? null, stepsSent: c.sent?.length ?? 0, steps: c.steps, workflowId: c.workflowId, reason: c.reason };
}

export function Campaigns() {
  return (
    <div class="stack">
      <CampaignsPanel />
      <SchedulesPanel />
    </div>
  );
}

/** Active follow-up campaigns, or one chat's campaigns when searched, with pause / resume / cancel. */
function CampaignsPanel() {
  const { live } = useConsole();
  const [query, setQuery] = useState('');
  const [chatId, setChatId] = useState('');
  // Campaigns changed from this page, with when: shown with their new state until a later
  // read of the list says otherwise, and even once they leave the active list.
  const [touched, setTouched] = useState<Map<string, { view: CampaignView; at: number }>>(new Map());
  const now = useNow(15_000);
  const readAt = useRef(0);

  const list = useResource(
    async (signal): Promise<CampaignView[]> => {
      const asked = Date.now();
      let views: CampaignView[];
      if (chatId) {
        const found = await api<{ campaigns: CampaignState[] }>(`/api/follow-ups/${enc(chatId)}`, { signal });
        views = found.campaigns.map(fromState);
      } else {
        const active = await api<{ campaigns: CampaignView[] }>(withQuery('/api/follow-ups', { status: 'active' }), { signal });
        views = active.campaigns;
      }
      readAt.current = asked;
      return views;
    },
    [chatId],
  );
  useLive(['campaign.step_sent'], () => list.reload());
  useInterval(() => list.reload(), pollMs(live));

  const shown = new Map<string, CampaignView>();
  for (const c of list.data ?? []) shown.set(keyOf(c), c);
  for (const [k, t] of touched) {
    if (chatId && t.view.chatId !== chatId) continue;
    const listed = shown.get(k);
    // What the campaign answered to the action is authoritative for a while: lists may lag behind it.
    const fresh = Date.now() - t.at < TRUST_ACTION_MS || t.at > readAt.current;
    if (!listed || fresh) shown.set(k, listed ? { ...listed, ...t.view, workflowId: t.view.workflowId ?? listed.workflowId } : t.view);
  }
  const campaigns = [...shown.values()];

  function changed(states: CampaignState[]) {
    setTouched((prev) => {
      const next = new Map(prev);
      for (const s of states) {
        const view = fromState(s);
        const before = shown.get(keyOf(view));
        next.set(keyOf(view), { view: { ...view, workflowId: view.workflowId ?? before?.workflowId }, at: Date.now() });
      }
      return next;
    });
    list.reload();
  }

  return (
    <Panel title="Follow-up campaigns">
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setChatId(query.trim());
        }}
      >
        <input type="search" data-testid="campaign-search" placeholder="A chat id, e.g. 85260552717@c.us" aria-label="Chat id" value={query} onInput={(e) => {
          setQuery(e.currentTarget.value);
          if (e.currentTarget.value.trim() === '') setChatId('');
        }} />
        <button type="submit">Find</button>
      </form>
      <p class="hint">{chatId ? `Campaigns of ${chatId}.` : 'Active campaigns, next step first. Search a chat to see all of its campaigns.'}</p>
      <PanelError message={list.error} />
      <Loading when={list.loading && !list.data} />
      {list.data && campaigns.length === 0 ? <Empty>{chatId ? `${chatId} has no follow-up campaign.` : 'No campaign is active.'}</Empty> : null}
      <ul class="items">
        {campaigns
          .sort((a, b) => (a.nextFireAt ?? '9').localeCompare(b.nextFireAt ?? '9'))
          .map((c) => (
            <CampaignRow key={keyOf(c)} campaign={c} now={now} onChanged={changed} />
          ))}
      </ul>
    </Panel>
  );
}

function CampaignRow({ campaign: c, now, onChanged }: { campaign: CampaignView; now: number; onChanged: (states: CampaignState[]) => void }) {
  const { operator } = useConsole();
  const action = useAction();
  const act = (what: 'pause' | 'resume' | 'cancel') =>
    action.run(async () => {
      const result = await api<{ campaigns: CampaignState[] }>(`/api/follow-ups/${enc(c.chatId)}/${what}`, { method: 'POST', body: { purpose: c.purpose, by: operator } });
      onChanged(result.campaigns);
    });
  const running = c.status === 'active' || c.status === 'paused';
  return (
    <li class="item campaign" data-testid="campaign-item" data-chat-id={c.chatId} data-status={c.status}>
      <span class="item-title">
        {c.chatId} <span class="badge">{words(c.purpose)}</span>
      </span>
      <span class="item-meta">
        <span data-testid="campaign-status" class={`status status-${c.status}`}>
          {c.status}
        </span>
        {' · '}
        <span data-testid="campaign-next">{c.nextFireAt ? `next step ${time(c.nextFireAt)} (${relative(c.nextFireAt, now)})` : 'nothing due'}</span>
        {' · '}
        {c.stepsSent} {c.steps ? `of ${c.steps} ` : ''}
        {c.stepsSent === 1 && !c.steps ? 'step' : 'steps'} sent
        {c.reason ? ` · ${words(c.reason)}` : ''}
        {c.workflowId ? (
          <>
            {' · '}
            <WorkflowLink workflowId={c.workflowId} />
          </>
        ) : null}
      </span>
      <span class="buttons">
        <button type="button" data-testid="campaign-pause" disabled={action.busy || c.status !== 'active'} onClick={() => void act('pause')}>
          Pause
        </button>
        <button type="button" data-testid="campaign-resume" disabled={action.busy || c.status !== 'paused'} onClick={() => void act('resume')}>
          Resume
        </button>
        <button type="button" class="danger" data-testid="campaign-cancel" disabled={action.busy || !running} onClick={() => void act('cancel')} title="Cancel the campaign: no further steps are sent">
          Cancel
        </button>
      </span>
      <PanelError message={action.error} />
    </li>
  );
}

/** Temporal Schedules (admin keys only), with pause / resume / trigger. */
function SchedulesPanel() {
  const { session } = useConsole();
  if (session.role !== 'admin') {
    return (
      <Panel title="Schedules">
        <p class="hint" data-testid="schedules-admin-only">
          Schedules are for admin keys.
        </p>
      </Panel>
    );
  }
  return <AdminSchedules />;
}

function AdminSchedules() {
  const list = useResource((signal) => api<{ items: ScheduleItem[] }>('/api/schedules', { signal }), []);
  const now = useNow(15_000);
  useInterval(() => list.reload(), 30_000);
  const forbidden = list.status === 403;
  return (
    <Panel
      title="Schedules"
      actions={
        <button type="button" class="quiet" onClick={() => list.reload()}>
          Refresh
        </button>
      }
    >
      {forbidden ? <p class="hint">Schedules are for admin keys.</p> : <PanelError message={list.error} />}
      <Loading when={list.loading && !list.data} />
      {list.data && list.data.items.length === 0 ? <Empty>No schedules.</Empty> : null}
      <ul class="items">
        {(list.data?.items ?? []).map((s) => (
          <ScheduleRow key={s.id} schedule={s} now={now} onChanged={() => list.reload()} />
        ))}
      </ul>
    </Panel>
  );
}

function specText(spec: ScheduleItem['spec']): string {
  if (spec.once) return `once at ${time(spec.once)}`;
  if (spec.every) return `every ${spec.every}`;
  if (spec.cron) return `cron “${spec.cron}” (${spec.timezone})`;
  return 'custom spec';
}

function ScheduleRow({ schedule: s, now, onChanged }: { schedule: ScheduleItem; now: number; onChanged: () => void }) {
  const action = useAction();
  // What the last action answered, until the list (eventually consistent) agrees.
  const [override, setOverride] = useState<boolean>();
  const [triggered, setTriggered] = useState(false);
  const paused = override ?? s.paused;
  useEffect(() => {
    if (override === s.paused) setOverride(undefined);
  }, [s.paused, override]);
  const act = (what: 'pause' | 'unpause' | 'trigger') =>
    action.run(async () => {
      const result = await api<ScheduleItem>(`/api/schedules/${enc(s.id)}/${what}`, { method: 'POST', body: {} });
      if (what !== 'trigger') setOverride(result.paused);
      else setTriggered(true);
      onChanged();
    });
  const last = s.recentActions[s.recentActions.length - 1];
  return (
    <li class="item" data-testid="schedule-item" data-schedule-id={s.id} data-paused={paused ? 'true' : 'false'}>
      <span class="item-title">
        {s.id} {paused ? <span class="badge badge-warning">paused</span> : <span class="badge badge-ok">running</span>}
      </span>
      <span class="item-meta">
        {s.workflow ?? 'workflow'} · {specText(s.spec)}
        {s.nextActionTimes[0] && !paused ? ` · next ${time(s.nextActionTimes[0])} (${relative(s.nextActionTimes[0], now)})` : ''}
        {s.note ? ` · “${s.note}”` : ''}
        {last ? (
          <>
            {' · last run '}
            <WorkflowLink workflowId={last.workflowId} label={time(last.startedAt)} />
          </>
        ) : null}
        {triggered ? ' · triggered now' : ''}
      </span>
      <span class="buttons">
        <button type="button" data-testid="schedule-pause" disabled={action.busy || paused} onClick={() => void act('pause')}>
          Pause
        </button>
        <button type="button" data-testid="schedule-resume" disabled={action.busy || !paused} onClick={() => void act('unpause')}>
          Resume
        </button>
        <button type="button" data-testid="schedule-trigger" disabled={action.busy} onClick={() => void act('trigger')}>
          Trigger now
        </button>
      </span>
      <PanelError message={action.error} />
    </li>
  );
}

